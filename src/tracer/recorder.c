/*
 * Per-thread record buffers and the flusher.
 *
 * Each thread appends records to its own buffer under its own (uncontended) lock and takes the global sequence
 * number inside that critical section. The flusher holds every buffer's lock at once, so every sequence number
 * issued so far sits in some buffer and none is issued meanwhile: a k-way merge of the buffers is a gap-free run
 * of sequence numbers, and the file as a whole is in sequence order. A reader therefore streams it in bounded
 * memory and detects loss or reordering by the sequence number alone.
 */
#define _GNU_SOURCE
#include "recorder.h"
#include "trace_format.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define THREAD_BUFFER_BYTES (512u * 1024u)
#define CHUNK_BYTES (64u * 1024u)
#define MAX_RECORD_VALUES 4000u
#define MAX_MODULES 512

struct thread_buffer {
    atomic_int busy; /* the buffer's lock: its thread appends, the flusher merges; a flag rather than a mutex, as it
                        is taken twice per call and almost never contended */
    uint32_t id;
    uint32_t used;
    uint32_t merge_pos;
    int retired; /* the thread exited; the buffer is reused once flushed */
    struct thread_buffer *next;
    unsigned char data[THREAD_BUFFER_BYTES];
};

static int g_fd = -1;
static int g_wanted;
static int g_closed;
static pthread_once_t g_open_once = PTHREAD_ONCE_INIT;
static atomic_int g_opened; /* open_trace has run to its end: the per-record path skips pthread_once */
static char g_path[4096];
static atomic_uint_fast64_t g_seq;
static uint32_t g_next_thread_id;
static pthread_mutex_t g_flush_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread_buffer *g_buffers;
static pthread_key_t g_exit_key;
static unsigned char g_chunk[TRACE_CHUNK_HEADER_SIZE + CHUNK_BYTES];
static uint32_t g_chunk_used;
static uint32_t g_chunk_records;
static uint64_t g_modules[MAX_MODULES]; /* start addresses of the modules already written */
static int g_module_count;
static struct sigaction g_old_actions[32];
static const int k_fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

static void open_trace(void);

static void buffer_lock(struct thread_buffer *b)
{
    while (atomic_exchange_explicit(&b->busy, 1, memory_order_acquire) != 0)
        sched_yield();
}

static void buffer_unlock(struct thread_buffer *b) { atomic_store_explicit(&b->busy, 0, memory_order_release); }

static TRACER_TLS struct thread_buffer *t_buffer;

int recorder_enabled(void) { return g_wanted && !g_closed; }

/* CRC-32C (Castagnoli) of a chunk payload, which is a whole number of 64-bit words. The SSE4.2 instruction does 8
 * bytes in a few cycles (a table CRC cost a third of the traced program's time); the table is the fallback for
 * other processors. Both are async-signal-safe. */
static uint32_t g_crc32c_table[256];
static int g_has_sse42;

static void crc32c_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        g_crc32c_table[i] = c;
    }
#if defined(__x86_64__)
    g_has_sse42 = __builtin_cpu_supports("sse4.2");
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(const unsigned char *p, size_t n)
{
    uint64_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t word;
        memcpy(&word, p + i, 8);
        c = __builtin_ia32_crc32di(c, word);
    }
    return (uint32_t)c ^ 0xFFFFFFFFu;
}
#endif

