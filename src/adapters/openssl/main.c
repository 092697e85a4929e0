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

#define PROG "asyncref-openssl"

/* Reads the whole file; returns NULL (errno set) on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
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

/* The profile a library major version behaves like: 1.1.x -> 1.1.1, 3.x -> 3.0. */
static int profile_supported(profile_t profile)
{
    unsigned long v = OpenSSL_version_num();
    return profile == PROFILE_111 ? v < 0x30000000UL : v >= 0x30000000UL;
}

/* Parses and runs one scenario (taking ownership of text); returns the exit status. */
static int run_text(const char *path, char *text, size_t len)
{
    scenario_t sc;
    int err_line = 0;
    char *msg = NULL;
    int ok = scenario_parse(text, len, &sc, &err_line, &msg);
    free(text);
    if (!ok) {
        fprintf(stderr, "%s:%d: %s\n", path, err_line, msg);
        free(msg);
        scenario_free(&sc);
        return 2;
    }
    if (!profile_supported(sc.profile)) {
        fprintf(stderr, PROG ": %s: profile %s is not supported by the linked library (%s)\n", path,
                sc.profile == PROFILE_111 ? "1.1.1" : "3.0", OpenSSL_version(OPENSSL_VERSION));
        scenario_free(&sc);
        return 3;
    }
    scenario_run(&sc);
    scenario_free(&sc);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--batch") == 0)
        return batch_main(run_text);
    if (argc != 2) {
        fprintf(stderr, "usage: " PROG " FILE.scn\n       " PROG " --batch\n");
        return 2;
    }
    const char *path = argv[1];
    size_t len = 0;
    char *text = read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, PROG ": cannot read %s: %s\n", path, strerror(errno));
        return 2;
    }
    return run_text(path, text, len);
}
