/*
 * internal — what the script module's files share: resuming a VU and the
 * registry keys of the modules.
 */
#ifndef TG_SCRIPT_INTERNAL_H
#define TG_SCRIPT_INTERNAL_H

#include "metrics/tags.h"
#include "script/runtime.h"

/*
 * Resumes vu's coroutine with the nargs values on its stack; runs until it
 * yields again or the iteration ends (then reports it through the hooks).
 */
void tg_runtime__resume(struct tg_vu *vu, int nargs);
/* Stops the whole test with reason (tailgate.abort, a strict rail): tells the owner once. */
void tg_runtime__abort(struct tg_rt *rt, const char *reason);
/* The runtime of a C function called from Lua (its first upvalue). */
struct tg_rt *tg_runtime__of(lua_State *L);
/* The VU running now, or a Lua error when called outside an iteration. */
struct tg_vu *tg_runtime__vu(lua_State *L, const char *what);
/* Pushes the tailgate.http module table (functions with rt as upvalue). */
void tg_lua_http__push(lua_State *L, struct tg_rt *rt);
/* Adds Trend, Rate, Counter, Gauge, check and group to the table on top. */
void tg_lua_metrics__register(lua_State *L, struct tg_rt *rt);
/*
 * Records value into metric for vu, tagged with its scenario and group plus
 * the tags table at tags_idx (0: none). Silently dropped without a registry.
 */
void tg_lua_metrics__record(lua_State *L, struct tg_vu *vu, uint32_t metric, int tags_idx,
                            double value);
/* The same from C (no Lua involved): tags are complete (scenario, group...). 0 or < 0. */
int tg_lua_metrics__record_c(struct tg_rt *rt, uint32_t metric, const struct tg_tag *tags, size_t n,
                             double value);
/* Interns a tag set once for several samples (< 0 on a bad tag). */
int tg_lua_metrics__tagset(struct tg_rt *rt, const struct tg_tag *tags, size_t n);
/* The series of metric under an interned tag set (created as needed); < 0 without one. */
int tg_lua_metrics__series(struct tg_rt *rt, uint32_t metric, int tagset);
/* Records into a series tg_lua_metrics__series gave (sid < 0: nothing). */
void tg_lua_metrics__record_sid(struct tg_rt *rt, uint32_t metric, int sid, double value);
/* Records into metric under an interned tag set. 0 or < 0. */
int tg_lua_metrics__record_ts(struct tg_rt *rt, uint32_t metric, int tagset, double value);
/* Adds open, csv and json_file (the data-file readers) to the table on top. */
void tg_lua_data__register(lua_State *L, struct tg_rt *rt);
/* A Lua error naming what unless the init context is running (files are read only there). */
void tg_lua_data__init_only(lua_State *L, const char *what);
/* Adds shared, pairs and ipairs (k6's SharedArray) to the table on top. */
void tg_lua_shared__register(lua_State *L, struct tg_rt *rt);
/* Whether the value at idx is read-only shared data (a tailgate.shared proxy). */
bool tg_lua_shared__is(lua_State *L, int idx);
/* Pops the env table on top into the registry; gives the module below it tailgate.env. */
void tg_lua_scenario__env(lua_State *L, struct tg_rt *rt);
/* Frees the runtime's origins (lua_http.c owns their layout). */
void tg_lua_http__free_origins(struct tg_rt *rt);

/* ---- tailgate.http: http_xchg, http_build, lua_http* ---------------------------- */

/* A script's http call: where its arguments are on the Lua stack (0: absent). */
struct tg_http_call {
    struct tg_rt *rt;
    const char *method; /* upper case */
    int url;            /* the URL, or a path for a client */
    int body;
    int params;
    int client; /* the table of an http.client */
};

/* The pieces a request is composed from. */
struct tg_http_parts {
    const char *method;
    const struct tg_url *u;
    struct tg_span hdrs; /* the script's header lines, each ending in CRLF */
    struct tg_span cks;  /* the script's cookies, "a=1; b=2" */
    struct tg_span body;
    uint8_t flags; /* TG_HTTP_F_* */
};

