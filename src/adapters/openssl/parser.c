/*
 * parser.c - lexer and parser for v1 scenario files (project edition, spec/scenario-language.md).
 *
 * One pass over the lines that builds the statements and stops at the first error in file
 * order. Context names are variables: a name that no `ctx_new` assigns is not a parse error
 * (using it is undefined behaviour at run time, which the interpreter reports).
 */
#include "scenario.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t len;
    int quoted;
} token_t;

typedef struct {
    scenario_t *sc;
    const limits_t *limits;
    unsigned long long statements; /* statements seen so far */
    int line;
    int failed;
    char *msg;                /* the first error (malloc'd), or NULL */
    char *shown;              /* the last token formatted by show() */
    token_t *toks;            /* the current line's tokens (no limit on their number) */
    size_t toks_cap;
    func_t *cur_func;         /* body being parsed, or NULL at top level */
    int seen_statement;       /* a statement (not blank/comment) was seen */
} parser_t;

/* ---- limits ------------------------------------------------------------------------------- */

/* A decimal setting from 1 to max (at most 13 digits), or fallback. */
static unsigned long long setting(const char *variable, unsigned long long max, unsigned long long fallback)
{
    const char *text = getenv(variable);
    if (text == NULL || text[0] == '\0' || strlen(text) > 13)
        return fallback;
    unsigned long long value = 0;
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9')
            return fallback;
        value = value * 10 + (unsigned long long)(*c - '0');
    }
    return value >= 1 && value <= max ? value : fallback;
}

void limits_current(limits_t *l)
{
    const unsigned long long bytes_max = 1ULL << 40, count_max = 1ULL << 30;
    l->file_bytes = setting("ASYNCREF_MAX_FILE_BYTES", bytes_max, 16ULL << 20);
    l->line_bytes = setting("ASYNCREF_MAX_LINE_BYTES", count_max, 64ULL << 10);
    l->statements = setting("ASYNCREF_MAX_STATEMENTS", count_max, 1ULL << 20);
    l->threads = setting("ASYNCREF_MAX_THREADS", count_max, 1ULL << 13);
    l->jobs = setting("ASYNCREF_MAX_JOBS", count_max, 1ULL << 17);
    l->contexts = setting("ASYNCREF_MAX_CONTEXTS", count_max, 1ULL << 20);
    l->log_bytes = setting("ASYNCREF_MAX_LOG_BYTES", bytes_max, 256ULL << 20);
}

/* ---- small utilities ---------------------------------------------------------------------- */

