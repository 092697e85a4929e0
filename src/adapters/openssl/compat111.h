/*
 * compat111.h - lets the adapter compile against OpenSSL 1.1.1, which lacks the 3.0 wait-ctx
 * callback and status functions.
 *
 * Under 1.1.1 those statements never run: the parser refuses them in a `profile 1.1.1` scenario,
 * and a `profile 3.0` scenario exits with status 3 before anything runs (main.c). The stand-ins
 * below only keep the interpreter's switch compilable; reaching one is an adapter bug.
 */
#ifndef ASYNCREF_COMPAT111_H
#define ASYNCREF_COMPAT111_H

#include <openssl/async.h>
#include <openssl/opensslv.h>

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#include <stdio.h>
#include <stdlib.h>

typedef int (*ASYNC_callback_fn)(void *arg);

static inline int compat111_unreachable(const char *fn)
{
    fprintf(stderr, "asyncref-openssl: %s does not exist in OpenSSL 1.1.1\n", fn);
    abort();
}
#define ASYNC_WAIT_CTX_set_callback(ctx, fn, arg) ((void)(ctx), (void)(fn), (void)(arg), compat111_unreachable("ASYNC_WAIT_CTX_set_callback"))
#define ASYNC_WAIT_CTX_get_callback(ctx, fn, arg) ((void)(ctx), (void)(fn), (void)(arg), compat111_unreachable("ASYNC_WAIT_CTX_get_callback"))
#define ASYNC_WAIT_CTX_set_status(ctx, st) ((void)(ctx), (void)(st), compat111_unreachable("ASYNC_WAIT_CTX_set_status"))
#define ASYNC_WAIT_CTX_get_status(ctx) ((void)(ctx), compat111_unreachable("ASYNC_WAIT_CTX_get_status"))
#endif

#endif
