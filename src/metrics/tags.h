/*
 * tags — a tag set's canonical key: its pairs sorted by key and joined as
 * "key\x1fvalue\x1ekey\x1fvalue". Canonical keys are how tag sets are
 * interned (a sample carries only a small integer id) and how workers'
 * series are matched up on the coordinator. Keys and values may hold any
 * byte but 0x1e, 0x1f and NUL.
 */
#ifndef TG_METRICS_TAGS_H
#define TG_METRICS_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#define TG_TAGS_MAX 48

struct tg_tag {
    const char *key;
    const char *value;
};

/*
 * Writes the canonical key of tags[0..n) into buf (size cap). Later pairs
 * with an equal key replace earlier ones. Returns the key's length, or
 * TG_E2BIG when it does not fit or n > TG_TAGS_MAX, TG_EINVAL on a reserved byte.
 */
int tg_tags_canonical(const struct tg_tag *tags, size_t n, char *buf, size_t cap);
/*
 * Looks up key in a canonical key; on success points *value and *value_len at
 * the value inside canon and returns true.
 */
bool tg_tags_get(const char *canon, const char *key, const char **value, size_t *value_len);
/* Whether every pair of want[0..n) is in canon (k6's submetric matching). */
bool tg_tags_contains(const char *canon, const struct tg_tag *want, size_t n);
/* Iterates pairs: *pos starts at 0; returns false at the end. Views into canon. */
bool tg_tags_next(const char *canon, size_t *pos, const char **k, size_t *klen, const char **v,
                  size_t *vlen);

#endif
