/* The recorder: per-thread record buffers merged into one seq-ordered file (spec/trace-format.md). */
#ifndef ASYNCREF_RECORDER_H
#define ASYNCREF_RECORDER_H

#include <stddef.h>
#include <stdint.h>

/* Thread-locals of an LD_PRELOAD library live in the static TLS block: the initial-exec model reads them without a
 * __tls_get_addr call (which cost several percent of a traced program's time). */
#define TRACER_TLS __thread __attribute__((tls_model("initial-exec")))

/* Whether ASYNCREF_TRACE named a file that could be opened (recording is on). */
__attribute__((visibility("hidden"))) int recorder_enabled(void);

/* Appends one record for the calling thread; the sequence number is taken under the thread's buffer lock. */
__attribute__((visibility("hidden"))) void recorder_emit(uint8_t kind, uint8_t fn, const uint64_t *values, size_t count);

#endif
