/*
 * hist_codec — histogram <-> JSON, version 1; the format and the round-trip
 * guarantee are described in hist_codec.h. The decoder trusts nothing: every
 * member is type- and range-checked, and the summary numbers must agree with
 * the buckets, because a merged result is only as good as its worst input.
 */
#include "metrics/hist_codec.h"

#include "tg.h"

#include <string.h>

#define VERSION 1

__extension__ typedef unsigned __int128 u128;

#define U128_DIGITS 40 /* 2^128 - 1 has 39 decimal digits */

static u128 sum_of(const struct tg_hist *h)
{
    return (u128)h->sum_hi << 64 | h->sum_lo;
}

/* Writes v in decimal into buf (U128_DIGITS bytes). Returns buf. */
static char *u128_to_dec(u128 v, char *buf)
{
    char tmp[U128_DIGITS];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) {
        buf[i] = tmp[n - 1 - i];
    }
    buf[n] = '\0';
    return buf;
}

/* Parses a non-empty string of decimal digits into *out. 0, or -1 if malformed or > 2^128-1. */
static int u128_from_dec(const char *s, u128 *out)
{
    u128 v = 0;
    const u128 limit = ~(u128)0 / 10;
    if (!*s) {
        return -1;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > limit) {
            return -1;
        }
        u128 next = v * 10 + (u128)(*s - '0');
        if (next < v * 10) {
            return -1;
        }
        v = next;
    }
    *out = v;
    return 0;
}

/* obj[key] = new integer; returns 0 or -1 (v unrepresentable or out of memory). */
static int set_uint(json_t *obj, const char *key, uint64_t v)
{
    if (v > INT64_MAX) {
        return -1;
    }
    return json_object_set_new(obj, key, json_integer((json_int_t)v));
}

