/*
 * http_retry — an exchange retrying its request; see http_retry.h.
 *
 * When the last hop of an attempt is over (a redirect hop is not an
 * attempt's end: it is followed), tg_http_retry__again decides:
 *
 *   - no policy, or an outcome the policy does not list: the response goes
 *     to the script;
 *   - the attempts are used up (1 + max): the same;
 *   - the policy has a budget and the worker's bucket has no whole token:
 *     refused, counted in http_req_retry_budget_exhausted{reason}, and the
 *     response goes to the script;
 *   - otherwise the exchange waits the backoff's next delay on its timer
 *     (the VU stays yielded) and sends the request that failed again — after
 *     redirects, the last hop's — recomposed so that it carries the jar's
 *     cookies of now. The send goes through tg_http_xchg__dispatch, so it
 *     waits for a --max-rps permit like any request; a batch's request
 *     queues again for room at its origin. http_req_retries{reason} counts it.
 *
 * Every attempt records its own samples (tagged attempt = 1, 2, ...), and
 * when the script gets the response, http_req_attempts records how many
 * attempts the logical request took: its mean is the amplification.
 *
 * Runs in the completion of a hop or on the loop's timer: no Lua, and no
 * allocation once the metrics' series exist.
 */
#include "script/http_retry.h"

#include "core/clock.h"
#include "net/errcode.h"
#include "script/internal.h"
#include "script/lua_scenario.h"

#include <string.h>

void tg_http_retry_seed(struct tg_rt *rt, uint64_t seed)
{
    /* not the sequence tailgate.between draws from the same worker seed */
    tg_backoff_rng_seed(&rt->http->rng, seed ^ 0x7265747279ULL);
}

/* The class of a failure without a status (TG_HTTP_RETRY_*); 0: none a policy may name. */
static int class_of(int error_code)
{
    switch (error_code) {
    case TG_ERR_REQUEST_TIMEOUT:
    case TG_ERR_TCP_DIAL_TIMEOUT:
        return TG_HTTP_RETRY_TIMEOUT;
    case TG_ERR_TCP_RESET:
    case TG_ERR_TCP_BROKEN_PIPE:
        return TG_HTTP_RETRY_RESET;
    case TG_ERR_TCP_DIAL_REFUSED:
        return TG_HTTP_RETRY_REFUSED;
    case TG_ERR_DNS:
    case TG_ERR_DNS_NO_SUCH_HOST:
        return TG_HTTP_RETRY_DNS;
    default:
        return 0;
    }
}

/* Why the policy retries x's last attempt: its status, or -TG_HTTP_RETRY_*; 0: it does not. */
static int why_of(const struct tg_http_xchg *x)
{
    const struct tg_http_retry *p = &x->retry;
    if (x->error_code) {
        return 0; /* tailgate's own verdict (redirect limit, bad Location) is final */
    }
    if (x->res.error_code) {
        int c = class_of(x->res.error_code);
        return (p->on & c) ? -c : 0;
    }
    for (uint8_t i = 0; i < p->n_status; i++) {
        if (x->res.status >= p->status[i].lo && x->res.status <= p->status[i].hi) {
            return x->res.status;
        }
    }
    return 0;
}

/* The reason tag of why: "503", "timeout", ... (buf: 4 bytes for a status). */
static const char *why_name(int why, char *buf)
{
    switch (-why) {
    case TG_HTTP_RETRY_TIMEOUT:
        return "timeout";
    case TG_HTTP_RETRY_RESET:
        return "reset";
    case TG_HTTP_RETRY_REFUSED:
        return "refused";
    case TG_HTTP_RETRY_DNS:
        return "dns";
    default: /* a status, 100..599: no printf on this path */
        buf[0] = (char)('0' + why / 100);
        buf[1] = (char)('0' + why / 10 % 10);
        buf[2] = (char)('0' + why % 10);
        buf[3] = '\0';
        return buf;
    }
}

/*
 * Records v into metric id (registered with the runtime; < 0: nothing),
 * tagged as the request's other samples without its URL: the scenario's
 * tags, scenario, group, the request's own tags, and reason when given.
 */
