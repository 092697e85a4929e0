/*
 * compat32.h - lets the adapter compile against OpenSSL before 3.2, which lacks the stack functions
 * ASYNC_set_mem_functions and ASYNC_get_mem_functions.
 *
 * Against those libraries the statements never run: they parse only in a `profile 3.2` scenario, which
 * exits with status 3 before anything runs (main.c). The stand-ins below only keep the interpreter
 * compilable; reaching one is an adapter bug.
 */
#ifndef ASYNCREF_COMPAT32_H
#define ASYNCREF_COMPAT32_H

#include <openssl/async.h>
#include <openssl/opensslv.h>

#if OPENSSL_VERSION_NUMBER < 0x30200000L
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef void *(*ASYNC_stack_alloc_fn)(size_t *num);
typedef void (*ASYNC_stack_free_fn)(void *addr);

static inline int compat32_unreachable(const char *fn)
{
    fprintf(stderr, "asyncref-openssl: %s needs OpenSSL 3.2 or later\n", fn);
    abort();
}
#define ASYNC_set_mem_functions(a, f) ((void)(a), (void)(f), compat32_unreachable("ASYNC_set_mem_functions"))
#define ASYNC_get_mem_functions(a, f) ((void)(a), (void)(f), (void)compat32_unreachable("ASYNC_get_mem_functions"))
#endif

#endif