/* http_xchg.c: the runtime's HTTP state (rt->http) and its origins. 0 or TG_ENOMEM. */
int tg_http_xchg__rt_init(struct tg_rt *rt);
void tg_http_xchg__rt_fini(struct tg_rt *rt);
/* http_xchg.c: a VU's built-in exchange and connection; everything else it allocated. */
void tg_http_xchg__vu_init(struct tg_vu *vu);
void tg_http_xchg__vu_fini(struct tg_vu *vu);
/* http_xchg.c: the VU's exchange i (0: the built-in one), allocated on first use; NULL: no memory.
 */
struct tg_http_xchg *tg_http_xchg__get(struct tg_vu *vu, int i);
/* http_xchg.c: the origin of u (created on first use); NULL: no memory. */
struct tg_origin *tg_http_xchg__origin(struct tg_rt *rt, const struct tg_url *u);
/* http_xchg.c: a stream (tailgate.ws, tailgate.sse) waiting for its origin's name lookup. */
struct tg_origin_wait {
    void (*cb)(struct tg_origin_wait *w); /* the lookup ended: ask for the target again */
    struct tg_origin_wait *next;          /* the origin's list of waiting streams */
    struct tg_origin_wait *prev;
    struct tg_origin *o; /* the origin waited for; NULL when not waiting */
};
/*
 * http_xchg.c: o's connection target when its addresses are fresh, or its
 * lookup failed, or it is off the allow-list (n_addrs is 0 then, with the
 * error code in resolve_error). Otherwise starts or joins the lookup and
 * returns NULL with w waiting: w->cb comes from the loop when the lookup
 * ends, never before this returns, and never resumes a VU itself. NULL with
 * *err < 0 when no lookup could start.
 */
struct tg_conn_target *tg_http_xchg__origin_target(struct tg_rt *rt, struct tg_origin *o,
                                                   struct tg_origin_wait *w, int *err);
/* http_xchg.c: w stops waiting (a closed stream); nothing when it is not waiting. */
void tg_http_xchg__origin_unwait(struct tg_origin_wait *w);
/* http_xchg.c: the absolute URL of x's last request (origin + target) into out; 0 if too long. */
size_t tg_http_xchg__base_url(const struct tg_http_xchg *x, char *out, size_t cap);
/* http_xchg.c: whether u names x's origin; x's origin's host name and scheme; its target. */
bool tg_http_xchg__same_origin(const struct tg_http_xchg *x, const struct tg_url *u);
const char *tg_http_xchg__host(const struct tg_http_xchg *x);
bool tg_http_xchg__tls(const struct tg_http_xchg *x);
struct tg_span tg_http_xchg__target(const struct tg_http_xchg *x);
/*
 * http_xchg.c: sends x's request (x->creq to x->origin), resolving the name
 * first when needed. The hop's end comes through tg_http_xchg__hop_done,
 * possibly before this returns. 0, or < 0 (too many waiting for a lookup).
 */
int tg_http_xchg__dispatch(struct tg_http_xchg *x);
/* http_xchg.c: vu's exchanges in flight to o. */
int tg_http_xchg__in_flight(struct tg_vu *vu, const struct tg_origin *o);
/* http_xchg.c: a hop of x is over (x->res): record it, then redirect or deliver. */
void tg_http_xchg__hop_done(struct tg_http_xchg *x);
/* http_xchg.c: drops vu's requests in flight without calling back (tg_vu_abort). */
void tg_http_xchg__abort(struct tg_vu *vu);
/* http_xchg.c: fails vu's requests whose deadlines passed. */
void tg_http_xchg__check_deadlines(struct tg_vu *vu, tg_ns now);

/* http_build.c: x's request from the script's call; raises a Lua error on bad input. */
void tg_http_build__request(lua_State *L, struct tg_http_xchg *x, const struct tg_http_call *c);
/*
 * http_build.c: writes the request of p into *buf (growing it; *cap its size,
 * *len the bytes written) and records in x where its pieces are. 0 or TG_ENOMEM.
 */
int tg_http_build__compose(struct tg_http_xchg *x, const struct tg_http_parts *p, char **buf,
                           size_t *cap, size_t *len);
