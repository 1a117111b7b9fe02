/*
 * srv_feed — deterministic feed content and its streaming serialisation;
 * format and contract in srv_feed.h.
 */
#include "serve/srv_feed.h"

#include "serve/srv_fmt.h"
#include "tg.h"

#include <assert.h>
#include <string.h>

enum { PHASE_PREFIX, PHASE_POSTS, PHASE_SUFFIX, PHASE_DONE };

static const char *const bodies[] = {
    "Load tests that only report averages hide the tail that users feel.",
    "We moved the cache in front of the feed and p99 dropped by half.",
    "Has anyone measured how long reconnect storms take to settle?",
    "Coordinated omission makes a stalled server look fast; correct for it.",
    "Our SLO is p95 under 200 ms for the feed endpoint, measured per route.",
    "Retry budgets saved us during the last incident; retries amplify load.",
    "Spike tests found a cold connection pool that soak tests never hit.",
    "Baselines beat thresholds alone: a 30% p99 regression is a regression.",
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

void tg_srv_feed_init(struct tg_srv_feed *f, const char *id, size_t id_len, uint32_t count)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < id_len; i++) {
        h = (h ^ (unsigned char)id[i]) * UINT64_C(0x100000001b3);
    }
    *f = (struct tg_srv_feed){ .id = id, .id_len = id_len, .hash = h, .count = count };
}

/* Serialises post i (with a leading comma after the first) into dst; returns its length. */
static size_t write_post(const struct tg_srv_feed *f, uint32_t i, char *dst)
{
    uint64_t r = mix(f->hash + i);
    char *p = dst;
    if (i > 0) {
        *p++ = ',';
    }
    p += tg_srv_fmt_str(p, "{\"id\":");
    p += tg_srv_fmt_u64(p, (f->hash % 100000) * 1000 + i + 1);
    p += tg_srv_fmt_str(p, ",\"title\":\"Post ");
    p += tg_srv_fmt_u64(p, (uint64_t)i + 1);
    p += tg_srv_fmt_str(p, " in ");
    memcpy(p, f->id, f->id_len);
    p += f->id_len;
    p += tg_srv_fmt_str(p, "\",\"body\":\"");
    p += tg_srv_fmt_str(p, bodies[r % TG_ARRAY_LEN(bodies)]);
    p += tg_srv_fmt_str(p, "\",\"score\":");
    p += tg_srv_fmt_u64(p, (r >> 8) % 5000);
    *p++ = '}';
    assert((size_t)(p - dst) <= TG_SRV_FEED_PIECE_MAX);
    return (size_t)(p - dst);
}

static size_t write_prefix(const struct tg_srv_feed *f, char *dst)
{
    char *p = dst;
    p += tg_srv_fmt_str(p, "{\"community\":\"");
    memcpy(p, f->id, f->id_len);
    p += f->id_len;
    p += tg_srv_fmt_str(p, "\",\"posts\":[");
    return (size_t)(p - dst);
}

uint64_t tg_srv_feed_len(const struct tg_srv_feed *f)
{
    char scratch[TG_SRV_FEED_PIECE_MAX];
    uint64_t total = write_prefix(f, scratch) + 2; /* + "]}" */
    for (uint32_t i = 0; i < f->count; i++) {
        total += write_post(f, i, scratch);
    }
    return total;
}

size_t tg_srv_feed_fill(struct tg_srv_feed *f, char *dst, size_t cap, bool *done)
{
    size_t w = 0;
    while (f->phase != PHASE_DONE && cap - w >= TG_SRV_FEED_PIECE_MAX) {
        switch (f->phase) {
        case PHASE_PREFIX:
            w += write_prefix(f, dst + w);
            f->phase = f->count ? PHASE_POSTS : PHASE_SUFFIX;
            break;
        case PHASE_POSTS:
            w += write_post(f, f->next, dst + w);
            if (++f->next == f->count) {
                f->phase = PHASE_SUFFIX;
            }
            break;
        default:
            dst[w++] = ']';
            dst[w++] = '}';
            f->phase = PHASE_DONE;
            break;
        }
    }
    *done = f->phase == PHASE_DONE;
    return w;
}
