/* The recorder: per-thread record buffers merged into one seq-ordered file (spec/trace-format.md). */
#ifndef ASYNCREF_RECORDER_H
#define ASYNCREF_RECORDER_H

#include <stddef.h>
#include <stdint.h>

/* Whether ASYNCREF_TRACE named a file that could be opened (recording is on). */
__attribute__((visibility("hidden"))) int recorder_enabled(void);

/* Appends one record for the calling thread; the sequence number is taken under the thread's buffer lock. */
__attribute__((visibility("hidden"))) void recorder_emit(uint8_t kind, uint8_t fn, const uint64_t *values, size_t count);

#endif
