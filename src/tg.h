/*
 * tg.h — the few definitions every tailgate file shares: error codes, the
 * nanosecond time type, and small helper macros. Nothing here allocates.
 */
#ifndef TG_H
#define TG_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic time or a duration, in nanoseconds. */
typedef int64_t tg_ns;

#define TG_NS_PER_US INT64_C(1000)
#define TG_NS_PER_MS INT64_C(1000000)
#define TG_NS_PER_S  INT64_C(1000000000)

/*
 * Errors: actions return 0 or one of these (negative). Parsers return bytes
 * consumed (>= 0), TG_EAGAIN (need more input) or TG_EPROTO.
 */
enum tg_err {
    TG_OK = 0,
    TG_ENOMEM = -1,     /* allocation failed */
    TG_EINVAL = -2,     /* invalid argument or user input */
    TG_EAGAIN = -3,     /* need more input / would block */
    TG_EPROTO = -4,     /* malformed protocol data */
    TG_E2BIG = -5,      /* a bounded buffer or table is full */
    TG_EIO = -6,        /* an I/O or system call failed */
    TG_ENOENT = -7,     /* not found */
    TG_ECLOSED = -8,    /* the peer closed the connection */
    TG_ECANCELED = -9,  /* stopped on request: a script's abort, a signal */
    TG_ETIMEDOUT = -10, /* did not finish in the time allowed */
};

#define TG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define TG_MIN(a, b)    ((a) < (b) ? (a) : (b))
#define TG_MAX(a, b)    ((a) > (b) ? (a) : (b))

#define tg_likely(x)   __builtin_expect(!!(x), 1)
#define tg_unlikely(x) __builtin_expect(!!(x), 0)

/* A view into someone else's buffer; never owns, dies with the buffer. */
struct tg_span {
    const char *ptr;
    size_t len;
};

#endif
