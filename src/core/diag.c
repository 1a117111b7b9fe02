/*
 * diag — user-facing error messages with their place; see diag.h.
 */
#include "core/diag.h"

#include <stdio.h>
#include <string.h>

void tg_diag_set(struct tg_diag *d, const char *fmt, ...)
{
    if (!d) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
}

void tg_diag_prefix(struct tg_diag *d, const char *fmt, ...)
{
    if (!d) {
        return;
    }
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    size_t plen = strlen(prefix);
    size_t cap = sizeof(d->msg);
    if (plen + 2 >= cap) {
        return;
    }
    memmove(d->msg + plen + 2, d->msg, cap - plen - 2);
    d->msg[cap - 1] = '\0';
    memcpy(d->msg, prefix, plen);
    memcpy(d->msg + plen, ": ", 2);
}
