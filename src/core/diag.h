/*
 * diag — a user-facing error with its place: the flag, the file:line or the
 * option path that was wrong. Filled where the context is known, printed once
 * by cli/. Fixed size: filling one never allocates.
 */
#ifndef TG_CORE_DIAG_H
#define TG_CORE_DIAG_H

#include <stdarg.h>

struct tg_diag {
    char msg[1024]; /* "place: what is wrong", NUL-terminated; empty when unset */
};

/* Sets d's message (printf format). Later calls overwrite. d may be NULL. */
void tg_diag_set(struct tg_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes d's existing message with "place: ". */
void tg_diag_prefix(struct tg_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
