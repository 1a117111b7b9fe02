/*
 * srv_route — route matching and parameter validation; the table is in
 * srv_route.h.
 */
#include "serve/srv_route.h"

#include <string.h>

static const char *const route_names[TG_SRV_ROUTE_COUNT] = {
    [TG_SRV_ROUTE_ROOT] = "GET /",
    [TG_SRV_ROUTE_HEALTH] = "GET /health",
    [TG_SRV_ROUTE_FEED] = "GET /communities/:id/posts",
    [TG_SRV_ROUTE_POST] = "POST /communities/:id/posts",
    [TG_SRV_ROUTE_STATUS] = "GET /status/:code",
    [TG_SRV_ROUTE_BYTES] = "GET /bytes/:n",
    [TG_SRV_ROUTE_DELAY] = "GET /delay/:ms",
    [TG_SRV_ROUTE_CHUNKED] = "GET /chunked/:n",
    [TG_SRV_ROUTE_REDIRECT] = "ANY /redirect/:n",
    [TG_SRV_ROUTE_REDIRECT_TO] = "ANY /redirect-to",
    [TG_SRV_ROUTE_ECHO] = "ANY /echo",
    [TG_SRV_ROUTE_COOKIES] = "GET /cookies/set",
    [TG_SRV_ROUTE_NOT_FOUND] = "not_found",
    [TG_SRV_ROUTE_INVALID] = "invalid",
};

const char *tg_srv_route_name(enum tg_srv_route r)
{
    return route_names[r];
}

bool tg_srv_route_modelled(enum tg_srv_route r)
{
    return r == TG_SRV_ROUTE_ROOT || r == TG_SRV_ROUTE_HEALTH || r == TG_SRV_ROUTE_FEED ||
           r == TG_SRV_ROUTE_POST;
}

static bool span_eq(struct tg_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* If s starts with prefix, returns the rest through *rest. */
static bool strip_prefix(struct tg_span s, const char *prefix, struct tg_span *rest)
{
    size_t n = strlen(prefix);
    if (s.len < n || memcmp(s.ptr, prefix, n) != 0) {
        return false;
    }
    *rest = (struct tg_span){ s.ptr + n, s.len - n };
    return true;
}

/* Parses 1*DIGIT (at most 10 digits) no greater than max. */
static bool parse_uint(struct tg_span s, uint64_t max, uint64_t *out)
{
    if (s.len == 0 || s.len > 10) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
    }
    *out = v;
    return v <= max;
}

