/*
 * scenario.h - the parsed form of a v1 scenario file (see spec/scenario-language.md).
 *
 * The parser turns the whole file into this structure before anything runs, so that every
 * parse error is found first. Names are interned per kind; statements refer to them by index.
 */
#ifndef ASYNCREF_SCENARIO_H
#define ASYNCREF_SCENARIO_H

#include <stddef.h>

/* Each job function and each callback name needs its own C function pointer; the interpreter
 * has fixed tables of trampolines of these sizes, so the parser enforces the limits. */
#define MAX_FUNCS 64
#define MAX_CALLBACKS 32
#define MAX_STACK_FUNCS 8 /* stack allocator names, and stack free function names (profile 3.2) */

typedef enum { PROFILE_30, PROFILE_111, PROFILE_32 } profile_t;

/* The input bounds (spec/scenario-language.md, 13), each set by its ASYNCREF_MAX_* variable, with the
 * reference's defaults and messages (ScenarioLimits). */
typedef struct {
    unsigned long long file_bytes, line_bytes; /* checked before parsing (main.c) */
    unsigned long long statements, threads, jobs, contexts; /* checked by the parser */
    unsigned long long log_bytes;              /* checked while the log is printed (interp.c) */
} limits_t;

/* The limits in force: the variables where set (a decimal number in range), the defaults elsewhere. */
void limits_current(limits_t *limits);

typedef enum {
    OP_INIT_THREAD, OP_CLEANUP_THREAD, OP_IS_CAPABLE, OP_CTX_NEW, OP_CTX_FREE, OP_START,
    OP_PAUSE, OP_BLOCK_PAUSE, OP_UNBLOCK_PAUSE, OP_CURRENT_JOB, OP_WAIT_CTX, OP_ARG, OP_RETURN,
    OP_SET_WAIT_FD, OP_GET_FD, OP_GET_ALL_FDS, OP_GET_CHANGED_FDS, OP_CLEAR_FD,
    OP_SET_CALLBACK, OP_GET_CALLBACK, OP_CALL_CALLBACK, OP_SET_STATUS, OP_GET_STATUS, OP_ERRORS,
    OP_SET_MEM_FUNCTIONS, OP_GET_MEM_FUNCTIONS
} opcode_t;

/* A reference to a named symbol is its index (>= 0) or one of these. */
enum { REF_NONE = -1 /* '-' : NULL */, REF_DOT = -2 /* '.' : the running job's wait ctx */,
       REF_DEFAULT = -3 /* 'default' : OpenSSL's own stack function */ };

typedef enum { ARG_NULL, ARG_STRING, ARG_PTR0 } arg_kind_t;

/* Symbol kinds; each has its own namespace. */
typedef enum {
    SYM_CTX, SYM_JOB, SYM_KEY, SYM_DATA, SYM_CB, SYM_CBARG, SYM_THREAD, SYM_SALLOC, SYM_SFREE, SYM_KINDS
} sym_kind_t;

typedef struct {
    int line;            /* physical line number in the file */
    opcode_t op;
    const char *opname;  /* the statement's first word, as printed in the log */
    int thread;          /* logical thread (SYM_THREAD index); top-level statements only */
    int ctx;             /* SYM_CTX index, REF_NONE or REF_DOT */
    int job;             /* SYM_JOB index */
    int func;            /* function index, or REF_NONE ('-': a NULL func) */
    int key, data, cb, cbarg; /* symbol indexes or REF_NONE */
    int salloc, sfree;   /* set_mem_functions: symbol indexes, REF_NONE or REF_DEFAULT */
    int cleanup;         /* set_wait_fd: 1 = the recording cleanup, 0 = NULL */
    int num[2];          /* integer arguments in order of appearance */
    arg_kind_t arg_kind; /* start: the ARG */
    char *arg_text;      /* ARG_STRING: the bytes plus a terminating NUL */
    size_t arg_size;     /* ARG_STRING: length + 1 */
} stmt_t;

typedef struct {
    stmt_t *items;
    size_t len, cap;
} stmt_list_t;

/* Interned names of one kind, in order of first use, with a hash index (open addressing) so that
 * a scenario with very many names still parses in linear time. */
typedef struct {
    char **names;
    size_t *lens;
    size_t len, cap;
    int *slots;    /* name index + 1, or 0 for an empty slot */
    size_t nslots; /* 0 or a power of two, more than twice len */
} name_table_t;

typedef struct {
    char *name;
    int line;
    stmt_list_t body;
} func_t;

typedef struct {
    const char *path;         /* the file name in messages (set by the caller) */
    limits_t limits;
    profile_t profile;
    stmt_list_t main;         /* top-level statements in file order */
    func_t funcs[MAX_FUNCS];
    size_t nfuncs;
    name_table_t syms[SYM_KINDS]; /* SYM_THREAD index 0 is always "main" */
} scenario_t;

/* Parses the whole text. Returns 1 on success; on failure returns 0 and sets *err_line and
 * *err_msg (malloc'd, to be freed by the caller) to the first error in file order. The scenario
 * must be freed either way. */
int scenario_parse(const char *text, size_t len, const limits_t *limits, scenario_t *sc, int *err_line, char **err_msg);

void scenario_free(scenario_t *sc);

/* Runs a parsed scenario against libcrypto, printing the log on stdout. */
void scenario_run(const scenario_t *sc);

#endif
