/*
 * units — parsing and printing of durations and byte sizes as users write
 * them in flags and options.
 *
 * Duration grammar (k6's, plus a bare-number default unit):
 *   duration  -> number | (number unit)+
 *   unit      -> "ns" | "us" | "µs" | "ms" | "s" | "m" | "h"
 *   number    -> digits ["." digits]
 * e.g. "10s", "1m30s", "1.5s", "250ms". A bare number takes the caller's
 * default unit (seconds for command-line flags, milliseconds for Lua options,
 * as in k6).
 *
 * Size grammar: number [unit], unit one of B, K, KB, KiB, M, MB, MiB, G, GB,
 * GiB (case-insensitive; K/KB/KiB all mean 1024).
 */
#ifndef TG_CORE_UNITS_H
#define TG_CORE_UNITS_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>

/* Parses s into *out. 0, or TG_EINVAL (s malformed, negative or overflowing). */
int tg_units_parse_duration(const char *s, tg_ns default_unit, tg_ns *out);
/* Parses s into *out bytes. 0 or TG_EINVAL. */
int tg_units_parse_size(const char *s, size_t *out);
/*
 * Formats a duration the way k6's summary does (e.g. "1.23ms", "512µs",
 * "2.5s", "1m30s") into buf (size n). Returns buf.
 */
char *tg_units_fmt_duration(double ns, char *buf, size_t n);
/* Formats a byte count as "12 kB", "3.4 MB" (SI, like k6). Returns buf. */
char *tg_units_fmt_bytes(double bytes, char *buf, size_t n);

#endif
