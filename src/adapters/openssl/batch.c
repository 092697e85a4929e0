/*
 * batch.c - batch mode (`asyncref-openssl --batch`): many scenarios per process.
 *
 * Protocol (spec/scenario-language.md, "Batch mode"): the process first prints the line
 * `asyncref-batch 1`. Each request on stdin is a line `run LEN TIMEOUT_MS NAME` followed by LEN
 * bytes of scenario text; the answer on stdout is a line `done KIND CODE OUTLEN ERRLEN` followed by
 * the run's stdout bytes and stderr bytes. KIND is `exit` (CODE = exit status), `signal` (CODE =
 * the signal that killed the run) or `timeout` (the run took longer than TIMEOUT_MS, CODE = 0).
 * End of input ends the process with status 0; a malformed request ends it with status 2.
 *
 * Each scenario runs in a child forked from this process, which has done only what every run does
 * before its first statement (main.c: libcrypto and ASYNC initialised on the main thread): the
 * child starts from exactly that state of a fresh `asyncref-openssl FILE.scn` process (no pool, no
 * job, no error queue entry), and a scenario that crashes takes only its child down. fork() of
 * this small process costs far less than exec() and dynamic loading of libcrypto. The child's
 * stdout and stderr are memory files, read once it has exited,
 * so neither side can block on a full pipe.
 */
#define _GNU_SOURCE
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define GREETING "asyncref-batch 1\n"

static void die(const char *what)
{
    fprintf(stderr, "asyncref-openssl --batch: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        buf += n;
        len -= (size_t)n;
    }
}

/* Sends a memory file's whole content to stdout. */
static void send_file(int fd, size_t len)
{
    char chunk[1 << 16];
    off_t at = 0;
    while ((size_t)at < len) {
        ssize_t n = pread(fd, chunk, sizeof chunk, at);
        if (n <= 0)
            die("pread");
        write_all(STDOUT_FILENO, chunk, (size_t)n);
        at += n;
    }
}

/* In the child: the run's streams, no stdin, a deadline; then the scenario. */
static void run_child(batch_run_fn run, const char *name, char *text, size_t len, int out, int err, long timeout_ms)
{
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
        _exit(125);
    close(null);
    close(out);
    close(err);
    /* SIGALRM's default action ends the child; the parent reports it as a timeout. */
    struct itimerval deadline = { { 0, 0 }, { timeout_ms / 1000, (timeout_ms % 1000) * 1000 } };
    setitimer(ITIMER_REAL, &deadline, NULL);
    int status = run(name, text, len);
    /* The log is complete: skip the exit handlers (libcrypto's cleanup frees what the process
     * is about to drop anyway and prints nothing). */
    fflush(stdout);
    fflush(stderr);
    _exit(status);
}

int batch_main(batch_run_fn run)
{
    signal(SIGPIPE, SIG_DFL);
    write_all(STDOUT_FILENO, GREETING, strlen(GREETING));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) > 0) {
        if (line[got - 1] == '\n')
            line[--got] = '\0';
        unsigned long len = 0;
        long timeout_ms = 0;
        int name_at = 0;
        if (sscanf(line, "run %lu %ld %n", &len, &timeout_ms, &name_at) != 2 || name_at == 0 || timeout_ms <= 0
            || len > (1UL << 30)) {
            fprintf(stderr, "asyncref-openssl --batch: malformed request: %s\n", line);
            free(line);
            return 2;
        }
        char *text = malloc(len + 1);
        if (text == NULL)
            die("malloc");
        if (fread(text, 1, len, stdin) != len) {
            fprintf(stderr, "asyncref-openssl --batch: input ended inside a scenario\n");
            free(text);
            free(line);
            return 2;
        }
        text[len] = '\0';

        int out = memfd_create("stdout", MFD_CLOEXEC);
        int err = memfd_create("stderr", MFD_CLOEXEC);
        if (out < 0 || err < 0)
            die("memfd_create");
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0)
            run_child(run, line + name_at, text, len, out, err, timeout_ms);
        free(text);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR)
                die("waitpid");
        }

        const char *kind = "exit";
        int code = 0;
        if (WIFEXITED(status)) {
            code = WEXITSTATUS(status);
        } else if (WTERMSIG(status) == SIGALRM) {
            kind = "timeout";
        } else {
            kind = "signal";
            code = WTERMSIG(status);
        }
        off_t out_len = lseek(out, 0, SEEK_END);
        off_t err_len = lseek(err, 0, SEEK_END);
        if (out_len < 0 || err_len < 0)
            die("lseek");
        char header[128];
        int n = snprintf(header, sizeof header, "done %s %d %lld %lld\n", kind, code, (long long)out_len, (long long)err_len);
        write_all(STDOUT_FILENO, header, (size_t)n);
        send_file(out, (size_t)out_len);
        send_file(err, (size_t)err_len);
        close(out);
        close(err);
    }
    free(line);
    return 0;
}