static uint32_t crc32c(const unsigned char *p, size_t n)
{
#if defined(__x86_64__)
    if (g_has_sse42)
        return crc32c_sse42(p, n);
#endif
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        c = g_crc32c_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static void put_u16(unsigned char *p, uint16_t v) { memcpy(p, &v, 2); }
static void put_u32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_u64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/* write(2) until done: async-signal-safe, so the fatal-signal path can use it. */
static void write_all(const unsigned char *p, size_t n)
{
    while (n > 0 && g_fd >= 0) {
        ssize_t w = write(g_fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void chunk_write(void)
{
    if (g_chunk_records == 0)
        return;
    put_u32(g_chunk, TRACE_CHUNK_MAGIC);
    put_u32(g_chunk + 4, g_chunk_used);
    put_u32(g_chunk + 8, g_chunk_records);
    put_u32(g_chunk + 12, crc32c(g_chunk + TRACE_CHUNK_HEADER_SIZE, g_chunk_used));
    write_all(g_chunk, TRACE_CHUNK_HEADER_SIZE + g_chunk_used);
    g_chunk_used = 0;
    g_chunk_records = 0;
}

static void chunk_append(const unsigned char *record, uint32_t size)
{
    if (g_chunk_used + size > CHUNK_BYTES)
        chunk_write();
    memcpy(g_chunk + TRACE_CHUNK_HEADER_SIZE + g_chunk_used, record, size);
    g_chunk_used += size;
    g_chunk_records++;
}

static uint32_t encode(unsigned char *out, uint8_t kind, uint8_t fn, uint32_t thread, uint64_t seq,
                       const uint64_t *values, size_t count)
{
    out[0] = kind;
    out[1] = fn;
    put_u16(out + 2, (uint16_t)count);
    put_u32(out + 4, thread);
    put_u64(out + 8, seq);
    for (size_t i = 0; i < count; i++)
        put_u64(out + TRACE_RECORD_HEADER_SIZE + 8 * i, values[i]);
    return (uint32_t)(TRACE_RECORD_HEADER_SIZE + 8 * count);
}

/* A metadata record written by the flusher itself (it holds every buffer lock, so its seq is the next one). */
static void chunk_meta(uint8_t kind, const uint64_t *values, size_t count)
{
    static unsigned char record[TRACE_RECORD_HEADER_SIZE + 8 * 600];
    uint64_t seq = atomic_fetch_add(&g_seq, 1);
    chunk_append(record, encode(record, kind, 0, TRACE_META_THREAD, seq, values, count));
}

/* A string as a metadata value list: its length in bytes, then the bytes packed 8 to a value. */
static void chunk_meta_string(uint8_t kind, const uint64_t *prefix, size_t prefix_count, const char *s, size_t len)
{
    uint64_t values[600];
    if (len > 8 * (600 - prefix_count - 1))
        len = 8 * (600 - prefix_count - 1);
    memcpy(values, prefix, prefix_count * sizeof(uint64_t));
    values[prefix_count] = len;
    size_t words = (len + 7) / 8;
    memset(values + prefix_count + 1, 0, words * 8);
    memcpy(values + prefix_count + 1, s, len);
    chunk_meta(kind, values, prefix_count + 1 + words);
}

static uint64_t parse_hex(const char **p)
{
    uint64_t v = 0;
    for (;; (*p)++) {
        char c = **p;
        if (c >= '0' && c <= '9') v = v * 16 + (uint64_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v = v * 16 + (uint64_t)(c - 'a' + 10);
        else return v;
    }
}

/* Executable file mappings not written yet, one MODULE record each (for call-site symbolisation). open/read are
 * async-signal-safe, so this also runs on the fatal-signal path. */
static void chunk_modules(void)
{
    static char maps[64 * 1024];
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, maps + n, sizeof maps - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    maps[n] = 0;
    for (const char *line = maps; *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        const char *p = line;
        uint64_t start = parse_hex(&p);
        p++;
        uint64_t stop = parse_hex(&p);
        p++;
        int exec = p[2] == 'x';
        p += 5;
        uint64_t offset = parse_hex(&p);
        const char *path = memchr(line, '/', (size_t)(end - line));
        int known = 0;
        for (int i = 0; i < g_module_count; i++)
            known |= g_modules[i] == start;
        if (exec && path && !known && g_module_count < MAX_MODULES) {
            g_modules[g_module_count++] = start;
            uint64_t prefix[3] = { start, stop, offset };
            chunk_meta_string(TK_MODULE, prefix, 3, path, (size_t)(end - path));
        }
        line = *end ? end + 1 : end;
    }
}

static uint64_t record_seq(const unsigned char *record) { uint64_t v; memcpy(&v, record + 8, 8); return v; }
static uint32_t record_size(const unsigned char *record) { uint16_t n; memcpy(&n, record + 2, 2); return TRACE_RECORD_HEADER_SIZE + 8u * n; }

static int note_load_count(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(unsigned long long *)data = info->dlpi_adds;
    return 1; /* the counter is the same in every entry: one is enough */
}

/* Whether objects were loaded since the last call: dl_iterate_phdr's load counter, so a flush rereads
 * /proc/self/maps only after a dlopen (and the first time), not at every buffer-full flush. Called before the
 * flusher takes any lock, as it takes the loader's lock. */
static int modules_may_have_changed(void)
{
    static _Atomic unsigned long long seen_adds = ~0ull;
    unsigned long long adds = 0;
    dl_iterate_phdr(note_load_count, &adds);
    return atomic_exchange(&seen_adds, adds) != adds;
}

/* Writes one buffer's records as chunks straight from the buffer (no copy): header and payload in one writev. */
static void write_buffer_as_chunks(const struct thread_buffer *b)
{
    uint32_t pos = 0;
    while (pos < b->used) {
        uint32_t start = pos, records = 0;
        while (pos < b->used && pos - start + record_size(b->data + pos) <= CHUNK_BYTES) {
            pos += record_size(b->data + pos);
            records++;
        }
        unsigned char header[TRACE_CHUNK_HEADER_SIZE];
        put_u32(header, TRACE_CHUNK_MAGIC);
        put_u32(header + 4, pos - start);
        put_u32(header + 8, records);
        put_u32(header + 12, crc32c(b->data + start, pos - start));
        struct iovec parts[2] = { { header, sizeof header }, { (void *)(b->data + start), pos - start } };
        size_t left = sizeof header + (pos - start);
        while (left > 0 && g_fd >= 0) {
            ssize_t w = writev(g_fd, parts, 2);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return;
            }
            /* A short write: finish the rest with plain writes. */
            left -= (size_t)w;
            if (left > 0) {
                size_t done = (size_t)w;
                if (done < sizeof header) {
                    write_all(header + done, sizeof header - done);
                    done = sizeof header;
                }
                write_all(b->data + start + (done - sizeof header), (pos - start) - (done - sizeof header));
                left = 0;
            }
        }
    }
}

/* Merges every buffer into the file. Caller holds g_flush_lock and every buffer lock. */
static void merge_locked(int with_modules)
{
    struct thread_buffer *only = NULL;
    int filled = 0;
    for (struct thread_buffer *b = g_buffers; b; b = b->next) {
        b->merge_pos = 0;
        if (b->used > 0) {
            only = b;
            filled++;
        }
    }
    if (filled == 1) {
        /* One thread recorded since the last flush (the common case): its buffer is already in sequence order. */
        chunk_write();
        write_buffer_as_chunks(only);
        only->merge_pos = only->used;
    }
    for (;;) {
        struct thread_buffer *best = NULL;
        uint64_t best_seq = 0;
        for (struct thread_buffer *b = g_buffers; b; b = b->next) {
            if (b->merge_pos >= b->used)
                continue;
            uint64_t s = record_seq(b->data + b->merge_pos);
            if (!best || s < best_seq) {
                best = b;
                best_seq = s;
            }
        }
        if (!best)
            break;
        uint32_t size = record_size(best->data + best->merge_pos);
        chunk_append(best->data + best->merge_pos, size);
        best->merge_pos += size;
    }
    for (struct thread_buffer *b = g_buffers; b; b = b->next)
        b->used = 0;
    if (with_modules)
        chunk_modules();
}

static void flush_all(int with_modules, int final)
{
    with_modules = with_modules && modules_may_have_changed();
    pthread_mutex_lock(&g_flush_lock);
    pthread_mutex_lock(&g_list_lock);
    for (struct thread_buffer *b = g_buffers; b; b = b->next)
        buffer_lock(b);
    if (!g_closed && g_fd >= 0) {
        merge_locked(with_modules);
        if (final) {
            uint64_t total = atomic_load(&g_seq) + 1; /* records in the file, this END included */
            chunk_meta(TK_END, &total, 1);
            g_closed = 1;
        }
        chunk_write();
    }
    for (struct thread_buffer *b = g_buffers; b; b = b->next)
        buffer_unlock(b);
    pthread_mutex_unlock(&g_list_lock);
    pthread_mutex_unlock(&g_flush_lock);
}

/* Fatal signal: write what the buffers hold (try-locks only: the crashing thread may hold one), then die as the
 * program would have without the tracer. */
static void on_fatal_signal(int sig)
{
    if (pthread_mutex_trylock(&g_flush_lock) == 0) {
        if (pthread_mutex_trylock(&g_list_lock) == 0) {
            int locked = 1;
            struct thread_buffer *b;
            for (b = g_buffers; b; b = b->next) {
                if (atomic_exchange_explicit(&b->busy, 1, memory_order_acquire) != 0) {
                    locked = 0;
                    break;
                }
            }
            if (locked && !g_closed && g_fd >= 0) {
                merge_locked(1);
                chunk_write();
                g_closed = 1;
            }
            for (struct thread_buffer *u = g_buffers; u != b; u = u->next)
                buffer_unlock(u);
        }
    }
    sigaction(sig, &g_old_actions[sig], NULL);
    raise(sig);
}

static void on_thread_exit(void *arg)
{
    struct thread_buffer *b = arg;
    flush_all(0, 0);
    pthread_mutex_lock(&g_list_lock);
    b->retired = 1;
    pthread_mutex_unlock(&g_list_lock);
}

static struct thread_buffer *thread_buffer(void)
{
    struct thread_buffer *b = t_buffer;
    if (b)
        return b;
    pthread_mutex_lock(&g_list_lock);
    for (b = g_buffers; b; b = b->next)
        if (b->retired && b->used == 0)
            break;
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b) {
            pthread_mutex_unlock(&g_list_lock);
            return NULL;
        }
        b->next = g_buffers;
        g_buffers = b;
    }
    b->retired = 0;
    b->id = g_next_thread_id++;
    pthread_mutex_unlock(&g_list_lock);
    t_buffer = b;
    pthread_setspecific(g_exit_key, b);
    uint64_t tid = (uint64_t)gettid();
    recorder_emit(TK_THREAD, 0, &tid, 1);
    return b;
}

void recorder_emit(uint8_t kind, uint8_t fn, const uint64_t *values, size_t count)
{
    if (!recorder_enabled())
        return;
    if (!atomic_load_explicit(&g_opened, memory_order_acquire)) {
        pthread_once(&g_open_once, open_trace);
        if (g_fd < 0)
            return;
    }
    struct thread_buffer *b = thread_buffer();
    if (!b)
        return;
    if (count > MAX_RECORD_VALUES)
        count = MAX_RECORD_VALUES;
    uint32_t size = (uint32_t)(TRACE_RECORD_HEADER_SIZE + 8 * count);
    buffer_lock(b);
    if (b->used + size > THREAD_BUFFER_BYTES) {
        buffer_unlock(b);
        flush_all(1, 0);
        buffer_lock(b);
    }
    uint64_t seq = atomic_fetch_add(&g_seq, 1);
    b->used += encode(b->data + b->used, kind, fn, b->id, seq, values, count);
    buffer_unlock(b);
}

/* A forked child must not append to the parent's file: it runs untraced. */
static void on_fork_child(void)
{
    g_closed = 1;
    g_fd = -1;
}

/* Opened at the first record, not at load: a process that makes no ASYNC call (a wrapper such as timeout(1),
 * which passes LD_PRELOAD on to the program it runs) leaves no trace and truncates nobody's. */
static void open_trace(void)
{
    g_fd = open(g_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (g_fd < 0) {
        g_wanted = 0;
        return;
    }
    pthread_key_create(&g_exit_key, on_thread_exit);

    unsigned char header[TRACE_HEADER_SIZE] = { 0 };
    memcpy(header, TRACE_MAGIC, 8);
    put_u16(header + 8, TRACE_VERSION_MAJOR);
    put_u16(header + 10, TRACE_VERSION_MINOR);
    put_u32(header + 12, TRACE_HEADER_SIZE);
    put_u32(header + 16, (uint32_t)getpid());
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    put_u64(header + 24, (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec);
    write_all(header, sizeof header);

    /* The command line, NULs turned into spaces. */
    char cmdline[2048];
    size_t n = 0;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t r = read(fd, cmdline, sizeof cmdline);
        n = r > 0 ? (size_t)r : 0;
        close(fd);
    }
    while (n > 0 && cmdline[n - 1] == 0)
        n--;
    for (size_t i = 0; i < n; i++)
        if (cmdline[i] == 0)
            cmdline[i] = ' ';
    pthread_mutex_lock(&g_flush_lock);
    chunk_meta_string(TK_PROGRAM, NULL, 0, cmdline, n);
    chunk_write();
    pthread_mutex_unlock(&g_flush_lock);

    for (size_t i = 0; i < sizeof k_fatal_signals / sizeof k_fatal_signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_fatal_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_NODEFER;
        sigaction(k_fatal_signals[i], &action, &g_old_actions[k_fatal_signals[i]]);
    }
    atomic_store_explicit(&g_opened, 1, memory_order_release);
}

/* ASYNCREF_TRACE=FILE; "%p" in FILE is replaced by the process id (one file per process of a forking program). */
__attribute__((constructor)) static void recorder_init(void)
{
    const char *path = getenv("ASYNCREF_TRACE");
    if (!path || !*path)
        return;
    size_t n = 0;
    for (const char *p = path; *p && n + 24 < sizeof g_path; p++) {
        if (p[0] == '%' && p[1] == 'p') {
            char pid[16];
            int len = snprintf(pid, sizeof pid, "%d", (int)getpid());
            memcpy(g_path + n, pid, (size_t)len);
            n += (size_t)len;
            p++;
        } else {
            g_path[n++] = *p;
        }
    }
    g_path[n] = 0;
    crc32c_init();
    pthread_atfork(NULL, NULL, on_fork_child);
    g_wanted = 1;
}

/* Runs after the program's atexit handlers (OpenSSL's cleanup included). */
__attribute__((destructor)) static void recorder_fini(void)
{
    if (g_fd < 0 || g_closed)
        return;
    flush_all(1, 1);
    close(g_fd);
}