static void record(struct tg_http_xchg *x, int id, const char *reason, double v)
{
    struct tg_vu *vu = x->vu;
    struct tg_rt *rt = vu->rt;
    if (id < 0) {
        return;
    }
    struct tg_tag t[TG_TAGS_MAX];
    size_t n = 0;
    for (size_t i = 0; vu->scen && i < vu->scen->n_tags; i++) {
        t[n++] = vu->scen->tags[i];
    }
    t[n++] = (struct tg_tag){ "scenario", vu->scenario };
    if (vu->group[0]) {
        t[n++] = (struct tg_tag){ "group", vu->group };
    }
    for (size_t i = 0; i < x->n_req_tags && n < TG_ARRAY_LEN(t) - 1; i++) {
        t[n++] = x->req_tags[i];
    }
    if (reason) {
        t[n++] = (struct tg_tag){ "reason", reason };
    }
    tg_lua_metrics__record_c(rt, (uint32_t)id, t, n, v);
}

/*
 * Composes x's request again from its pieces (the script's headers and
 * cookies, the body) for the same URL, so it carries the jar's cookies of
 * now. On failure (no memory) the bytes of the last attempt stay, still a
 * valid request.
 */
static void recompose(struct tg_http_xchg *x)
{
    struct tg_rt *rt = x->vu->rt;
    struct tg_http_rt *h = rt->http;
    char url[TG_HTTP_URL_MAX];
    struct tg_diag d = { "" };
    if (tg_http_xchg__base_url(x, url, sizeof(url)) == 0 || tg_url_parse(url, rt->url, &d) < 0) {
        return;
    }
    struct tg_http_parts p = {
        x->method,
        rt->url,
        { x->req + x->hdr_off, x->hdr_len },
        { x->req + x->ck_off, x->ck_len },
        { x->req + x->req_len - x->body_len, x->body_len },
        x->flags,
    };
    size_t len;
    if (tg_http_build__compose(x, &p, &h->buf, &h->buf_cap, &len) < 0) {
        return;
    }
    char *swap = x->req; /* the new bytes become the exchange's; the old buffer the scratch */
    size_t swap_cap = x->req_cap;
    x->req = h->buf;
    x->req_cap = h->buf_cap;
    x->req_len = len;
    h->buf = swap;
    h->buf_cap = swap_cap;
    x->creq.bytes = x->req;
    x->creq.len = len;
}

static void retry_due(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_http_xchg *x = t->data;
    struct tg_rt *rt = x->vu->rt;
    char buf[4];
    record(x, rt->http->m_retries, why_name(x->retry_why, buf), 1);
    recompose(x);
    if (x->batch_key >= 0) {
        x->state = TG_HTTP_XCHG_QUEUED; /* waits for room at its origin, as at first */
        tg_lua_http_batch__pump(x->vu);
        return;
    }
    x->state = TG_HTTP_XCHG_IDLE;
    if (tg_http_xchg__dispatch(x) < 0) {
        memset(&x->res, 0, sizeof(x->res));
        x->res.error_code = TG_ERR_DNS; /* too many requests waiting for one lookup */
        tg_http_xchg__hop_done(x);
    }
}

bool tg_http_retry__again(struct tg_http_xchg *x)
{
    const struct tg_http_retry *p = &x->retry;
    if (p->max == 0) {
        return false;
    }
    struct tg_http_rt *h = x->vu->rt->http;
    if (x->attempt == 1 && p->budget_milli) {
        tg_retry_budget_deposit(&h->budget, p->budget_milli);
    }
    int why = why_of(x);
    tg_ns delay;
    if (why == 0 || x->attempt > p->max ||
        tg_backoff_next(&x->backoff, &p->backoff, &h->rng, &delay) < 0) {
        return false;
    }
    if (p->budget_milli && !tg_retry_budget_withdraw(&h->budget)) {
        char buf[4];
        record(x, h->m_exhausted, why_name(why, buf), 1);
        return false;
    }
    x->attempt++;
    x->retry_why = (int16_t)why;
    x->state = TG_HTTP_XCHG_BACKOFF;
    ev_timer_init(&x->retry_t, retry_due, (double)delay / 1e9, 0);
    x->retry_t.data = x;
    ev_now_update(x->vu->rt->loop); /* the delay counts from now, not from the loop's last wake */
    ev_timer_start(x->vu->rt->loop, &x->retry_t);
    if (x->batch_key >= 0) {
        tg_lua_http_batch__pump(x->vu); /* its room at the origin is free while it waits */
    }
    return true;
}

void tg_http_retry__done(struct tg_http_xchg *x)
{
    if (x->retry.max) {
        record(x, x->vu->rt->http->m_attempts, NULL, x->attempt);
    }
}