static void out_of_memory(void)
{
    fputs("asyncref-openssl: out of memory\n", stderr);
    abort();
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL)
        out_of_memory();
    return q;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static int fail(parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the error (only the first one counts; the message has no length limit) and returns 0
 * so callers can `return fail(...)`. */
static int fail(parser_t *p, const char *fmt, ...)
{
    if (!p->failed) {
        va_list ap, probe;
        va_start(ap, fmt);
        va_copy(probe, ap);
        int n = vsnprintf(NULL, 0, fmt, probe);
        va_end(probe);
        if (n < 0)
            n = 0;
        p->msg = xrealloc(NULL, (size_t)n + 1);
        vsnprintf(p->msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
        p->failed = p->line;
    }
    return 0;
}

/* A token as messages show it: its bytes, with each control character (0x00-0x1F, 0x7F) written
 * as \xHH, so that a message is always one printable line (spec/scenario-language.md, 1). */
static const char *show(parser_t *p, const token_t *t)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = xrealloc(p->shown, 4 * t->len + 1);
    size_t k = 0;
    for (size_t i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->s[i];
        if (c < 0x20 || c == 0x7F) {
            out[k++] = '\\';
            out[k++] = 'x';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        } else {
            out[k++] = (char)c;
        }
    }
    out[k] = '\0';
    p->shown = out;
    return out;
}

/* FNV-1a. */
static size_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

static int names_find(const name_table_t *t, const char *s, size_t n)
{
    if (t->nslots == 0)
        return -1;
    size_t mask = t->nslots - 1;
    for (size_t h = hash_bytes(s, n) & mask; t->slots[h] != 0; h = (h + 1) & mask) {
        size_t i = (size_t)t->slots[h] - 1;
        if (t->lens[i] == n && memcmp(t->names[i], s, n) == 0)
            return (int)i;
    }
    return -1;
}

static void names_index(name_table_t *t, size_t i)
{
    size_t mask = t->nslots - 1;
    size_t h = hash_bytes(t->names[i], t->lens[i]) & mask;
    while (t->slots[h] != 0)
        h = (h + 1) & mask;
    t->slots[h] = (int)i + 1;
}

static int names_intern(name_table_t *t, const char *s, size_t n)
{
    int found = names_find(t, s, n);
    if (found >= 0)
        return found;
    if (t->len == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->names = xrealloc(t->names, t->cap * sizeof *t->names);
        t->lens = xrealloc(t->lens, t->cap * sizeof *t->lens);
    }
    size_t i = t->len++;
    t->names[i] = xstrndup(s, n);
    t->lens[i] = n;
    if (2 * t->len >= t->nslots) { /* keep the load under one half */
        free(t->slots);
        t->nslots = t->nslots ? 2 * t->nslots : 16;
        t->slots = calloc(t->nslots, sizeof *t->slots);
        if (t->slots == NULL)
            out_of_memory();
        for (size_t k = 0; k < t->len; k++)
            names_index(t, k);
    } else {
        names_index(t, i);
    }
    return (int)i;
}

static void names_free(name_table_t *t)
{
    for (size_t i = 0; i < t->len; i++)
        free(t->names[i]);
    free(t->names);
    free(t->lens);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static stmt_t *stmts_push(stmt_list_t *l)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    stmt_t *s = &l->items[l->len++];
    memset(s, 0, sizeof *s);
    return s;
}

static void stmts_free(stmt_list_t *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i].arg_text);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* ---- lexer -------------------------------------------------------------------------------- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int tok_is(const token_t *t, const char *word)
{
    return !t->quoted && t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

/* Whether s[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), exactly what a strict UTF-8 decoder accepts. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t need;
        unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c == 0xE0) {
            need = 2;
            lo = 0xA0;
        } else if (c == 0xED) {
            need = 2;
            hi = 0x9F;
        } else if (c >= 0xE1 && c <= 0xEF) {
            need = 2;
        } else if (c == 0xF0) {
            need = 3;
            lo = 0x90;
        } else if (c == 0xF4) {
            need = 3;
            hi = 0x8F;
        } else if (c >= 0xF1 && c <= 0xF3) {
            need = 3;
        } else {
            return 0;
        }
        if (n - i - 1 < need || s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= need; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += need + 1;
    }
    return 1;
}

static void push_token(parser_t *p, int n, token_t tok)
{
    if ((size_t)n == p->toks_cap) {
        p->toks_cap = p->toks_cap ? 2 * p->toks_cap : 16;
        p->toks = xrealloc(p->toks, p->toks_cap * sizeof *p->toks);
    }
    p->toks[n] = tok;
}

/* Splits a line into p->toks, dropping the comment. Returns NULL or an error message. A line
 * that is not UTF-8 is an error before anything else is looked at. */
static const char *tokenize(parser_t *p, const char *line, size_t len, int *ntoks)
{
    size_t i = 0;
    int n = 0;
    *ntoks = 0;
    if (!utf8_valid((const unsigned char *)line, len))
        return "the line is not valid UTF-8";
    while (i < len) {
        if (is_blank(line[i])) {
            i++;
            continue;
        }
        if (line[i] == '#')
            break;
        if (line[i] == '"') {
            size_t start = ++i;
            while (i < len && line[i] != '"')
                i++;
            if (i == len)
                return "unterminated string";
            push_token(p, n++, (token_t){ line + start, i - start, 1 });
            i++;
            /* a '#' right after the closing quote starts a comment: the string then ends the line */
            if (i < len && !is_blank(line[i]) && line[i] != '#')
                return "a quoted string must be followed by a blank or the end of the line";
        } else {
            size_t start = i;
            while (i < len && !is_blank(line[i]) && line[i] != '#')
                i++;
            push_token(p, n++, (token_t){ line + start, i - start, 0 });
        }
    }
    *ntoks = n;
    return NULL;
}

static int is_name(const token_t *t)
{
    if (t->quoted || t->len == 0)
        return 0;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->s[i];
        int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return 0;
    }
    return 1;
}