/* http_build.c: sets x's url (the url tag and the response's url), cut at 2047 bytes. */
void tg_http_build__set_url(struct tg_http_xchg *x, const char *url);
/* http_build.c: pushes params[name], else the client's (nil when neither); returns its type. */
int tg_http_build__field(lua_State *L, const struct tg_http_call *c, const char *name);

/*
 * http_redirect.c: whether x's last hop (r: its head) is a redirect to
 * follow; if so the resolved URL is in next and parsed in rt->url. Sets
 * x->error_code when the limit is reached or the Location is bad.
 */
bool tg_http_redirect__check(struct tg_http_xchg *x, const struct tg_h1_resp *r, char *next,
                             size_t cap);
/* http_redirect.c: sends x's next hop to next (after a true check). 0, or < 0. */
int tg_http_redirect__follow(struct tg_http_xchg *x, const char *next);
/* lua_http_cookies.c: stores the Set-Cookie headers of x's last hop in the VU's jar. */
void tg_lua_http_cookies__store(struct tg_http_xchg *x, const struct tg_h1_resp *r);
/* lua_http_cookies.c: empties the VU's jar (a new iteration, as k6). */
void tg_lua_http_cookies__reset(struct tg_vu *vu);
/* lua_http_cookies.c: adds cookie_jar to the table on top. */
void tg_lua_http_cookies__register(lua_State *L, struct tg_rt *rt);

/*
 * http_retry.c: x's attempt is over and its response would go to the script:
 * whether x's retry policy sends it again instead (then it waits its backoff
 * on x's timer and goes; the caller does nothing more). Counts budget refusals.
 */
bool tg_http_retry__again(struct tg_http_xchg *x);
/* http_retry.c: x's response goes to the script: records its attempts (with a policy). */
void tg_http_retry__done(struct tg_http_xchg *x);
/* lua_http_retry.c: x's retry policy from params.retry or the client's; resets its attempts. */
void tg_lua_http_retry__of(lua_State *L, const struct tg_http_call *c, struct tg_http_xchg *x);
/* lua_http_retry.c: raises a Lua error unless the value at idx is a retry policy. */
void tg_lua_http_retry__check(lua_State *L, int idx);

/* lua_http_batch.c: sends the VU's queued batch requests while their origins have room. */
void tg_lua_http_batch__pump(struct tg_vu *vu);
/* lua_http_batch.c: a batch's request x is over: its response joins the results. */
void tg_lua_http_batch__done(struct tg_http_xchg *x, const struct tg_h1_resp *r);
/* lua_http_batch.c: runs the batch of the table at reqs (client: 0 or an http.client). */
int tg_lua_http_batch__run(lua_State *L, int reqs, int client);
/* lua_http_batch.c, lua_http_client.c: add batch, client to the table on top. */
void tg_lua_http_batch__register(lua_State *L, struct tg_rt *rt);
void tg_lua_http_client__register(lua_State *L, struct tg_rt *rt);

/* lua_http.c: runs c on the VU's built-in exchange: returns the response or yields. */
int tg_lua_http__call(lua_State *L, struct tg_http_call *c);
/* lua_http.c: the method at idx in upper case, into m (16 bytes); raises when too long. */
const char *tg_lua_http__method(lua_State *L, int idx, char *m);
/* lua_http_resp.c: pushes x's response table (r: its parsed head, or NULL). */
void tg_lua_http__push_response(lua_State *L, struct tg_http_xchg *x, const struct tg_h1_resp *r);
/* lua_http_resp.c: records the samples of x's last hop. */
void tg_lua_http__record(struct tg_http_xchg *x);
/* lua_http_expect.c: adds expected_statuses and set_expected to the table on top. */
void tg_lua_http_expect__register(lua_State *L, struct tg_rt *rt);
/* lua_http_expect.c: x's expected statuses from params, the client or the default. */
void tg_lua_http_expect__of(lua_State *L, const struct tg_http_call *c, struct tg_http_xchg *x);
/* lua_http_expect.c: whether the value at idx is an expected-statuses object. */
bool tg_lua_http_expect__is(lua_State *L, int idx);

/* ---- tailgate.ws and tailgate.sse: lua_stream, lua_stream_spec, lua_ws, lua_sse -------- */

