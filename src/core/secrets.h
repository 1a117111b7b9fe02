/*
 * secrets — values that must never appear in anything tailgate writes: the
 * values of --secret-env variables and of the Authorization, Cookie,
 * Set-Cookie and Proxy-Authorization headers given on the command line.
 *
 * Every output stream (stdout, stderr, and each file tailgate writes) goes
 * through a redacting stream (glibc's fopencookie) once a secret is known:
 * each occurrence of a secret is written as "***". A secret split across two
 * writes is still caught: the longest tail that could start a secret is held
 * back until the next write or the close.
 *
 * The list is filled on the main thread before any worker starts and is
 * read-only afterwards. A value is also registered as JSON escapes it inside
 * a string (\" and \\), so the JSON files cannot leak it. Values shorter than 4 bytes are not
 * registered (they would redact ordinary text); at most 64 secrets of up to 4 KiB.
 */
#ifndef TG_CORE_SECRETS_H
#define TG_CORE_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Registers a secret value (copied). 0, or TG_E2BIG when the list is full. */
int tg_secrets_add(const char *value);
/* Registers the value of a "Name: value" header when the name is a sensitive one. */
void tg_secrets_add_header(const char *header);
/* Whether any secret is registered. */
bool tg_secrets_any(void);
/* Copies s into out (cap bytes, NUL-terminated) with every secret replaced by "***". */
void tg_secrets_redact(const char *s, char *out, size_t cap);
/*
 * A stream that writes to f with secrets redacted; closing it flushes and
 * closes f too. Returns f itself when no secret is registered; NULL when
 * out of memory.
 */
FILE *tg_secrets_wrap(FILE *f);
/* Replaces stdout and stderr with redacting streams (no-op without secrets). */
void tg_secrets_guard_std(void);
/* Restores stdout and stderr, writing what the redacting streams held back. */
void tg_secrets_finish_std(void);
/* Forgets every secret (tests). */
void tg_secrets_reset(void);

#endif