static bool valid_id(struct tg_span id)
{
    if (id.len == 0 || id.len > TG_SRV_ROUTE_ID_MAX) {
        return false;
    }
    for (size_t i = 0; i < id.len; i++) {
        char c = id.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_' || c == '~';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* Finds limit=N in the query (pairs separated by '&'); absent means the default. */
static void read_limit(struct tg_span query, struct tg_srv_route_match *m)
{
    m->n = TG_SRV_ROUTE_FEED_DEFAULT;
    const char *p = query.ptr;
    const char *end = query.ptr + query.len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        struct tg_span pair = { p, (size_t)(stop - p) };
        struct tg_span value;
        if (strip_prefix(pair, "limit=", &value)) {
            if (!parse_uint(value, TG_SRV_ROUTE_FEED_MAX, &m->n)) {
                m->error = "limit must be an integer in 0..1000";
            }
        }
        p = stop + 1;
    }
}

/* /communities/:id/posts for GET (feed) or POST. */
static bool match_feed(struct tg_span path, struct tg_span query, bool get, bool post,
                       struct tg_srv_route_match *m)
{
    struct tg_span rest;
    if (!strip_prefix(path, "/communities/", &rest) || rest.len < 7 ||
        memcmp(rest.ptr + rest.len - 6, "/posts", 6) != 0 || (!get && !post)) {
        return false;
    }
    m->id = (struct tg_span){ rest.ptr, rest.len - 6 };
    if (memchr(m->id.ptr, '/', m->id.len)) {
        return false;
    }
    m->route = get ? TG_SRV_ROUTE_FEED : TG_SRV_ROUTE_POST;
    if (!valid_id(m->id)) {
        m->error = "community id must be 1..64 characters of [A-Za-z0-9._~-]";
    } else if (get) {
        read_limit(query, m);
    }
    return true;
}

/* GET routes with one numeric parameter: /status/NNN, /bytes/N, /delay/MS, /chunked/N. */
static void match_numeric(struct tg_span path, struct tg_srv_route_match *m)
{
    static const struct {
        const char *prefix;
        enum tg_srv_route route;
        uint64_t max;
        const char *error;
    } table[] = {
        { "/status/", TG_SRV_ROUTE_STATUS, 599, "status must be an integer in 200..599" },
        { "/bytes/", TG_SRV_ROUTE_BYTES, TG_SRV_ROUTE_BYTES_MAX,
          "byte count must be an integer in 0..67108864" },
        { "/delay/", TG_SRV_ROUTE_DELAY, TG_SRV_ROUTE_DELAY_MAX_MS,
          "delay must be an integer number of ms in 0..600000" },
        { "/chunked/", TG_SRV_ROUTE_CHUNKED, TG_SRV_ROUTE_CHUNKS_MAX,
          "chunk count must be an integer in 0..1000000" },
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(table); i++) {
        struct tg_span arg;
        if (strip_prefix(path, table[i].prefix, &arg) && arg.len > 0) {
            m->route = table[i].route;
            if (!parse_uint(arg, table[i].max, &m->n) ||
                (m->route == TG_SRV_ROUTE_STATUS && m->n < 200)) {
                m->error = table[i].error;
            }
            return;
        }
    }
}

/* The routes built from the request (serve/srv_echo): any method but /cookies/set. */
static bool match_echo(struct tg_span path, bool get, struct tg_srv_route_match *m)
{
    struct tg_span arg;
    if (span_eq(path, "/echo")) {
        m->route = TG_SRV_ROUTE_ECHO;
    } else if (span_eq(path, "/redirect-to")) {
        m->route = TG_SRV_ROUTE_REDIRECT_TO;
    } else if (get && span_eq(path, "/cookies/set")) {
        m->route = TG_SRV_ROUTE_COOKIES;
    } else if (strip_prefix(path, "/redirect/", &arg) && arg.len > 0) {
        m->route = TG_SRV_ROUTE_REDIRECT;
        if (!parse_uint(arg, TG_SRV_ROUTE_REDIRECT_MAX, &m->n)) {
            m->error = "redirect count must be an integer in 0..1000";
        }
    } else {
        return false;
    }
    return true;
}

void tg_srv_route_match(struct tg_span method, struct tg_span target, struct tg_srv_route_match *m)
{
    *m = (struct tg_srv_route_match){ .route = TG_SRV_ROUTE_NOT_FOUND };
    bool head = span_eq(method, "HEAD");
    bool get = head || span_eq(method, "GET");
    bool post = span_eq(method, "POST");
    m->head_only = head;
    const char *q = memchr(target.ptr, '?', target.len);
    struct tg_span path = { target.ptr, q ? (size_t)(q - target.ptr) : target.len };
    struct tg_span query = { q ? q + 1 : target.ptr + target.len,
                             q ? target.len - path.len - 1 : 0 };
    if (get && span_eq(path, "/")) {
        m->route = TG_SRV_ROUTE_ROOT;
    } else if (get && span_eq(path, "/health")) {
        m->route = TG_SRV_ROUTE_HEALTH;
    } else if (get && span_eq(path, "/__stats")) {
        m->route = TG_SRV_ROUTE_STATS;
    } else if (post && span_eq(path, "/__stats/reset")) {
        m->route = TG_SRV_ROUTE_STATS_RESET;
    } else if (!match_feed(path, query, get, post, m) && !match_echo(path, get, m) && get) {
        match_numeric(path, m);
    }
}
