/*
 * main.c - asyncref-openssl: runs a v1 scenario file against the linked libcrypto.
 *
 *   asyncref-openssl FILE.scn
 *   asyncref-openssl --batch      (many scenarios per process; see batch.c)
 *
 * Exit status: 0 log complete; 2 usage or parse error (nothing on stdout); 3 the scenario's
 * profile is not the behaviour of the linked library (nothing on stdout).
 */
#include "batch.h"
#include "scenario.h"

#include <openssl/crypto.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "asyncref-openssl"

/* The size bounds are checked before parsing, as the reference checks them (ScenarioLimits). A file is never read
 * past its bound plus one byte, so /dev/zero ends at once. */

/* Reports the first bound the text breaks (0 when none): sets *line and writes the message. */
static int check_limits(const char *text, size_t len, unsigned long long max_file, unsigned long long max_line, int *line,
                        char *msg, size_t msg_size)
{
    if (len > max_file) {
        int n = 1;
        for (size_t i = 0; i < max_file; i++)
            n += text[i] == '\n';
        *line = n;
        snprintf(msg, msg_size, "the file is larger than %llu bytes (the limit, set by ASYNCREF_MAX_FILE_BYTES)", max_file);
        return 1;
    }
    int n = 1;
    size_t start = 0;
    while (start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (end - start > max_line) {
            *line = n;
            snprintf(msg, msg_size, "the line is longer than %llu bytes (the limit, set by ASYNCREF_MAX_LINE_BYTES)", max_line);
            return 1;
        }
        start = end + 1;
        n++;
    }
    return 0;
}

/* Reads the file, at most cap bytes; returns NULL (errno set) on failure. */
static char *read_file(const char *path, size_t cap_bytes, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap_bytes)
            break;
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            if (cap > cap_bytes)
                cap = cap_bytes;
            char *b = realloc(buf, cap);
            if (b == NULL) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        errno = saved ? saved : EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

/* The profiles a library version behaves like: 1.1.x -> 1.1.1; 3.x -> 3.0; 3.2 and later (built
 * against their headers, which declare the stack functions) -> 3.2 as well. */
static int profile_supported(profile_t profile)
{
    unsigned long v = OpenSSL_version_num();
    switch (profile) {
    case PROFILE_111: return v < 0x30000000UL;
    case PROFILE_32: return OPENSSL_VERSION_NUMBER >= 0x30200000L && v >= 0x30200000UL;
    default: return v >= 0x30000000UL;
    }
}

static const char *profile_name(profile_t profile)
{
    return profile == PROFILE_111 ? "1.1.1" : profile == PROFILE_32 ? "3.2" : "3.0";
}

/* Parses and runs one scenario (taking ownership of text); returns the exit status. */
static int run_text(const char *path, char *text, size_t len)
{
    limits_t limits;
    limits_current(&limits);
    char limit_msg[160];
    int limit_line = 0;
    if (check_limits(text, len, limits.file_bytes, limits.line_bytes, &limit_line, limit_msg, sizeof limit_msg)) {
        fprintf(stderr, "%s:%d: %s\n", path, limit_line, limit_msg);
        free(text);
        return 2;
    }

    scenario_t sc;
    int err_line = 0;
    char *msg = NULL;
    int ok = scenario_parse(text, len, &limits, &sc, &err_line, &msg);
    free(text);
    if (!ok) {
        fprintf(stderr, "%s:%d: %s\n", path, err_line, msg);
        free(msg);
        scenario_free(&sc);
        return 2;
    }
    if (!profile_supported(sc.profile)) {
        fprintf(stderr, PROG ": %s: profile %s is not supported by the linked library (%s)\n", path,
                profile_name(sc.profile), OpenSSL_version(OPENSSL_VERSION));
        scenario_free(&sc);
        return 3;
    }
    sc.path = path;
    scenario_run(&sc);
    scenario_free(&sc);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--batch") == 0) {
        /* Each forked run would otherwise resolve libcrypto's and libc's lazily bound symbols
         * again (the parent never calls them): bind them all once, at start-up, by starting
         * again with LD_BIND_NOW. If that fails, the runs bind lazily, as before. */
        if (getenv("LD_BIND_NOW") == NULL && setenv("LD_BIND_NOW", "1", 1) == 0)
            execv("/proc/self/exe", argv);
        /* Every run first initialises libcrypto and ASYNC (interp.c, runtime_init) on this, the
         * process's main thread, before any statement, and its first use of the error queue loads
         * the error strings. Done once here, each forked run starts from the state it would reach
         * itself, without loading the configuration and the strings again. */
        if (!OPENSSL_init_crypto(OPENSSL_INIT_ASYNC | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL)) {
            fputs(PROG ": OPENSSL_init_crypto failed\n", stderr);
            return 1;
        }
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
        /* Likewise the first ASYNC_start_job of a 3.x process sets up the default library context
         * (tables of property names): a process-wide cache no statement can observe. */
        OSSL_LIB_CTX_get0_global_default();
#endif
        return batch_main(run_text);
    }
    if (argc != 2) {
        fprintf(stderr, "usage: " PROG " FILE.scn | " PROG " --batch\n");
        return 2;
    }
    const char *path = argv[1];
    limits_t limits;
    limits_current(&limits);
    size_t len = 0;
    char *text = read_file(path, (size_t)limits.file_bytes + 1, &len);
    if (text == NULL) {
        fprintf(stderr, PROG ": cannot read %s: %s\n", path, strerror(errno));
        return 2;
    }
    return run_text(path, text, len);
}
