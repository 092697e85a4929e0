/*
 * interp.c - runs a parsed scenario against the real libcrypto and prints the v1 log.
 *
 * Top-level statements are handed one by one to their logical thread (workers.c). Job bodies
 * run inside OpenSSL's fibres through per-function trampolines, so keep this code light on
 * stack: a job stack is only 32 KiB.
 *
 * State shared between statements is global on purpose: statements are strictly sequential
 * (one runs at a time, whichever OS thread), and job bodies must reach it without arguments.
 */
#include "scenario.h"
#include "workers.h"

#include <openssl/async.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "compat111.h"
#include "compat32.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- runtime state ------------------------------------------------------------------------ */

typedef struct {
    ASYNC_WAIT_CTX *ptr;
    int live; /* holds a context that is neither never-created nor freed */
} ctx_var_t;

typedef struct {
    ASYNC_JOB *ptr; /* the C variable `ASYNC_JOB *J` */
    int ret;        /* the C variable `int ret` passed with it */
} job_var_t;

/* A job object seen in the run, with the #N it prints as. */
typedef struct {
    ASYNC_JOB *ptr;
    int number;
    int idle_thread; /* logical thread whose pool holds it idle, or -1 */
} job_id_t;

/* A hash map from pointers to non-negative ints (open addressing, linear probing, deletion by
 * backward shift), so that looking a pointer up does not scan every name or job of the run. */
typedef struct {
    const void **keys; /* NULL: empty slot */
    int *values;
    size_t len, nslots; /* nslots: 0 or a power of two, more than twice len */
} ptrmap_t;

static const scenario_t *g_sc;
static ctx_var_t *g_ctx;
static ptrmap_t g_live_ctx; /* context pointer -> the variable that holds it live */
static ptrmap_t g_ctx_names; /* context not yet freed -> the variable it was created under */
static job_var_t *g_jobs;
static job_id_t *g_ids;
static ptrmap_t g_id_index; /* job pointer -> its index in g_ids */
static size_t g_nids, g_capids;
static int g_next_number = 1;
/* Keys, data and callback args stand for the addresses of bytes in these arrays. */
static char *g_space[SYM_KINDS];
static int g_event_line;            /* line of the statement whose call emits events */
static int g_teardown;              /* final cleanup: events are not part of the log */
static ASYNC_stack_alloc_fn g_default_alloc; /* OpenSSL's own stack functions, `default` */
static ASYNC_stack_free_fn g_default_free;
static ASYNC_JOB *g_returning_job;  /* current job when a body last returned */
static unsigned long long g_lines_left; /* log lines a defined run of this scenario can still print */
static unsigned long long g_log_bytes;  /* bytes printed so far, each line with its LF */

/* Allocation failure is not a scenario outcome: stop loudly. */
static void *check_alloc(void *p)
{
    if (p == NULL) {
        fputs("asyncref-openssl: out of memory\n", stderr);
        abort();
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    return check_alloc(calloc(n ? n : 1, size));
}

static void *xrealloc(void *p, size_t n)
{
    return check_alloc(realloc(p, n));
}

/* ---- pointer maps ------------------------------------------------------------------------- */

static size_t ptr_slot(const ptrmap_t *m, const void *key)
{
    uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 32) & (m->nslots - 1);
}

/* The value for key, or -1. */
static int ptrmap_get(const ptrmap_t *m, const void *key)
{
    if (m->nslots == 0 || key == NULL)
        return -1;
    for (size_t i = ptr_slot(m, key); m->keys[i] != NULL; i = (i + 1) & (m->nslots - 1))
        if (m->keys[i] == key)
            return m->values[i];
    return -1;
}

static void ptrmap_put(ptrmap_t *m, const void *key, int value);

static void ptrmap_grow(ptrmap_t *m)
{
    ptrmap_t old = *m;
    m->nslots = old.nslots ? 2 * old.nslots : 16;
    m->keys = xcalloc(m->nslots, sizeof *m->keys);
    m->values = xcalloc(m->nslots, sizeof *m->values);
    m->len = 0;
    for (size_t i = 0; i < old.nslots; i++)
        if (old.keys[i] != NULL)
            ptrmap_put(m, old.keys[i], old.values[i]);
    free(old.keys);
    free(old.values);
}

