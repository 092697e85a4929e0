/*
 * batch.h - batch mode: many scenarios per process (the v1 batch extension of the contract).
 */
#ifndef ASYNCREF_BATCH_H
#define ASYNCREF_BATCH_H

#include <stddef.h>

/* Runs one scenario as `asyncref-openssl FILE.scn` would: parses `text` (which it frees), prints
 * the log on stdout and messages on stderr, and returns the exit status. */
typedef int (*batch_run_fn)(const char *name, char *text, size_t len);

/* Serves the batch protocol on stdin/stdout until end of input; returns the process's exit status. */
int batch_main(batch_run_fn run);

#endif