struct tg_lua_stream;
struct tg_lua_stream_proto;
struct tg_fifo_rec;

/* lua_stream_spec.c: the runtime's stream state and the two modules' loaders. 0 or TG_ENOMEM. */
int tg_lua_stream__register(lua_State *L, struct tg_rt *rt);
void tg_lua_stream__rt_fini(struct tg_rt *rt);
/* lua_stream.c: ends every session vu opened (its iteration is over, or it was aborted). */
void tg_lua_stream__end_all(struct tg_vu *vu);
/*
 * lua_stream.c: a new session of protocol p (size bytes of userdata) on top
 * of L, listed in vu and anchored until its iteration ends. Raises a Lua
 * error when vu has TG_LUA_STREAM_PER_VU open.
 */
struct tg_lua_stream *tg_lua_stream__new(lua_State *L, struct tg_vu *vu,
                                         const struct tg_lua_stream_proto *p, size_t size);
/*
 * lua_stream_spec.c: the call's URL (at url) and params (at params: headers,
 * tags, timeout, and the names in extra, NULL-terminated, which the caller
 * reads itself) into s's spec; raises a Lua error naming what on bad input.
 */
void tg_lua_stream__spec(lua_State *L, struct tg_lua_stream *s, const char *what, int url,
                         int params, const char *const *extra);
/* lua_stream.c: starts (or starts again) s's open: 0 under way, or the error code it failed with.
 */
int tg_lua_stream__open(struct tg_lua_stream *s);
/*
 * lua_stream.c: returns what the wait w (enum tg_lua_stream_wait) gives when
 * it is over already, else yields the VU until it is or timeout_ns passed.
 */
int tg_lua_stream__wait(lua_State *L, struct tg_lua_stream *s, int w, tg_ns timeout_ns);
/* lua_stream.c: the connection is over (closed, its duration and bytes recorded). */
void tg_lua_stream__end_conn(struct tg_lua_stream *s);
/* lua_stream.c: counts the failure code, then ends the connection. */
void tg_lua_stream__fail(struct tg_lua_stream *s, int code);
/* lua_stream.c: __gc of sessions. */
int tg_lua_stream__gc(lua_State *L);
/* lua_stream_spec.c: s opened: its samples' tag set and series are interned. */
void tg_lua_stream__opened(struct tg_lua_stream *s);
/* lua_stream_spec.c: a sample of metric m (TG_LUA_STREAM_M_*) with s's tags. */
void tg_lua_stream__record(struct tg_lua_stream *s, int m, double v);
/* lua_stream_spec.c: counts a failure with its error_code (the first is kept in s). */
void tg_lua_stream__error(struct tg_lua_stream *s, int code);
/* lua_stream_spec.c: data_sent and data_received of a connection. */
void tg_lua_stream__bytes(struct tg_lua_stream *s, uint64_t sent, uint64_t received);
/* lua_stream_spec.c: the session at 1 of protocol p, usable by the running VU (else raises). */
struct tg_lua_stream *tg_lua_stream__check(lua_State *L, const struct tg_lua_stream_proto *p,
                                           const char *what);
/* lua_stream_spec.c: pushes s's common field k (closed, status, error, error_code, url). */
bool tg_lua_stream__field(lua_State *L, const struct tg_lua_stream *s, const char *k);
/* lua_stream_spec.c: a receive's timeout at idx (ms or a duration; nil: dflt); raises naming what.
 */
tg_ns tg_lua_stream__timeout(lua_State *L, int idx, tg_ns dflt, const char *what);
/* lua_stream_spec.c: 64 random bits (masking keys, ping payloads). */
uint64_t tg_lua_stream__random(struct tg_rt *rt);
/* lua_ws.c, lua_sse.c: the protocols, and their module tables pushed with their metatables made. */
extern const struct tg_lua_stream_proto tg_lua_ws__proto;
extern const struct tg_lua_stream_proto tg_lua_sse__proto;
void tg_lua_ws__module(lua_State *L, struct tg_rt *rt);
void tg_lua_sse__module(lua_State *L, struct tg_rt *rt);

#endif