/* Sets key (not NULL) to value, replacing any previous value. */
static void ptrmap_put(ptrmap_t *m, const void *key, int value)
{
    if (2 * (m->len + 1) > m->nslots)
        ptrmap_grow(m);
    size_t i = ptr_slot(m, key);
    while (m->keys[i] != NULL && m->keys[i] != key)
        i = (i + 1) & (m->nslots - 1);
    if (m->keys[i] == NULL)
        m->len++;
    m->keys[i] = key;
    m->values[i] = value;
}

static void ptrmap_remove(ptrmap_t *m, const void *key)
{
    if (m->nslots == 0 || key == NULL)
        return;
    size_t mask = m->nslots - 1, i = ptr_slot(m, key);
    while (m->keys[i] != key) {
        if (m->keys[i] == NULL)
            return;
        i = (i + 1) & mask;
    }
    /* backward shift: move later entries of the probe run into the hole */
    for (size_t j = (i + 1) & mask; m->keys[j] != NULL; j = (j + 1) & mask) {
        size_t home = ptr_slot(m, m->keys[j]);
        /* entry j may move to i if its home is not in the cyclic range (i, j] */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->keys[i] = m->keys[j];
            m->values[i] = m->values[j];
            i = j;
        }
    }
    m->keys[i] = NULL;
    m->len--;
}

