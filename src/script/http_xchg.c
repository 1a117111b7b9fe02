/*
 * http_xchg — a VU's exchanges and connections, the origins they go to, and
 * what happens when a hop's response is complete; see http_xchg.h.
 *
 * Hot path: a request of http.get and co takes the VU's built-in exchange
 * and, when it goes to the origin the built-in connection is open to, that
 * connection — one comparison. A hop's completion parses the response head
 * once for everything that looks at it (redirects, cookies, the response).
 */
#include "script/http_xchg.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "http/cookie_jar.h"
#include "net/errcode.h"
#include "script/internal.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

/* An origin (scheme, host, port) the script talks to, with its addresses. */
struct tg_origin {
    char host[256];
    int port;
    bool tls;
    bool resolving;
    tg_ns expires; /* resolved until then */
    struct tg_addr addrs[TG_RESOLVE_MAX_ADDRS];
    struct tg_conn_target target;
    struct tg_http_xchg *waiting;   /* exchanges waiting for the lookup: a list, no bound */
    struct tg_http_xchg *draining;  /* the rest of that list while resolved() sends it */
    struct tg_origin_wait *streams; /* streams (tailgate.ws, .sse) waiting for it */
    struct tg_resolve_waiter waiter;
    struct tg_origin *next;
};

static void conn_done(struct tg_conn *c, void *ctx);

/* ---- the runtime's and the VU's state ------------------------------------------- */