/* Integers are -?[0-9]+ within C int. */
static int parse_int(parser_t *p, const token_t *t, int *out)
{
    size_t i = 0;
    long long v = 0;
    int neg = 0;
    if (!t->quoted && t->len > 0 && t->s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (t->quoted || i == t->len)
        return fail(p, "invalid integer '%s'", show(p, t));
    /* The whole token must be -?[0-9]+ before its value is judged: 99999999999D1 is invalid, not out of range. */
    for (size_t k = i; k < t->len; k++)
        if (t->s[k] < '0' || t->s[k] > '9')
            return fail(p, "invalid integer '%s'", show(p, t));
    for (; i < t->len; i++) {
        v = v * 10 + (t->s[i] - '0');
        if (v > 2147483648LL)
            return fail(p, "integer '%s' out of range", show(p, t));
    }
    if (neg)
        v = -v;
    if (v > 2147483647LL)
        return fail(p, "integer '%s' out of range", show(p, t));
    *out = (int)v;
    return 1;
}

/* ---- statement table ---------------------------------------------------------------------- */

#define F_BODY_ONLY 1u  /* only inside a function body */
#define F_PROFILE30 2u  /* not available under profile 1.1.1 */
#define F_PROFILE32 4u  /* only under profile 3.2 */

/*
 * Argument signature letters:
 *   X ctx name          C ctx, '.' or '-'     c ctx or '.'
 *   J job variable      F defined function or '-'   A start ARG ('-', "text", ptr0)
 *   K key or '-'        D data or '-'         L 'cleanup' or '-'
 *   B callback or '-'   G callback arg or '-'
 *   I integer           N integer >= 0        S status (integer or UNSUPPORTED/ERR/OK/EAGAIN)
 *   M stack allocator, 'default' or '-'       R stack free function, 'default' or '-'
 */
typedef struct {
    const char *name;
    opcode_t op;
    const char *sig;
    unsigned flags;
} op_info_t;

static const op_info_t OPS[] = {
    { "init_thread", OP_INIT_THREAD, "NN", 0 },
    { "cleanup_thread", OP_CLEANUP_THREAD, "", 0 },
    { "is_capable", OP_IS_CAPABLE, "", 0 },
    { "ctx_new", OP_CTX_NEW, "X", 0 },
    { "ctx_free", OP_CTX_FREE, "C", 0 },
    { "start", OP_START, "JCFA", 0 },
    { "pause", OP_PAUSE, "", 0 },
    { "block_pause", OP_BLOCK_PAUSE, "", 0 },
    { "unblock_pause", OP_UNBLOCK_PAUSE, "", 0 },
    { "current_job", OP_CURRENT_JOB, "", 0 },
    { "wait_ctx", OP_WAIT_CTX, "", F_BODY_ONLY },
    { "arg", OP_ARG, "", F_BODY_ONLY },
    { "return", OP_RETURN, "I", F_BODY_ONLY },
    { "set_wait_fd", OP_SET_WAIT_FD, "cKIDL", 0 },
    { "get_fd", OP_GET_FD, "cK", 0 },
    { "get_all_fds", OP_GET_ALL_FDS, "c", 0 },
    { "get_changed_fds", OP_GET_CHANGED_FDS, "c", 0 },
    { "clear_fd", OP_CLEAR_FD, "cK", 0 },
    { "set_callback", OP_SET_CALLBACK, "CBG", F_PROFILE30 },
    { "get_callback", OP_GET_CALLBACK, "c", F_PROFILE30 },
    { "call_callback", OP_CALL_CALLBACK, "c", F_PROFILE30 },
    { "set_status", OP_SET_STATUS, "cS", F_PROFILE30 },
    { "get_status", OP_GET_STATUS, "c", F_PROFILE30 },
    { "errors", OP_ERRORS, "", 0 },
    { "set_mem_functions", OP_SET_MEM_FUNCTIONS, "MR", F_PROFILE32 },
    { "get_mem_functions", OP_GET_MEM_FUNCTIONS, "", F_PROFILE32 },
};

static const op_info_t *find_op(const token_t *t)
{
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (tok_is(t, OPS[i].name))
            return &OPS[i];
    return NULL;
}

/* ---- arguments ---------------------------------------------------------------------------- */

/* A name, or '-' (REF_NONE) when allow_none. Interned in the given namespace. `what` names the
 * kind in messages. */
static int parse_sym(parser_t *p, const token_t *t, sym_kind_t kind, int allow_none, const char *what,
                     int *out)
{
    if (tok_is(t, "-")) {
        if (!allow_none)
            return fail(p, "'-' is not allowed here: a %s is required", what);
        *out = REF_NONE;
        return 1;
    }
    if (tok_is(t, "."))
        return fail(p, "'.' is not allowed here: a %s is required", what);
    if (!is_name(t))
        return fail(p, "invalid %s name '%s'", what, show(p, t));
    if (kind == SYM_CB && names_find(&p->sc->syms[SYM_CB], t->s, t->len) < 0 &&
        p->sc->syms[SYM_CB].len >= MAX_CALLBACKS)
        return fail(p, "too many callback names (at most %d)", MAX_CALLBACKS);
    if ((kind == SYM_SALLOC || kind == SYM_SFREE) && names_find(&p->sc->syms[kind], t->s, t->len) < 0 &&
        p->sc->syms[kind].len >= MAX_STACK_FUNCS)
        return fail(p, "too many %s names (at most %d)", what, MAX_STACK_FUNCS);
    if (kind == SYM_JOB && names_find(&p->sc->syms[SYM_JOB], t->s, t->len) < 0 &&
        p->sc->syms[SYM_JOB].len >= p->limits->jobs)
        return fail(p, "more than %llu job variables (the limit, set by ASYNCREF_MAX_JOBS)", p->limits->jobs);
    *out = names_intern(&p->sc->syms[kind], t->s, t->len);
    return 1;
}

/* A wait-context argument: a name, '.' (in a body) or '-'. */
static int parse_ctx(parser_t *p, const token_t *t, int allow_dot, int allow_none, int *out)
{
    if (tok_is(t, ".")) {
        if (p->cur_func == NULL)
            return fail(p, "'.' is only allowed inside a function body");
        if (!allow_dot)
            return fail(p, "'.' is not allowed here: a context name is required");
        *out = REF_DOT;
        return 1;
    }
    if (tok_is(t, "-")) {
        if (!allow_none)
            return fail(p, "'-' is not allowed here: a context is required");
        *out = REF_NONE;
        return 1;
    }
    if (!is_name(t))
        return fail(p, "invalid context name '%s'", show(p, t));
    if (names_find(&p->sc->syms[SYM_CTX], t->s, t->len) < 0 && p->sc->syms[SYM_CTX].len >= p->limits->contexts)
        return fail(p, "more than %llu context variables (the limit, set by ASYNCREF_MAX_CONTEXTS)", p->limits->contexts);
    *out = names_intern(&p->sc->syms[SYM_CTX], t->s, t->len);
    return 1;
}

/* A defined function, or '-' (REF_NONE): ASYNC_start_job with a NULL func. */
static int parse_func_ref(parser_t *p, const token_t *t, int *out)
{
    if (tok_is(t, "-")) {
        *out = REF_NONE;
        return 1;
    }
    if (tok_is(t, "."))
        return fail(p, "'.' is not allowed here: a function is required");
    if (!is_name(t))
        return fail(p, "invalid function name '%s'", show(p, t));
    for (size_t i = 0; i < p->sc->nfuncs; i++) {
        const char *n = p->sc->funcs[i].name;
        if (strlen(n) == t->len && memcmp(n, t->s, t->len) == 0) {
            *out = (int)i;
            return 1;
        }
    }
    return fail(p, "function '%s' is not defined above this line", show(p, t));
}

static int parse_start_arg(parser_t *p, const token_t *t, stmt_t *s)
{
    if (t->quoted) {
        s->arg_kind = ARG_STRING;
        s->arg_text = xstrndup(t->s, t->len);
        s->arg_size = t->len + 1;
    } else if (tok_is(t, "-")) {
        s->arg_kind = ARG_NULL;
    } else if (tok_is(t, "ptr0")) {
        s->arg_kind = ARG_PTR0;
    } else {
        return fail(p, "invalid job argument '%s': expected -, ptr0 or a quoted string", show(p, t));
    }
    return 1;
}

static int parse_status(parser_t *p, const token_t *t, int *out)
{
    static const char *const names[] = { "UNSUPPORTED", "ERR", "OK", "EAGAIN" };
    for (int i = 0; i < 4; i++) {
        if (tok_is(t, names[i])) {
            *out = i; /* ASYNC_STATUS_UNSUPPORTED .. ASYNC_STATUS_EAGAIN are 0..3 */
            return 1;
        }
    }
    int c = t->len > 0 ? t->s[0] : 0;
    if (c != '-' && (c < '0' || c > '9'))
        return fail(p, "invalid status '%s': expected an integer, UNSUPPORTED, ERR, OK or EAGAIN",
                    show(p, t));
    return parse_int(p, t, out);
}

static int parse_arg(parser_t *p, char kind, const token_t *t, stmt_t *s, int *nints)
{
    if (t->quoted && kind != 'A')
        return fail(p, "unexpected quoted string: only the job argument of start may be quoted");
    switch (kind) {
    case 'X': return parse_ctx(p, t, 0, 0, &s->ctx);
    case 'C': return parse_ctx(p, t, 1, 1, &s->ctx);
    case 'c': return parse_ctx(p, t, 1, 0, &s->ctx);
    case 'J': return parse_sym(p, t, SYM_JOB, 0, "job variable", &s->job);
    case 'F': return parse_func_ref(p, t, &s->func);
    case 'A': return parse_start_arg(p, t, s);
    case 'K': return parse_sym(p, t, SYM_KEY, 1, "key", &s->key);
    case 'D': return parse_sym(p, t, SYM_DATA, 1, "data", &s->data);
    case 'B': return parse_sym(p, t, SYM_CB, 1, "callback", &s->cb);
    case 'G': return parse_sym(p, t, SYM_CBARG, 1, "callback arg", &s->cbarg);
    case 'L':
        if (tok_is(t, "cleanup") || tok_is(t, "-")) {
            s->cleanup = tok_is(t, "cleanup");
            return 1;
        }
        return fail(p, "invalid cleanup '%s': expected cleanup or -", show(p, t));
    case 'S': return parse_status(p, t, &s->num[(*nints)++]);
    case 'M':
    case 'R': {
        int *out = kind == 'M' ? &s->salloc : &s->sfree;
        if (tok_is(t, "default")) {
            *out = REF_DEFAULT;
            return 1;
        }
        return parse_sym(p, t, kind == 'M' ? SYM_SALLOC : SYM_SFREE, 1,
                         kind == 'M' ? "stack allocator" : "stack free function", out);
    }
    case 'I': return parse_int(p, t, &s->num[(*nints)++]);
    case 'N':
        if (!parse_int(p, t, &s->num[*nints]))
            return 0;
        if (s->num[(*nints)++] < 0)
            return fail(p, "size '%s' must not be negative", show(p, t));
        return 1;
    default:
        return fail(p, "internal error: bad signature");
    }
}

/* ---- statements --------------------------------------------------------------------------- */

static int parse_profile(parser_t *p, const token_t *toks, int ntoks, int prefixed, int first)
{
    if (prefixed)
        return fail(p, "profile cannot run on a thread");
    if (!first)
        return fail(p, "profile must be the first statement");
    if (ntoks != 2)
        return fail(p, "profile expects 1 argument, got %d", ntoks - 1);
    if (tok_is(&toks[1], "3.0"))
        p->sc->profile = PROFILE_30;
    else if (tok_is(&toks[1], "3.2"))
        p->sc->profile = PROFILE_32;
    else if (tok_is(&toks[1], "1.1.1"))
        p->sc->profile = PROFILE_111;
    else
        return fail(p, "unknown profile '%s': expected 3.0, 3.2 or 1.1.1", show(p, &toks[1]));
    return 1;
}

static int parse_func(parser_t *p, const token_t *toks, int ntoks, int prefixed)
{
    scenario_t *sc = p->sc;
    if (prefixed)
        return fail(p, "func cannot run on a thread: it is a definition");
    if (p->cur_func != NULL)
        return fail(p, "func inside func '%s' (functions do not nest)", p->cur_func->name);
    if (ntoks != 2)
        return fail(p, "func expects 1 argument, got %d", ntoks - 1);
    if (!is_name(&toks[1]))
        return fail(p, "invalid function name '%s'", show(p, &toks[1]));
    for (size_t i = 0; i < sc->nfuncs; i++)
        if (strlen(sc->funcs[i].name) == toks[1].len &&
            memcmp(sc->funcs[i].name, toks[1].s, toks[1].len) == 0)
            return fail(p, "function '%s' is already defined at line %d", sc->funcs[i].name,
                        sc->funcs[i].line);
    if (sc->nfuncs == MAX_FUNCS)
        return fail(p, "too many functions (at most %d)", MAX_FUNCS);
    func_t *f = &sc->funcs[sc->nfuncs++];
    f->name = xstrndup(toks[1].s, toks[1].len);
    f->line = p->line;
    p->cur_func = f;
    return 1;
}

static int parse_end(parser_t *p, int ntoks, int prefixed)
{
    if (prefixed)
        return fail(p, "end cannot run on a thread");
    if (p->cur_func == NULL)
        return fail(p, "end without func");
    if (ntoks != 1)
        return fail(p, "end expects no arguments, got %d", ntoks - 1);
    p->cur_func = NULL;
    return 1;
}

static int parse_call(parser_t *p, const token_t *toks, int ntoks, int thread)
{
    const op_info_t *op = find_op(&toks[0]);
    if (op == NULL)
        return fail(p, "unknown statement '%s'", show(p, &toks[0]));
    if ((op->flags & F_BODY_ONLY) && p->cur_func == NULL)
        return fail(p, "%s is only allowed inside a function body", op->name);
    if ((op->flags & F_PROFILE30) && p->sc->profile == PROFILE_111)
        return fail(p, "%s is not available in profile 1.1.1", op->name);
    if ((op->flags & F_PROFILE32) && p->sc->profile != PROFILE_32)
        return fail(p, "%s is not available in profile %s: it needs profile 3.2", op->name,
                    p->sc->profile == PROFILE_111 ? "1.1.1" : "3.0");
    int want = (int)strlen(op->sig);
    if (ntoks - 1 != want && want == 0)
        return fail(p, "%s expects no arguments, got %d", op->name, ntoks - 1);
    if (ntoks - 1 != want)
        return fail(p, "%s expects %d argument%s, got %d", op->name, want, want == 1 ? "" : "s",
                    ntoks - 1);
    stmt_t *s = stmts_push(p->cur_func ? &p->cur_func->body : &p->sc->main);
    s->line = p->line;
    s->op = op->op;
    s->opname = op->name;
    s->thread = thread;
    s->ctx = s->key = s->data = s->cb = s->cbarg = s->salloc = s->sfree = REF_NONE;
    s->job = s->func = -1;
    int nints = 0;
    for (int i = 0; i < want; i++)
        if (!parse_arg(p, op->sig[i], &toks[i + 1], s, &nints))
            return 0;
    return 1;
}

static int parse_line(parser_t *p, const char *line, size_t len)
{
    int ntoks;
    const char *err = tokenize(p, line, len, &ntoks);
    if (err != NULL)
        return fail(p, "%s", err);
    if (ntoks == 0)
        return 1;
    if (++p->statements > p->limits->statements)
        return fail(p, "more than %llu statements (the limit, set by ASYNCREF_MAX_STATEMENTS)", p->limits->statements);
    int first = !p->seen_statement;
    p->seen_statement = 1;

    int thread = 0; /* "main" */
    const token_t *t = p->toks;
    int prefixed = !t->quoted && t->len > 0 && t->s[0] == '@';
    if (prefixed) {
        token_t name = { t->s + 1, t->len - 1, 0 };
        if (p->cur_func != NULL)
            return fail(p, "@THREAD is not allowed inside a function body");
        if (!is_name(&name))
            return fail(p, "invalid thread name '%s'", show(p, t));
        if (ntoks == 1)
            return fail(p, "missing statement after '%s'", show(p, t));
        if (names_find(&p->sc->syms[SYM_THREAD], name.s, name.len) < 0 && p->sc->syms[SYM_THREAD].len >= p->limits->threads)
            return fail(p, "more than %llu logical threads (the limit, set by ASYNCREF_MAX_THREADS)", p->limits->threads);
        thread = names_intern(&p->sc->syms[SYM_THREAD], name.s, name.len);
        t++;
        ntoks--;
    }
    if (tok_is(t, "profile"))
        return parse_profile(p, t, ntoks, prefixed, first);
    if (tok_is(t, "func"))
        return parse_func(p, t, ntoks, prefixed);
    if (tok_is(t, "end"))
        return parse_end(p, ntoks, prefixed);
    return parse_call(p, t, ntoks, thread);
}

/* ---- driver ------------------------------------------------------------------------------- */

/* Iterates over physical lines; a CR before the LF is dropped (files edited on Windows). */
static int next_line(const char **cur, const char *end, const char **line, size_t *len)
{
    if (*cur >= end)
        return 0;
    const char *nl = memchr(*cur, '\n', (size_t)(end - *cur));
    const char *stop = nl ? nl : end;
    *line = *cur;
    *len = (size_t)(stop - *cur);
    if (*len > 0 && (*line)[*len - 1] == '\r')
        (*len)--;
    *cur = nl ? nl + 1 : end;
    return 1;
}

int scenario_parse(const char *text, size_t len, const limits_t *limits, scenario_t *sc, int *err_line, char **err_msg)
{
    const char *end = text + len;
    parser_t p;
    memset(sc, 0, sizeof *sc);
    memset(&p, 0, sizeof p);
    p.sc = sc;
    p.limits = limits;
    sc->limits = *limits;
    sc->profile = PROFILE_30;
    names_intern(&sc->syms[SYM_THREAD], "main", 4);

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3; /* a UTF-8 byte-order mark is not part of the first line */

    const char *cur = text, *line;
    size_t llen;
    while (!p.failed && next_line(&cur, end, &line, &llen)) {
        p.line++;
        parse_line(&p, line, llen);
    }
    if (!p.failed && p.cur_func != NULL) {
        p.line = p.cur_func->line;
        fail(&p, "func '%s' is not terminated by end", p.cur_func->name);
    }
    free(p.toks);
    free(p.shown);
    *err_line = p.failed;
    *err_msg = p.msg;
    return !p.failed;
}

void scenario_free(scenario_t *sc)
{
    stmts_free(&sc->main);
    for (size_t i = 0; i < sc->nfuncs; i++) {
        free(sc->funcs[i].name);
        stmts_free(&sc->funcs[i].body);
    }
    for (int k = 0; k < SYM_KINDS; k++)
        names_free(&sc->syms[k]);
    memset(sc, 0, sizeof *sc);
}