static void ptrmap_free(ptrmap_t *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

/* ---- output ------------------------------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, cap;
} sb_t;

static void sb_vprintf(sb_t *sb, const char *fmt, va_list ap)
{
    va_list probe;
    va_copy(probe, ap);
    int n = vsnprintf(NULL, 0, fmt, probe);
    va_end(probe);
    if (n < 0)
        return;
    if (sb->len + (size_t)n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < sb->len + (size_t)n + 1)
            cap *= 2;
        sb->buf = xrealloc(sb->buf, cap);
        sb->cap = cap;
    }
    vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
    sb->len += (size_t)n;
}

static void sb_printf(sb_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sb_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

/* Undefined behaviour can send a job's fibre round a loop of statements for ever (1.1.1 switches
 * to a NULL job's context on a nested start). No defined run prints more lines than the budget
 * set in scenario_run, so past it the run stops instead of filling memory and the disk. */
static void count_line(int line, size_t bytes)
{
    /* The log bound (ASYNCREF_MAX_LOG_BYTES): the line that would go over is not printed, and the run stops
     * with the reference's message, at the scenario line that printed it. */
    if (__atomic_add_fetch(&g_log_bytes, bytes, __ATOMIC_RELAXED) > g_sc->limits.log_bytes) {
        fflush(stdout);
        fprintf(stderr, "%s:%d: the log is larger than %llu bytes (the limit, set by ASYNCREF_MAX_LOG_BYTES)\n",
                g_sc->path, line, g_sc->limits.log_bytes);
        _exit(2);
    }
    if (__atomic_fetch_sub(&g_lines_left, 1, __ATOMIC_RELAXED) == 0) {
        fputs("asyncref-openssl: the log outgrew what any defined run of this scenario prints; "
              "undefined behaviour in OpenSSL ran away\n", stderr);
        fflush(stdout);
        _exit(3);
    }
}

/* Every line is flushed at once: a later statement may crash the process (undefined behaviour
 * in OpenSSL), and what was printed before must survive. */
static void emit_result(const stmt_t *s, const char *result)
{
    count_line(s->line, (size_t)snprintf(NULL, 0, "%d %s %s => %s\n", s->line, current_thread_name(), s->opname, result));
    printf("%d %s %s => %s\n", s->line, current_thread_name(), s->opname, result);
    fflush(stdout);
}

static void emit_sb(const stmt_t *s, sb_t *sb)
{
    emit_result(s, sb->buf ? sb->buf : "");
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

/* Results are built on the heap, not the stack: names have no length limit, and this may run
 * on a job's small stack. */
static void emit_resultf(const stmt_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit_resultf(const stmt_t *s, const char *fmt, ...)
{
    sb_t sb = { 0 };
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    emit_sb(s, &sb);
}

/* An event of the statement at g_event_line, e.g. a cleanup called by ctx_free. */
static void emit_eventf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void emit_eventf(const char *fmt, ...)
{
    sb_t sb = { 0 };
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    count_line(g_event_line, (size_t)snprintf(NULL, 0, "%d %s ! %s\n", g_event_line, current_thread_name(), sb.buf ? sb.buf : ""));
    printf("%d %s ! %s\n", g_event_line, current_thread_name(), sb.buf ? sb.buf : "");
    fflush(stdout);
    free(sb.buf);
}

/* ---- names for pointers ------------------------------------------------------------------- */

static const void *space_ptr(sym_kind_t kind, int index)
{
    return index < 0 ? NULL : g_space[kind] + index;
}

static const char *space_name(sym_kind_t kind, const void *p)
{
    if (p == NULL)
        return "-";
    const char *c = p;
    if (c >= g_space[kind] && c < g_space[kind] + g_sc->syms[kind].len)
        return g_sc->syms[kind].names[c - g_space[kind]];
    return "?"; /* not a pointer the scenario passed: cannot happen with a sane library */
}

/* Records that variable i holds c, live (NULL: no context); the pointer it held before is no
 * longer held live by any variable. */
static void ctx_assign(size_t i, ASYNC_WAIT_CTX *c)
{
    if (g_ctx[i].live)
        ptrmap_remove(&g_live_ctx, g_ctx[i].ptr);
    g_ctx[i].ptr = c;
    g_ctx[i].live = c != NULL;
    if (c != NULL)
        ptrmap_put(&g_live_ctx, c, (int)i);
}

/* Variable i's context is freed: it keeps the dangling pointer, not live. */
static void ctx_kill(size_t i)
{
    if (g_ctx[i].live)
        ptrmap_remove(&g_live_ctx, g_ctx[i].ptr);
    g_ctx[i].live = 0;
}

/* The name a context was created under: it keeps it when its variable is assigned a newer one.
 * A freed context has no name ("?"); its address may already belong to a new one. */
static const char *ctx_name(const ASYNC_WAIT_CTX *p)
{
    if (p == NULL)
        return "NULL";
    int i = ptrmap_get(&g_ctx_names, p);
    return i >= 0 ? g_sc->syms[SYM_CTX].names[i] : "?";
}

/* ---- job numbering ------------------------------------------------------------------------ */

static job_id_t *find_job_id(const ASYNC_JOB *j)
{
    int i = ptrmap_get(&g_id_index, j);
    return i < 0 ? NULL : &g_ids[i];
}

/* The #N of a job object that is running or paused (so not idle in any pool). */
static int job_number(ASYNC_JOB *j)
{
    job_id_t *id = find_job_id(j);
    if (id == NULL) {
        if (g_nids == g_capids) {
            g_capids = g_capids ? 2 * g_capids : 16;
            g_ids = xrealloc(g_ids, g_capids * sizeof *g_ids);
        }
        ptrmap_put(&g_id_index, j, (int)g_nids);
        id = &g_ids[g_nids++];
        id->ptr = j;
        id->number = g_next_number++;
    }
    id->idle_thread = -1;
    return id->number;
}

/* A job whose start returned FINISH on a thread goes back, idle, to that thread's pool. */
static void job_now_idle(const ASYNC_JOB *j, int thread)
{
    job_id_t *id = j ? find_job_id(j) : NULL;
    if (id != NULL)
        id->idle_thread = thread;
}

/* ASYNC_cleanup_thread frees the idle jobs of the thread's pool: their addresses may come back
 * as new objects, which must get new numbers. */
static void forget_idle_jobs(int thread)
{
    size_t k = 0;
    for (size_t i = 0; i < g_nids; i++) {
        if (g_ids[i].idle_thread != thread) {
            if (k != i)
                ptrmap_put(&g_id_index, g_ids[i].ptr, (int)k);
            g_ids[k++] = g_ids[i];
        } else {
            ptrmap_remove(&g_id_index, g_ids[i].ptr);
        }
    }
    g_nids = k;
}

/* ---- recording callbacks and trampolines -------------------------------------------------- */

static void record_cleanup(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd, void *data)
{
    (void)ctx;
    if (g_teardown)
        return;
    emit_eventf("cleanup %s %d %s", space_name(SYM_KEY, key), (int)fd, space_name(SYM_DATA, data));
}

static int record_callback(int index, void *arg)
{
    emit_eventf("callback %s %s", g_sc->syms[SYM_CB].names[index], space_name(SYM_CBARG, arg));
    return 1;
}

/* The recording stack functions: they allocate and free as OpenSSL's own do, and say so. A thread's
 * exit frees its pool's stacks (OpenSSL's thread-stop handler): that is teardown, not the log. */
static void *record_stack_alloc(int index, size_t *num)
{
    emit_eventf("stack_alloc %s %zu", g_sc->syms[SYM_SALLOC].names[index], *num);
    return malloc(*num);
}

static void record_stack_free(int index, void *stack)
{
    if (!g_teardown)
        emit_eventf("stack_free %s", g_sc->syms[SYM_SFREE].names[index]);
    free(stack);
}

static int run_body(int func, void *args);

#define SEQ32(X) \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) \
    X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29) X(30) X(31)
#define SEQ64(X) SEQ32(X) \
    X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) X(44) X(45) X(46) X(47) \
    X(48) X(49) X(50) X(51) X(52) X(53) X(54) X(55) X(56) X(57) X(58) X(59) X(60) X(61) X(62) X(63)

/* Each scenario function is a distinct C function, as a real caller's would be. */
#define JOB_TRAMPOLINE(i) static int job_tramp_##i(void *args) { return run_body(i, args); }
#define JOB_ENTRY(i) job_tramp_##i,
SEQ64(JOB_TRAMPOLINE)
static int (*const job_tramps[])(void *) = { SEQ64(JOB_ENTRY) };
_Static_assert(sizeof job_tramps / sizeof job_tramps[0] == MAX_FUNCS, "one trampoline per function");

/* Each callback name is a distinct function pointer, so get_callback can name it back. */
#define CB_TRAMPOLINE(i) static int cb_tramp_##i(void *arg) { return record_callback(i, arg); }
#define CB_ENTRY(i) cb_tramp_##i,
SEQ32(CB_TRAMPOLINE)
static ASYNC_callback_fn const cb_tramps[] = { SEQ32(CB_ENTRY) };
_Static_assert(sizeof cb_tramps / sizeof cb_tramps[0] == MAX_CALLBACKS, "one trampoline per callback");

/* Each stack allocator and free function name is a distinct function pointer, so get_mem_functions
 * can name it back. */
#define SEQ8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define SALLOC_TRAMPOLINE(i) static void *salloc_tramp_##i(size_t *num) { return record_stack_alloc(i, num); }
#define SALLOC_ENTRY(i) salloc_tramp_##i,
#define SFREE_TRAMPOLINE(i) static void sfree_tramp_##i(void *p) { record_stack_free(i, p); }
#define SFREE_ENTRY(i) sfree_tramp_##i,
SEQ8(SALLOC_TRAMPOLINE)
SEQ8(SFREE_TRAMPOLINE)
static ASYNC_stack_alloc_fn const salloc_tramps[] = { SEQ8(SALLOC_ENTRY) };
static ASYNC_stack_free_fn const sfree_tramps[] = { SEQ8(SFREE_ENTRY) };
_Static_assert(sizeof salloc_tramps / sizeof salloc_tramps[0] == MAX_STACK_FUNCS, "one trampoline per allocator");
_Static_assert(sizeof sfree_tramps / sizeof sfree_tramps[0] == MAX_STACK_FUNCS, "one trampoline per free function");

static void do_set_mem_functions(const stmt_t *s)
{
    ASYNC_stack_alloc_fn a = s->salloc == REF_DEFAULT ? g_default_alloc : s->salloc >= 0 ? salloc_tramps[s->salloc] : NULL;
    ASYNC_stack_free_fn f = s->sfree == REF_DEFAULT ? g_default_free : s->sfree >= 0 ? sfree_tramps[s->sfree] : NULL;
    emit_resultf(s, "%d", ASYNC_set_mem_functions(a, f));
}

static void do_get_mem_functions(const stmt_t *s)
{
    ASYNC_stack_alloc_fn a = NULL;
    ASYNC_stack_free_fn f = NULL;
    ASYNC_get_mem_functions(&a, &f);
    const char *an = a == g_default_alloc ? "default" : "?";
    const char *fn = f == g_default_free ? "default" : "?";
    for (size_t i = 0; i < g_sc->syms[SYM_SALLOC].len; i++)
        if (salloc_tramps[i] == a)
            an = g_sc->syms[SYM_SALLOC].names[i];
    for (size_t i = 0; i < g_sc->syms[SYM_SFREE].len; i++)
        if (sfree_tramps[i] == f)
            fn = g_sc->syms[SYM_SFREE].names[i];
    emit_resultf(s, "%s %s", an, fn);
}

static const char *callback_name(ASYNC_callback_fn fn)
{
    if (fn == NULL)
        return "-";
    for (size_t i = 0; i < g_sc->syms[SYM_CB].len; i++)
        if (cb_tramps[i] == fn)
            return g_sc->syms[SYM_CB].names[i];
    return "?";
}

/* ---- argument resolution ------------------------------------------------------------------ */

/* Using a ctx variable that holds no live context would hand garbage to OpenSSL: report it as
 * the one undefined behaviour the adapter detects, and end the run (the log is complete). */
__attribute__((noreturn)) static void ub_ctx_not_live(const stmt_t *s)
{
    emit_resultf(s, "UB UB-CTX-USE-AFTER-FREE context %s is not live", g_sc->syms[SYM_CTX].names[s->ctx]);
    _exit(0); /* possibly inside a job's fibre: no unwinding, no atexit handlers */
}

static ASYNC_WAIT_CTX *dot_ctx(void)
{
    return ASYNC_get_wait_ctx(ASYNC_get_current_job());
}

static ASYNC_WAIT_CTX *ctx_arg(const stmt_t *s)
{
    if (s->ctx == REF_NONE)
        return NULL;
    if (s->ctx == REF_DOT)
        return dot_ctx();
    if (!g_ctx[s->ctx].live)
        ub_ctx_not_live(s);
    return g_ctx[s->ctx].ptr;
}

/* ---- statements --------------------------------------------------------------------------- */

static void do_start(const stmt_t *s)
{
    static char ptr0_byte; /* any non-NULL pointer will do for `ptr0` */
    job_var_t *jv = &g_jobs[s->job];
    ASYNC_JOB *before = jv->ptr;
    ASYNC_WAIT_CTX *wctx;
    /* A restart ignores its ctx argument, and so does a start inside a job (3.x returns ERR before
     * looking at it; elsewhere the reference reports undefined behaviour first): a dead variable
     * there is harmless, pass NULL. */
    if ((before != NULL || ASYNC_get_current_job() != NULL) && s->ctx >= 0 && !g_ctx[s->ctx].live)
        wctx = NULL;
    else
        wctx = ctx_arg(s);
    void *args = NULL;
    size_t size = 0;
    if (s->arg_kind == ARG_STRING) {
        args = s->arg_text;
        size = s->arg_size;
    } else if (s->arg_kind == ARG_PTR0) {
        args = &ptr0_byte;
    }
    g_returning_job = NULL;
    int (*func)(void *) = s->func >= 0 ? job_tramps[s->func] : NULL; /* '-': NULL, as C passes it */
    int r = ASYNC_start_job(&jv->ptr, wctx, &jv->ret, func, args, size);
    switch (r) {
    case ASYNC_PAUSE:
        emit_resultf(s, "PAUSE #%d", job_number(jv->ptr));
        break;
    case ASYNC_FINISH:
        job_now_idle(before ? before : g_returning_job, current_thread_index());
        emit_resultf(s, "FINISH %d", jv->ret);
        break;
    case ASYNC_NO_JOBS:
        emit_result(s, "NO_JOBS");
        break;
    case ASYNC_ERR:
        emit_result(s, "ERR");
        break;
    default:
        emit_resultf(s, "%d", r);
        break;
    }
}

static void do_ctx_free(const stmt_t *s)
{
    ASYNC_WAIT_CTX *c = ctx_arg(s);
    ptrmap_remove(&g_ctx_names, c);
    if (s->ctx >= 0) {
        ctx_kill((size_t)s->ctx);
    } else if (c != NULL) { /* '.': whichever variable holds the job's context is now dead */
        int i = ptrmap_get(&g_live_ctx, c);
        if (i >= 0)
            ctx_kill((size_t)i);
    }
    g_event_line = s->line;
    ASYNC_WAIT_CTX_free(c);
    emit_result(s, "ok");
}

static void do_get_fd(const stmt_t *s)
{
    OSSL_ASYNC_FD fd = 0;
    void *data = NULL;
    int r = ASYNC_WAIT_CTX_get_fd(ctx_arg(s), space_ptr(SYM_KEY, s->key), &fd, &data);
    if (r == 1)
        emit_resultf(s, "1 %d %s", (int)fd, space_name(SYM_DATA, data));
    else
        emit_resultf(s, "%d", r);
}

static void append_fds(sb_t *sb, const OSSL_ASYNC_FD *fds, size_t n)
{
    sb_printf(sb, "[");
    for (size_t i = 0; i < n; i++)
        sb_printf(sb, i ? " %d" : "%d", (int)fds[i]);
    sb_printf(sb, "]");
}

static void do_get_all_fds(const stmt_t *s)
{
    ASYNC_WAIT_CTX *c = ctx_arg(s);
    size_t n = 0;
    int r = ASYNC_WAIT_CTX_get_all_fds(c, NULL, &n);
    if (r != 1) {
        emit_resultf(s, "%d", r);
        return;
    }
    OSSL_ASYNC_FD *fds = xcalloc(n, sizeof *fds);
    r = ASYNC_WAIT_CTX_get_all_fds(c, fds, &n);
    sb_t sb = { 0 };
    sb_printf(&sb, "%d ", r);
    append_fds(&sb, fds, n);
    free(fds);
    emit_sb(s, &sb);
}

static void do_get_changed_fds(const stmt_t *s)
{
    ASYNC_WAIT_CTX *c = ctx_arg(s);
    size_t na = 0, nd = 0;
    int r = ASYNC_WAIT_CTX_get_changed_fds(c, NULL, &na, NULL, &nd);
    if (r != 1) {
        emit_resultf(s, "%d", r);
        return;
    }
    /* calloc: should the counts ever exceed what the walk writes, print zeros, not garbage */
    OSSL_ASYNC_FD *add = xcalloc(na, sizeof *add);
    OSSL_ASYNC_FD *del = xcalloc(nd, sizeof *del);
    r = ASYNC_WAIT_CTX_get_changed_fds(c, add, &na, del, &nd);
    sb_t sb = { 0 };
    sb_printf(&sb, "%d add=", r);
    append_fds(&sb, add, na);
    sb_printf(&sb, " del=");
    append_fds(&sb, del, nd);
    free(add);
    free(del);
    emit_sb(s, &sb);
}

static void do_get_callback(const stmt_t *s)
{
    ASYNC_callback_fn fn = NULL;
    void *arg = NULL;
    int r = ASYNC_WAIT_CTX_get_callback(ctx_arg(s), &fn, &arg);
    if (r == 1)
        emit_resultf(s, "1 %s %s", callback_name(fn), space_name(SYM_CBARG, arg));
    else
        emit_resultf(s, "%d", r);
}

/* What an engine does when its operation completes: fetch the callback and call it. */
static void do_call_callback(const stmt_t *s)
{
    ASYNC_callback_fn fn = NULL;
    void *arg = NULL;
    if (ASYNC_WAIT_CTX_get_callback(ctx_arg(s), &fn, &arg) && fn != NULL) {
        g_event_line = s->line;
        emit_resultf(s, "%d", fn(arg));
    } else {
        emit_result(s, "0");
    }
}

static const char *reason_name(unsigned long e)
{
    int reason = ERR_GET_REASON(e);
    if (ERR_GET_LIB(e) == ERR_LIB_ASYNC) {
        switch (reason) {
        case ASYNC_R_FAILED_TO_SET_POOL: return "FAILED_TO_SET_POOL";
        case ASYNC_R_FAILED_TO_SWAP_CONTEXT: return "FAILED_TO_SWAP_CONTEXT";
        case ASYNC_R_INVALID_POOL_SIZE: return "INVALID_POOL_SIZE";
        case ASYNC_R_INIT_FAILED: return "INIT_FAILED";
        default: break;
        }
    }
    /* 3.x packs the fatal/common flags into the reason: compare like with like */
    if (reason == ERR_GET_REASON(ERR_R_INTERNAL_ERROR))
        return "INTERNAL_ERROR";
    if (reason == ERR_GET_REASON(ERR_R_MALLOC_FAILURE))
        return "MALLOC_FAILURE";
    return NULL;
}

static void do_errors(const stmt_t *s)
{
    sb_t sb = { 0 };
    unsigned long e;
    sb_printf(&sb, "[");
    for (int n = 0; (e = ERR_get_error()) != 0; n++) {
        const char *name = reason_name(e);
        if (n > 0)
            sb_printf(&sb, " ");
        if (name != NULL)
            sb_printf(&sb, "%s", name);
        else
            sb_printf(&sb, "%d:%d", ERR_GET_LIB(e), ERR_GET_REASON(e));
    }
    sb_printf(&sb, "]");
    emit_sb(s, &sb);
}

static void do_arg(const stmt_t *s, const void *args)
{
    if (args == NULL)
        emit_result(s, "NULL");
    else /* the bytes up to the first NUL */
        emit_resultf(s, "\"%s\"", (const char *)args);
}

/* Executes one statement (not `return`, which run_body handles). `args` is the running job's
 * argument pointer (NULL at top level). */
static void exec_stmt(const stmt_t *s, const void *args)
{
    switch (s->op) {
    case OP_INIT_THREAD:
        g_event_line = s->line; /* pre-created jobs' stacks */
        emit_resultf(s, "%d", ASYNC_init_thread((size_t)s->num[0], (size_t)s->num[1]));
        break;
    case OP_CLEANUP_THREAD:
        g_event_line = s->line; /* the idle jobs' stacks */
        ASYNC_cleanup_thread();
        forget_idle_jobs(current_thread_index());
        emit_result(s, "ok");
        break;
    case OP_IS_CAPABLE:
        emit_resultf(s, "%d", ASYNC_is_capable());
        break;
    case OP_CTX_NEW: {
        ASYNC_WAIT_CTX *c = ASYNC_WAIT_CTX_new();
        ctx_assign((size_t)s->ctx, c);
        if (c != NULL)
            ptrmap_put(&g_ctx_names, c, s->ctx);
        emit_result(s, "ok");
        break;
    }
    case OP_CTX_FREE:
        do_ctx_free(s);
        break;
    case OP_START:
        g_event_line = s->line; /* a new job's stack */
        do_start(s);
        break;
    case OP_PAUSE: {
        int r = ASYNC_pause_job();
        emit_resultf(s, "%d", r); /* after the resume, on whichever thread resumed the job */
        break;
    }
    case OP_BLOCK_PAUSE:
        ASYNC_block_pause();
        emit_result(s, "ok");
        break;
    case OP_UNBLOCK_PAUSE:
        ASYNC_unblock_pause();
        emit_result(s, "ok");
        break;
    case OP_CURRENT_JOB: {
        ASYNC_JOB *j = ASYNC_get_current_job();
        if (j != NULL)
            emit_resultf(s, "#%d", job_number(j));
        else
            emit_result(s, "NULL");
        break;
    }
    case OP_WAIT_CTX:
        emit_result(s, ctx_name(dot_ctx()));
        break;
    case OP_ARG:
        do_arg(s, args);
        break;
    case OP_RETURN:
        break;
    case OP_SET_WAIT_FD: {
        ASYNC_WAIT_CTX *c = ctx_arg(s);
        int r = ASYNC_WAIT_CTX_set_wait_fd(c, space_ptr(SYM_KEY, s->key), (OSSL_ASYNC_FD)s->num[0],
                                           (void *)space_ptr(SYM_DATA, s->data),
                                           s->cleanup ? record_cleanup : NULL);
        emit_resultf(s, "%d", r);
        break;
    }
    case OP_GET_FD:
        do_get_fd(s);
        break;
    case OP_GET_ALL_FDS:
        do_get_all_fds(s);
        break;
    case OP_GET_CHANGED_FDS:
        do_get_changed_fds(s);
        break;
    case OP_CLEAR_FD: {
        ASYNC_WAIT_CTX *c = ctx_arg(s);
        emit_resultf(s, "%d", ASYNC_WAIT_CTX_clear_fd(c, space_ptr(SYM_KEY, s->key)));
        break;
    }
    case OP_SET_CALLBACK: {
        ASYNC_WAIT_CTX *c = ctx_arg(s);
        int r = ASYNC_WAIT_CTX_set_callback(c, s->cb >= 0 ? cb_tramps[s->cb] : NULL,
                                            (void *)space_ptr(SYM_CBARG, s->cbarg));
        emit_resultf(s, "%d", r);
        break;
    }
    case OP_GET_CALLBACK:
        do_get_callback(s);
        break;
    case OP_CALL_CALLBACK:
        do_call_callback(s);
        break;
    case OP_SET_STATUS: {
        ASYNC_WAIT_CTX *c = ctx_arg(s);
        emit_resultf(s, "%d", ASYNC_WAIT_CTX_set_status(c, s->num[0]));
        break;
    }
    case OP_GET_STATUS:
        emit_resultf(s, "%d", ASYNC_WAIT_CTX_get_status(ctx_arg(s)));
        break;
    case OP_ERRORS:
        do_errors(s);
        break;
    case OP_SET_MEM_FUNCTIONS:
        do_set_mem_functions(s);
        break;
    case OP_GET_MEM_FUNCTIONS:
        do_get_mem_functions(s);
        break;
    }
}

/* The common body of every job function: interpret the scenario function's statements. */
static int run_body(int func, void *args)
{
    const stmt_list_t *body = &g_sc->funcs[func].body;
    int ret = 0; /* a body that reaches `end` returns 0 */
    for (size_t i = 0; i < body->len; i++) {
        if (body->items[i].op == OP_RETURN) {
            ret = body->items[i].num[0];
            break;
        }
        exec_stmt(&body->items[i], args);
    }
    /* lets the FINISHing start know which job object went back to the pool */
    g_returning_job = ASYNC_get_current_job();
    return ret;
}

static void exec_top(void *stmt)
{
    exec_stmt(stmt, NULL);
}

/* ---- driver ------------------------------------------------------------------------------- */

static void runtime_init(const scenario_t *sc)
{
    /* ASYNC_pause_job does not initialise the library: called first in a process it reads the
     * not-yet-created thread-local key 0, i.e. whatever pthread key 0 is (here: ours, from
     * workers_init). Initialising ASYNC first gives it its own key, as any earlier
     * ASYNC_start_job/ASYNC_get_current_job/ASYNC_init_thread call would. */
    if (!OPENSSL_init_crypto(OPENSSL_INIT_ASYNC, NULL)) {
        fputs("asyncref-openssl: OPENSSL_init_crypto failed\n", stderr);
        exit(1);
    }
    g_sc = sc;
    if (sc->profile == PROFILE_32)
        ASYNC_get_mem_functions(&g_default_alloc, &g_default_free);
    g_ctx = xcalloc(sc->syms[SYM_CTX].len, sizeof *g_ctx);
    g_jobs = xcalloc(sc->syms[SYM_JOB].len, sizeof *g_jobs);
    g_space[SYM_KEY] = xcalloc(sc->syms[SYM_KEY].len, 1);
    g_space[SYM_DATA] = xcalloc(sc->syms[SYM_DATA].len, 1);
    g_space[SYM_CBARG] = xcalloc(sc->syms[SYM_CBARG].len, 1);
}

/* After the last statement: contexts still live are freed silently (their cleanups are not
 * scenario events). Paused jobs are simply leaked, as a C program that drops them would. */
static void runtime_free(void)
{
    g_teardown = 1;
    for (size_t i = 0; i < g_sc->syms[SYM_CTX].len; i++)
        if (g_ctx[i].live)
            ASYNC_WAIT_CTX_free(g_ctx[i].ptr);
    free(g_ctx);
    free(g_jobs);
    free(g_ids);
    ptrmap_free(&g_live_ctx);
    ptrmap_free(&g_ctx_names);
    ptrmap_free(&g_id_index);
    free(g_space[SYM_KEY]);
    free(g_space[SYM_DATA]);
    free(g_space[SYM_CBARG]);
}

/* Saturating a * b + c: the budget of a huge file must not wrap round to a small one. */
static unsigned long long mul_add_sat(unsigned long long a, unsigned long long b, unsigned long long c)
{
    unsigned long long r;
    if (__builtin_mul_overflow(a, b, &r) || __builtin_add_overflow(r, c, &r))
        return ~0ULL;
    return r;
}

void scenario_run(const scenario_t *sc)
{
    /* A defined run executes each top-level statement once, and each body at most once per job,
     * and a job needs a top-level start (a nested one that creates a job is undefined). Every
     * executed statement prints one result line, plus at most one event line (a cleanup runs once
     * per fd a set_wait_fd added, a callback once per call_callback). Twice that, with slack. */
    unsigned long long body_lines = 0;
    for (size_t f = 0; f < sc->nfuncs; f++)
        body_lines += sc->funcs[f].body.len;
    g_lines_left = mul_add_sat(2 * ((unsigned long long)sc->main.len + 1), body_lines + 1, 4096);
    if (sc->profile == PROFILE_32) {
        /* Recording stack functions add one event per job created (by a start, or pre-created by an
         * init_thread, each executed at most once per top-level statement) and one per stack freed. */
        unsigned long long runs = (unsigned long long)sc->main.len + 1, stacks = 0;
        for (size_t i = 0; i < sc->main.len; i++)
            stacks = mul_add_sat(1, stacks, sc->main.items[i].op == OP_INIT_THREAD ? (unsigned)sc->main.items[i].num[1] + 1ULL : 1);
        for (size_t f = 0; f < sc->nfuncs; f++)
            for (size_t i = 0; i < sc->funcs[f].body.len; i++)
                if (sc->funcs[f].body.items[i].op == OP_INIT_THREAD)
                    stacks = mul_add_sat(runs, (unsigned)sc->funcs[f].body.items[i].num[1] + 1ULL, stacks);
        g_lines_left = mul_add_sat(2, stacks, g_lines_left);
    }
    runtime_init(sc);
    workers_init(sc->syms[SYM_THREAD].len, sc->syms[SYM_THREAD].names);
    for (size_t i = 0; i < sc->main.len; i++)
        worker_run(sc->main.items[i].thread, exec_top, (void *)&sc->main.items[i]);
    g_teardown = 1; /* the threads' exits free their pools' stacks: not scenario events */
    workers_shutdown();
    runtime_free();
}
