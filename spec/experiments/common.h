/*
 * common.h - shared helpers of the experiments (see README.md). Each experiment is one program that calls
 * libcrypto's ASYNC API and prints what happened; pointers are never printed, only compared, so the output
 * is the same on every run and machine.
 */
#ifndef EXPERIMENTS_COMMON_H
#define EXPERIMENTS_COMMON_H

#include <openssl/async.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef ERR_raise /* 1.1.1: no ERR_raise */
#define ERR_raise(lib, reason) ERR_put_error((lib), 0, (reason), __FILE__, __LINE__)
#endif

/* ASYNC_start_job's result by name. */
static inline const char *rc(int r)
{
    switch (r) {
    case ASYNC_ERR: return "ERR";
    case ASYNC_NO_JOBS: return "NO_JOBS";
    case ASYNC_PAUSE: return "PAUSE";
    case ASYNC_FINISH: return "FINISH";
    default: return "?";
    }
}

static inline const char *yes_no(int b)
{
    return b ? "yes" : "no";
}

/* Drains this thread's error queue and prints it, oldest first. */
static inline void errors(const char *when)
{
    unsigned long e;
    int n = 0;
    printf("  error queue %s:", when);
    while ((e = ERR_get_error()) != 0) {
        char text[256];
        ERR_error_string_n(e, text, sizeof text);
        printf(" [lib %d reason %d: %s]", ERR_GET_LIB(e), ERR_GET_REASON(e), text);
        n++;
    }
    printf("%s\n", n ? "" : " empty");
}

/* Runs a case that may crash in a child process and reports how the child ended. */
static inline void in_child(const char *name, void (*body)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        printf("== %s: child killed by signal %d\n", name, WTERMSIG(status));
    else
        printf("== %s: child exited %d\n", name, WEXITSTATUS(status));
}

/* Unbuffered output, so a crashing child keeps everything it printed. */
static inline void setup(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
}

#endif