int tg_http_xchg__rt_init(struct tg_rt *rt)
{
    rt->http = tg_calloc(1, sizeof(*rt->http));
    if (!rt->http) {
        return TG_ENOMEM;
    }
    struct tg_http_rt *h = rt->http;
    h->expect = (struct tg_http_expect){ .n = 1, .r = { { 200, 399 } } };
    h->resp_mt = LUA_NOREF;
    /* registered now, so thresholds may name them; they show only once they have samples */
    h->m_retries = h->m_exhausted = h->m_attempts = -1;
    if (rt->reg) {
        h->m_retries =
            tg_registry_metric(rt->reg, "http_req_retries", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
        h->m_exhausted = tg_registry_metric(rt->reg, "http_req_retry_budget_exhausted",
                                            TG_KIND_COUNTER, TG_CONTAINS_DEFAULT);
        h->m_attempts =
            tg_registry_metric(rt->reg, "http_req_attempts", TG_KIND_TREND, TG_CONTAINS_DEFAULT);
    }
    tg_retry_budget_init(&h->budget, TG_RETRY_BUDGET_BURST);
    tg_http_retry_seed(rt, 0);
    for (int i = 0; i < TG_HTTP_RESP_KEYS; i++) {
        h->keys[i] = LUA_NOREF;
    }
    return 0;
}

void tg_http_xchg__rt_fini(struct tg_rt *rt)
{
    struct tg_origin *o = rt->origins;
    while (o) {
        struct tg_origin *next = o->next;
        tg_free(o);
        o = next;
    }
    rt->origins = NULL;
    if (rt->http) {
        tg_free(rt->http->buf);
        tg_free(rt->http->hdrs);
        tg_free(rt->http->cks);
        tg_free(rt->http);
        rt->http = NULL;
    }
}

static void xchg_init(struct tg_http_xchg *x, struct tg_vu *vu)
{
    memset(x, 0, sizeof(*x));
    x->vu = vu;
    x->batch_key = -1;
}

static void xchg_fini(struct tg_http_xchg *x)
{
    if (x->state == TG_HTTP_XCHG_CAPPED) {
        ev_timer_stop(x->vu->rt->loop, &x->cap_t);
    }
    if (x->state == TG_HTTP_XCHG_BACKOFF) {
        ev_timer_stop(x->vu->rt->loop, &x->retry_t);
    }
    tg_free(x->req);
    tg_free(x->keep.head);
    tg_free(x->keep.body);
}

static void conn_init(struct tg_http_xchg_conn *xc, struct tg_vu *vu)
{
    memset(xc, 0, sizeof(*xc));
    tg_conn_init(&xc->conn, vu->rt->env, conn_done, xc);
}

void tg_http_xchg__vu_init(struct tg_vu *vu)
{
    struct tg_http_xchg_set *s = &vu->http;
    conn_init(&s->conn0, vu);
    xchg_init(&s->x0, vu);
    s->batch_ref = LUA_NOREF;
}

void tg_http_xchg__vu_fini(struct tg_vu *vu)
{
    struct tg_http_xchg_set *s = &vu->http;
    tg_conn_close(&s->conn0.conn);
    xchg_fini(&s->x0);
    if (s->more) {
        for (int i = 0; i < s->more->n_c; i++) {
            tg_conn_close(&s->more->c[i]->conn);
            tg_free(s->more->c[i]);
        }
        for (int i = 0; i < s->more->n_x; i++) {
            xchg_fini(s->more->x[i]);
            tg_free(s->more->x[i]);
        }
        tg_free(s->more);
    }
    if (s->jar) {
        tg_cookie_jar_fini(s->jar);
        tg_free(s->jar);
    }
    memset(s, 0, sizeof(*s));
}

static struct tg_http_xchg_more *more_of(struct tg_vu *vu)
{
    if (!vu->http.more) {
        vu->http.more = tg_calloc(1, sizeof(*vu->http.more));
    }
    return vu->http.more;
}

struct tg_http_xchg *tg_http_xchg__get(struct tg_vu *vu, int i)
{
    if (i == 0) {
        return &vu->http.x0;
    }
    struct tg_http_xchg_more *m = more_of(vu);
    if (!m || i > TG_HTTP_XCHG_MAX - 1) {
        return NULL;
    }
    while (m->n_x < i) {
        struct tg_http_xchg *x = tg_alloc(sizeof(*x));
        if (!x) {
            return NULL;
        }
        xchg_init(x, vu);
        m->x[m->n_x++] = x;
    }
    return m->x[i - 1];
}

/* ---- origins ------------------------------------------------------------------ */

static void send_now(struct tg_http_xchg *x, tg_ns now);
static int go(struct tg_http_xchg *x, tg_ns now);

/* Takes x off o's list of exchanges waiting for the lookup. */
static void unwait(struct tg_origin *o, struct tg_http_xchg *x)
{
    if (x->wait_prev) {
        x->wait_prev->wait_next = x->wait_next;
    } else if (o->waiting == x) {
        o->waiting = x->wait_next;
    } else if (o->draining == x) {
        o->draining = x->wait_next;
    }
    if (x->wait_next) {
        x->wait_next->wait_prev = x->wait_prev;
    }
    x->wait_prev = x->wait_next = NULL;
}

static void resolved(void *ctx, const struct tg_addr *addrs, int n, int err)
{
    struct tg_origin *o = ctx;
    o->resolving = false;
    o->target.n_addrs = n;
    o->target.addr_pref = 0;
    o->target.resolve_error = err;
    if (n > 0) {
        memcpy(o->addrs, addrs, (size_t)n * sizeof(*addrs));
    }
    o->expires = tg_clock_now() + (n ? 300 * TG_NS_PER_S : TG_NS_PER_S);
    /* what send_now starts may abandon (unwait) others on the list: pop one at a time */
    o->draining = o->waiting;
    o->waiting = NULL;
    struct tg_http_xchg *x;
    while ((x = o->draining) != NULL) {
        o->draining = x->wait_next;
        if (o->draining) {
            o->draining->wait_prev = NULL;
        }
        x->wait_next = x->wait_prev = NULL;
        send_now(x, tg_clock_now());
    }
    struct tg_origin_wait *w = o->streams; /* their callbacks never resume a VU */
    o->streams = NULL;
    while (w) {
        struct tg_origin_wait *next = w->next;
        w->o = NULL;
        w->next = w->prev = NULL;
        w->cb(w);
        w = next;
    }
}

struct tg_conn_target *tg_http_xchg__origin_target(struct tg_rt *rt, struct tg_origin *o,
                                                   struct tg_origin_wait *w, int *err)
{
    *err = 0;
    tg_ns now = tg_clock_now();
    if (!o->resolving && o->expires > now) {
        return &o->target;
    }
    if (!o->resolving) {
        o->resolving = true;
        int rc = tg_resolve_lookup(&rt->resolve, o->host, o->port, &o->waiter, now);
        if (rc < 0) {
            o->resolving = false;
            *err = rc;
            return NULL;
        }
        if (!o->resolving) {
            return &o->target; /* answered at once (a numeric address, the cache) */
        }
    }
    w->o = o;
    w->prev = NULL;
    w->next = o->streams;
    if (o->streams) {
        o->streams->prev = w;
    }
    o->streams = w;
    return NULL;
}

void tg_http_xchg__origin_unwait(struct tg_origin_wait *w)
{
    struct tg_origin *o = w->o;
    if (!o) {
        return;
    }
    if (w->prev) {
        w->prev->next = w->next;
    } else {
        o->streams = w->next;
    }
    if (w->next) {
        w->next->prev = w->prev;
    }
    w->o = NULL;
    w->next = w->prev = NULL;
}

struct tg_origin *tg_http_xchg__origin(struct tg_rt *rt, const struct tg_url *u)
{
    for (struct tg_origin *o = rt->origins; o; o = o->next) {
        if (o->port == u->port && o->tls == u->tls && strcmp(o->host, u->host) == 0) {
            return o;
        }
    }
    struct tg_origin *o = tg_calloc(1, sizeof(*o));
    if (!o) {
        return NULL;
    }
    snprintf(o->host, sizeof(o->host), "%s", u->host);
    o->port = u->port;
    o->tls = u->tls;
    o->target.addrs = o->addrs;
    o->target.host = o->host;
    o->target.tls = u->tls ? rt->tls : NULL;
    o->target.tls_verify = rt->tls_verify;
    o->waiter = (struct tg_resolve_waiter){ resolved, o, NULL };
    o->next = rt->origins;
    rt->origins = o;
    if (rt->rails.allow && !tg_allow_match(rt->rails.allow, o->host, o->port)) {
        /* never resolved, never connected: every request fails at once with 1710 */
        o->target.n_addrs = 0;
        o->target.resolve_error = TG_ERR_HOST_NOT_ALLOWED;
        o->expires = INT64_MAX;
        if (rt->rails.allow->strict) {
            char reason[320];
            snprintf(reason, sizeof(reason), "%s:%d is not on the --allow-host list", o->host,
                     o->port);
            tg_runtime__abort(rt, reason);
        }
    }
    return o;
}

size_t tg_http_xchg__base_url(const struct tg_http_xchg *x, char *out, size_t cap)
{
    const struct tg_origin *o = x->origin;
    struct tg_span t = tg_http_xchg__target(x);
    bool v6 = strchr(o->host, ':') != NULL;
    int n = snprintf(out, cap, "%s://%s%s%s:%d%.*s", o->tls ? "https" : "http", v6 ? "[" : "",
                     o->host, v6 ? "]" : "", o->port, (int)t.len, t.ptr);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

bool tg_http_xchg__same_origin(const struct tg_http_xchg *x, const struct tg_url *u)
{
    const struct tg_origin *o = x->origin;
    return o && o->port == u->port && o->tls == u->tls && strcmp(o->host, u->host) == 0;
}

const char *tg_http_xchg__host(const struct tg_http_xchg *x)
{
    return x->origin->host;
}

bool tg_http_xchg__tls(const struct tg_http_xchg *x)
{
    return x->origin->tls;
}

struct tg_span tg_http_xchg__target(const struct tg_http_xchg *x)
{
    const char *sp = memchr(x->req, ' ', x->creq.len);
    const char *end = sp ? memchr(sp + 1, ' ', x->creq.len - (size_t)(sp + 1 - x->req)) : NULL;
    return end ? (struct tg_span){ sp + 1, (size_t)(end - sp - 1) } : (struct tg_span){ "/", 1 };
}

/* ---- sending -------------------------------------------------------------------- */

/*
 * A free connection for origin o: one already open to it, else a closed one,
 * else a new one (up to TG_HTTP_XCHG_MAX), else the least recently used.
 */
static struct tg_http_xchg_conn *acquire_conn(struct tg_vu *vu, struct tg_origin *o)
{
    struct tg_http_xchg_set *s = &vu->http;
    struct tg_http_xchg_conn *c0 = &s->conn0;
    if (tg_likely(!c0->x && c0->conn.target == &o->target && c0->conn.state != TG_CONN_CLOSED)) {
        return c0;
    }
    struct tg_http_xchg_conn *closed = !c0->x && c0->conn.state == TG_CONN_CLOSED ? c0 : NULL;
    struct tg_http_xchg_conn *lru = !c0->x ? c0 : NULL;
    struct tg_http_xchg_more *m = s->more;
    for (int i = 0; m && i < m->n_c; i++) {
        struct tg_http_xchg_conn *c = m->c[i];
        if (c->x) {
            continue;
        }
        if (c->conn.target == &o->target && c->conn.state != TG_CONN_CLOSED) {
            return c;
        }
        closed = closed ? closed : (c->conn.state == TG_CONN_CLOSED ? c : NULL);
        lru = lru && lru->last_used <= c->last_used ? lru : c;
    }
    if (closed) {
        return closed;
    }
    m = more_of(vu);
    if (m && m->n_c < TG_HTTP_XCHG_MAX - 1) {
        struct tg_http_xchg_conn *c = tg_alloc(sizeof(*c));
        if (c) {
            conn_init(c, vu);
            m->c[m->n_c++] = c;
            return c;
        }
    }
    return lru;
}

static void send_now(struct tg_http_xchg *x, tg_ns now)
{
    struct tg_http_xchg_conn *xc = acquire_conn(x->vu, x->origin);
    if (!xc) {
        memset(&x->res, 0, sizeof(x->res));
        x->keep.head_len = x->keep.body_len = 0; /* no answer: nothing of the last one */
        x->res.error_code = TG_ERR_GENERIC;      /* no memory for a connection */
        x->state = TG_HTTP_XCHG_IDLE;
        tg_http_xchg__hop_done(x);
        return;
    }
    xc->x = x;
    x->xc = xc;
    x->state = TG_HTTP_XCHG_SENDING;
    tg_conn_send(&xc->conn, &x->origin->target, &x->creq, now);
}

static void cap_released(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_http_xchg *x = t->data;
    x->state = TG_HTTP_XCHG_IDLE;
    if (go(x, tg_clock_now()) < 0) {
        memset(&x->res, 0, sizeof(x->res));
        x->keep.head_len = x->keep.body_len = 0; /* no answer: nothing of the last one */
        x->res.error_code = TG_ERR_GENERIC;
        tg_http_xchg__hop_done(x);
    }
}

int tg_http_xchg__dispatch(struct tg_http_xchg *x)
{
    tg_ns now = tg_clock_now();
    struct tg_rt *rt = x->vu->rt;
    if (rt->capped && x->origin->target.resolve_error != TG_ERR_HOST_NOT_ALLOWED) {
        tg_ns at = tg_rate_cap_take(&rt->cap, now);
        if (at > now) { /* --max-rps: wait for the permit */
            if (rt->capped_metric >= 0) {
                struct tg_tag tag = { "scenario", x->vu->scenario };
                tg_rt_record(rt, (uint32_t)rt->capped_metric, &tag, 1, 1);
            }
            x->state = TG_HTTP_XCHG_CAPPED;
            ev_timer_init(&x->cap_t, cap_released, (double)(at - now) / 1e9, 0);
            x->cap_t.data = x;
            ev_timer_start(rt->loop, &x->cap_t);
            return 0;
        }
    }
    return go(x, now);
}

static int go(struct tg_http_xchg *x, tg_ns now)
{
    struct tg_origin *o = x->origin;
    if (tg_likely(!o->resolving && o->expires > now)) {
        send_now(x, now);
        return 0;
    }
    x->wait_prev = NULL;
    x->wait_next = o->waiting;
    if (o->waiting) {
        o->waiting->wait_prev = x;
    }
    o->waiting = x;
    x->state = TG_HTTP_XCHG_RESOLVING;
    if (!o->resolving) {
        o->resolving = true;
        int rc = tg_resolve_lookup(&x->vu->rt->resolve, o->host, o->port, &o->waiter, now);
        if (rc < 0) {
            o->resolving = false;
            unwait(o, x);
            x->state = TG_HTTP_XCHG_IDLE;
            return rc;
        }
    }
    return 0;
}

int tg_http_xchg__in_flight(struct tg_vu *vu, const struct tg_origin *o)
{
    int n = 0;
    for (int i = 0; i < TG_HTTP_XCHG_MAX; i++) {
        const struct tg_http_xchg *x =
            i ? (vu->http.more && i <= vu->http.more->n_x ? vu->http.more->x[i - 1] : NULL)
              : &vu->http.x0;
        if (!x) {
            break;
        }
        n +=
            x->origin == o && (x->state == TG_HTTP_XCHG_RESOLVING ||
                               x->state == TG_HTTP_XCHG_SENDING || x->state == TG_HTTP_XCHG_CAPPED);
    }
    return n;
}

/* ---- completion ------------------------------------------------------------------ */

static void conn_done(struct tg_conn *c, void *ctx)
{
    struct tg_http_xchg_conn *xc = ctx;
    struct tg_http_xchg *x = xc->x;
    xc->x = NULL;
    xc->last_used = ++x->vu->http.uses;
    x->xc = NULL;
    x->res = c->res;
    x->state = TG_HTTP_XCHG_IDLE;
    tg_http_xchg__hop_done(x);
}

/* The response head of the hop just done, parsed into the runtime's scratch; NULL without one. */
static const struct tg_h1_resp *parsed_head(struct tg_http_xchg *x)
{
    struct tg_conn_env *env = x->vu->rt->env;
    if (env->resp_owner == &x->keep && x->keep.head_len > 0) {
        return env->resp; /* parsed as it arrived, its spans already in our copy */
    }
    struct tg_h1_resp *r = &x->vu->rt->http->resp;
    if (x->keep.head_len == 0 || tg_h1_parse_head(x->keep.head, x->keep.head_len, r) <= 0) {
        return NULL;
    }
    return r;
}

/* The exchange is over: the script gets its response. */
static void deliver(struct tg_http_xchg *x, const struct tg_h1_resp *r)
{
    struct tg_vu *vu = x->vu;
    tg_http_retry__done(x);
    if (x->batch_key >= 0) {
        tg_lua_http_batch__done(x, r);
        return;
    }
    if (vu->state == TG_VU_RUNNING) {
        vu->http.answered = true; /* the call has not yielded yet: it returns the response */
        return;
    }
    tg_lua_http__push_response(vu->co, x, r);
    tg_runtime__resume(vu, 1);
}

/*
 * A hop is over: it is recorded, its cookies stored, then either the next
 * hop of a redirect leaves, or the request is retried after its backoff, or
 * the script gets the response.
 */
void tg_http_xchg__hop_done(struct tg_http_xchg *x)
{
    struct tg_rt *rt = x->vu->rt;
    const struct tg_h1_resp *r = parsed_head(x);
    char next[TG_HTTP_URL_MAX];
    x->error_code = 0;
    bool follow = tg_http_redirect__check(x, r, next, sizeof(next));
    tg_lua_http__record(x);
    if (rt->hooks.on_http) {
        struct tg_rt_http h = { x->method, x->url, &x->res };
        rt->hooks.on_http(rt->hooks.owner, x->vu, &h);
    }
    if (r) {
        tg_lua_http_cookies__store(x, r);
    }
    if (follow) {
        if (tg_http_redirect__follow(x, next) == 0) {
            return; /* the next hop is on its way */
        }
        x->error_code = TG_ERR_GENERIC;
    }
    if (tg_http_retry__again(x)) {
        return; /* waits its backoff, then goes again */
    }
    deliver(x, r);
}

/* ---- ending early ---------------------------------------------------------------- */

static void forget(struct tg_http_xchg *x)
{
    struct tg_origin *o = x->origin;
    if (x->state == TG_HTTP_XCHG_CAPPED) {
        ev_timer_stop(x->vu->rt->loop, &x->cap_t);
    }
    if (x->state == TG_HTTP_XCHG_BACKOFF) {
        ev_timer_stop(x->vu->rt->loop, &x->retry_t);
    }
    if (x->state == TG_HTTP_XCHG_RESOLVING && o) {
        unwait(o, x);
    }
    x->state = TG_HTTP_XCHG_IDLE;
    x->batch_key = -1;
}

static void drop_conn(struct tg_http_xchg_conn *xc)
{
    if (tg_conn_busy(&xc->conn)) {
        xc->conn.req = NULL; /* closed without calling back */
        xc->conn.creq = NULL;
        tg_conn_close(&xc->conn);
    }
    if (xc->x) {
        xc->x->xc = NULL;
        xc->x = NULL;
    }
}

void tg_http_xchg__abort(struct tg_vu *vu)
{
    struct tg_http_xchg_set *s = &vu->http;
    forget(&s->x0);
    drop_conn(&s->conn0);
    for (int i = 0; s->more && i < s->more->n_x; i++) {
        forget(s->more->x[i]);
    }
    for (int i = 0; s->more && i < s->more->n_c; i++) {
        drop_conn(s->more->c[i]);
    }
    luaL_unref(vu->rt->L, LUA_REGISTRYINDEX, s->batch_ref);
    s->batch_ref = LUA_NOREF;
    s->batch_pending = 0;
    s->answered = false;
}

void tg_http_xchg__check_deadlines(struct tg_vu *vu, tg_ns now)
{
    tg_conn_check_deadlines(&vu->http.conn0.conn, now);
    struct tg_http_xchg_more *m = vu->http.more;
    for (int i = 0; m && i < m->n_c; i++) {
        tg_conn_check_deadlines(&m->c[i]->conn, now);
    }
}