static json_t *encode_buckets(const struct tg_hist *h)
{
    json_t *arr = json_array();
    size_t end = tg_hist_bucket_count();
    for (size_t i = tg_hist_next_nonzero(h, 0); arr && i < end;
         i = tg_hist_next_nonzero(h, i + 1)) {
        uint64_t n = tg_hist_bucket_get(h, i);
        if (n > INT64_MAX || json_array_append_new(arr, json_integer((json_int_t)i)) != 0 ||
            json_array_append_new(arr, json_integer((json_int_t)n)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static int encode_sum(json_t *obj, const struct tg_hist *h)
{
    u128 sum = sum_of(h);
    if (sum <= INT64_MAX) {
        return set_uint(obj, "sum", (uint64_t)sum);
    }
    char dec[U128_DIGITS];
    if (json_object_set_new(obj, "sum", json_real((double)sum)) != 0) {
        return -1;
    }
    return json_object_set_new(obj, "sum_exact", json_string(u128_to_dec(sum, dec)));
}

json_t *tg_hist_codec_encode(const struct tg_hist *h)
{
    json_t *obj = json_object();
    if (!obj) {
        return NULL;
    }
    int bad = 0;
    bad |= json_object_set_new(obj, "v", json_integer(VERSION));
    bad |= json_object_set_new(obj, "unit", json_string("ns"));
    bad |= json_object_set_new(obj, "sub_bucket_bits", json_integer(TG_HIST_SUB_BUCKET_BITS));
    bad |= json_object_set_new(obj, "highest", json_integer(TG_HIST_MAX_NS));
    bad |= set_uint(obj, "count", h->count);
    bad |= set_uint(obj, "min", (uint64_t)tg_hist_min(h));
    bad |= set_uint(obj, "max", (uint64_t)tg_hist_max(h));
    bad |= encode_sum(obj, h);
    bad |= set_uint(obj, "overflow", h->overflow);
    bad |= set_uint(obj, "lost", h->lost);
    json_t *buckets = encode_buckets(h);
    bad |= json_object_set_new(obj, "buckets", buckets);
    if (bad || !buckets) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* The summary members of a document, as read and range-checked. */
struct summary {
    uint64_t count;
    int64_t min;
    int64_t max;
    u128 sum;
    uint64_t overflow;
    uint64_t lost;
};

/* *out = j[key], which must be an integer in [lo, hi]. 0 or TG_EPROTO. */
static int get_int(const json_t *j, const char *key, json_int_t lo, json_int_t hi, json_int_t *out,
                   struct tg_diag *d)
{
    const json_t *m = json_object_get(j, key);
    if (!m) {
        tg_diag_set(d, "hist: %s: missing", key);
        return TG_EPROTO;
    }
    if (!json_is_integer(m)) {
        tg_diag_set(d, "hist: %s: not an integer", key);
        return TG_EPROTO;
    }
    json_int_t v = json_integer_value(m);
    if (v < lo || v > hi) {
        tg_diag_set(d, "hist: %s: %lld outside [%lld, %lld]", key, (long long)v, (long long)lo,
                    (long long)hi);
        return TG_EPROTO;
    }
    *out = v;
    return 0;
}

/* Checks that j[key] is the integer want; what names the layout part for the message. */
static int expect_int(const json_t *j, const char *key, json_int_t want, const char *what,
                      struct tg_diag *d)
{
    json_int_t v;
    if (get_int(j, key, INT64_MIN, INT64_MAX, &v, d) != 0) {
        return TG_EPROTO;
    }
    if (v != want) {
        tg_diag_set(d, "hist: %s: %lld, expected %lld (%s)", key, (long long)v, (long long)want,
                    what);
        return TG_EPROTO;
    }
    return 0;
}

/* Checks v, unit, sub_bucket_bits and highest. 0 or TG_EPROTO. */
static int check_layout(const json_t *j, struct tg_diag *d)
{
    if (expect_int(j, "v", VERSION, "unsupported version", d) != 0) {
        return TG_EPROTO;
    }
    const char *unit = json_string_value(json_object_get(j, "unit"));
    if (!unit || strcmp(unit, "ns") != 0) {
        tg_diag_set(d, "hist: unit: expected \"ns\"");
        return TG_EPROTO;
    }
    if (expect_int(j, "sub_bucket_bits", TG_HIST_SUB_BUCKET_BITS, "other bucket layout", d) ||
        expect_int(j, "highest", TG_HIST_MAX_NS, "other bucket layout", d)) {
        return TG_EPROTO;
    }
    return 0;
}

static int read_sum(const json_t *j, u128 *out, struct tg_diag *d)
{
    const json_t *exact = json_object_get(j, "sum_exact");
    if (exact) {
        const json_t *approx = json_object_get(j, "sum");
        if (!json_is_number(approx)) {
            tg_diag_set(d, "hist: sum: missing or not a number");
            return TG_EPROTO;
        }
        if (!json_is_string(exact) || u128_from_dec(json_string_value(exact), out) != 0) {
            tg_diag_set(d, "hist: sum_exact: not a string of decimal digits below 2^128");
            return TG_EPROTO;
        }
        return 0;
    }
    json_int_t v;
    if (get_int(j, "sum", 0, INT64_MAX, &v, d) != 0) {
        return TG_EPROTO;
    }
    *out = (u128)v;
    return 0;
}

static int read_summary(const json_t *j, struct summary *s, struct tg_diag *d)
{
    json_int_t count, min, max, overflow, lost;
    if (get_int(j, "count", 0, INT64_MAX, &count, d) ||
        get_int(j, "min", 0, TG_HIST_MAX_NS, &min, d) ||
        get_int(j, "max", 0, TG_HIST_MAX_NS, &max, d) ||
        get_int(j, "overflow", 0, INT64_MAX, &overflow, d) ||
        get_int(j, "lost", 0, INT64_MAX, &lost, d) || read_sum(j, &s->sum, d)) {
        return TG_EPROTO;
    }
    s->count = (uint64_t)count;
    s->min = min;
    s->max = max;
    s->overflow = (uint64_t)overflow;
    s->lost = (uint64_t)lost;
    return 0;
}

/* Adds j's "buckets" to out; *sum_high gets the sum of n * bucket high. 0, TG_EPROTO or
 * TG_ENOMEM. */
static int read_buckets(const json_t *j, struct tg_hist *out, u128 *sum_high, struct tg_diag *d)
{
    const json_t *arr = json_object_get(j, "buckets");
    if (!json_is_array(arr) || json_array_size(arr) % 2 != 0) {
        tg_diag_set(d, "hist: buckets: not an array of [index, count] pairs");
        return TG_EPROTO;
    }
    size_t nb = tg_hist_bucket_count();
    json_int_t prev = -1;
    *sum_high = 0;
    for (size_t i = 0; i < json_array_size(arr); i += 2) {
        const json_t *ji = json_array_get(arr, i), *jn = json_array_get(arr, i + 1);
        if (!json_is_integer(ji) || !json_is_integer(jn)) {
            tg_diag_set(d, "hist: buckets[%zu]: not an integer pair", i);
            return TG_EPROTO;
        }
        json_int_t idx = json_integer_value(ji), n = json_integer_value(jn);
        if (idx < 0 || (uint64_t)idx >= nb) {
            tg_diag_set(d, "hist: buckets[%zu]: index %lld outside [0, %zu)", i, (long long)idx,
                        nb);
            return TG_EPROTO;
        }
        if (idx <= prev) {
            tg_diag_set(d, "hist: buckets[%zu]: index %lld not above the previous %lld", i,
                        (long long)idx, (long long)prev);
            return TG_EPROTO;
        }
        if (n <= 0) {
            tg_diag_set(d, "hist: buckets[%zu]: count %lld not positive", i + 1, (long long)n);
            return TG_EPROTO;
        }
        if (out->count + (uint64_t)n < out->count) {
            tg_diag_set(d, "hist: buckets[%zu]: total count overflows 64 bits", i + 1);
            return TG_EPROTO;
        }
        int rc = tg_hist_add_bucket(out, (size_t)idx, (uint64_t)n);
        if (rc != 0) {
            tg_diag_set(d, "hist: buckets: out of memory");
            return rc;
        }
        *sum_high += (u128)tg_hist_bucket_high((size_t)idx) * (uint64_t)n;
        prev = idx;
    }
    return 0;
}

/* Checks s against the buckets already in h (whose min/max/sum are bucket bounds). */
static int check_summary(const struct summary *s, const struct tg_hist *h, u128 sum_high,
                         struct tg_diag *d)
{
    if (s->count != h->count) {
        tg_diag_set(d, "hist: count: %llu, but the buckets hold %llu", (unsigned long long)s->count,
                    (unsigned long long)h->count);
        return TG_EPROTO;
    }
    if (s->count == 0) {
        if (s->min || s->max || s->sum || s->overflow) {
            tg_diag_set(d, "hist: min, max, sum and overflow must be 0 when count is 0");
            return TG_EPROTO;
        }
        return 0;
    }
    if (s->min > s->max) {
        tg_diag_set(d, "hist: min %lld above max %lld", (long long)s->min, (long long)s->max);
        return TG_EPROTO;
    }
    /* h->min / h->max are the low bounds of the first / last non-empty bucket. */
    if (tg_hist_bucket_index(s->min) != tg_hist_bucket_index(h->min)) {
        tg_diag_set(d, "hist: min %lld not in the first non-empty bucket", (long long)s->min);
        return TG_EPROTO;
    }
    if (tg_hist_bucket_index(s->max) != tg_hist_bucket_index(h->max)) {
        tg_diag_set(d, "hist: max %lld not in the last non-empty bucket", (long long)s->max);
        return TG_EPROTO;
    }
    if (s->sum < sum_of(h) || s->sum > sum_high) {
        char sum[U128_DIGITS], lo[U128_DIGITS], hi[U128_DIGITS];
        tg_diag_set(d, "hist: sum: %s outside [%s, %s] allowed by the buckets",
                    u128_to_dec(s->sum, sum), u128_to_dec(sum_of(h), lo),
                    u128_to_dec(sum_high, hi));
        return TG_EPROTO;
    }
    size_t top = tg_hist_bucket_count() - 1;
    if (s->overflow > tg_hist_bucket_get(h, top)) {
        tg_diag_set(d, "hist: overflow: %llu above the top bucket's count",
                    (unsigned long long)s->overflow);
        return TG_EPROTO;
    }
    if (s->overflow && s->max != TG_HIST_MAX_NS) {
        tg_diag_set(d, "hist: overflow: %llu, but max is not %lld", (unsigned long long)s->overflow,
                    (long long)TG_HIST_MAX_NS);
        return TG_EPROTO;
    }
    return 0;
}

int tg_hist_codec_decode(const json_t *j, struct tg_hist *out, struct tg_diag *d)
{
    tg_hist_init(out);
    struct summary s;
    u128 sum_high;
    int rc = TG_EPROTO;
    if (!json_is_object(j)) {
        tg_diag_set(d, "hist: not a JSON object");
        goto out_empty;
    }
    if (check_layout(j, d) || read_summary(j, &s, d)) {
        goto out_empty;
    }
    rc = read_buckets(j, out, &sum_high, d);
    if (rc == 0) {
        rc = check_summary(&s, out, sum_high, d);
    }
    if (rc != 0) {
        goto out_empty;
    }
    out->min = s.count ? s.min : INT64_MAX;
    out->max = s.max;
    out->sum_lo = (uint64_t)s.sum;
    out->sum_hi = (uint64_t)(s.sum >> 64);
    out->overflow = s.overflow;
    out->lost = s.lost;
    return 0;

out_empty:
    tg_hist_fini(out);
    tg_hist_init(out);
    return rc;
}
