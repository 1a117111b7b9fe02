/*
 * srv_reply — answering one request on a serve connection: choose the
 * response from the route (the table is in srv_route.h), apply the model —
 * --error-rate and the capacity slots for the modelled routes, the timer for
 * /delay, the stall gate for everything but /__stats — then write it: a
 * canned response is copied, a small one formatted in place, a large one
 * streamed from srv_body as the output buffer drains. Part of the connection
 * object described in serve/internal.h and srv_conn.h.
 *
 * Counting: a response is counted (responses, by_status) when its last byte
 * is in the output buffer.
 *
 * Hot file: no allocation, no stdio; the clock is read only when a model
 * feature (service time, delay, stall) is in use.
 */
#include "core/clock.h"
#include "serve/internal.h"
#include "serve/srv_fmt.h"

#include <string.h>

#define FILL_ROUNDS 16                           /* body buffer-fulls per callback, then yield */
#define SMALL_MAX   (TG_SRV_RESP_HEAD_MAX + 256) /* room for a head + small formatted body */

static void plan_canned(struct tg_srv_conn *c, enum tg_srv_canned which)
{
    c->reply = TG_SRV_REPLY_CANNED;
    c->status = c->srv->canned.status[which];
    c->canned =
        tg_srv_resp_canned(&c->srv->canned, which, (enum tg_srv_conn_mode)c->mode, c->head_only);
}

static void plan(struct tg_srv_conn *c, enum tg_srv_reply_kind kind, unsigned status)
{
    c->reply = (uint8_t)kind;
    c->status = (uint16_t)status;
}

static void plan_stream(struct tg_srv_conn *c, const char *ctype)
{
    c->ctype = ctype;
    plan(c, TG_SRV_REPLY_STREAM, 200);
}

enum tg_srv_conn_step tg_srv_reply__fail(struct tg_srv_conn *c, enum tg_srv_canned which,
                                         const char *text)
{
    c->mode = TG_SRV_MODE_CLOSE;
    c->close_after = true;
    c->in_r = c->in_w; /* what follows cannot be framed: the linger drains it */
    c->head_only = false;
    if (text) {
        c->error = text;
        plan(c, TG_SRV_REPLY_TEXT, 400);
    } else {
        plan_canned(c, which);
    }
    c->state = TG_SRV_CONN_RESPOND;
    return TG_SRV_CONN_CONTINUE;
}

static void on_served(struct tg_capacity_waiter *w)
{
    struct tg_srv_conn *c = TG_SRV_CONN_OF(w, slot);
    c->state = TG_SRV_CONN_RESPOND;
    tg_srv_conn__pump(c);
}

static void on_delay_end(struct tg_srv_timer *t, tg_ns now_ns)
{
    (void)now_ns;
    struct tg_srv_conn *c = TG_SRV_CONN_OF(t, timer);
    c->state = TG_SRV_CONN_RESPOND;
    tg_srv_conn__pump(c);
}

static void on_stall_end(struct tg_srv_stall_waiter *w)
{
    struct tg_srv_conn *c = TG_SRV_CONN_OF(w, hold);
    c->state = TG_SRV_CONN_RESPOND;
    tg_srv_conn__pump(c);
}

/* Plans the response of a valid request by route. */
static void plan_route(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    switch ((enum tg_srv_route)c->route) {
    case TG_SRV_ROUTE_ROOT:
    case TG_SRV_ROUTE_DELAY:
        plan_canned(c, TG_SRV_CANNED_ROOT);
        break;
    case TG_SRV_ROUTE_HEALTH:
        plan_canned(c, TG_SRV_CANNED_HEALTH);
        break;
    case TG_SRV_ROUTE_FEED:
        tg_srv_body_init_feed(&c->body, c->id, c->id_len, (uint32_t)c->n);
        plan_stream(c, "application/json");
        break;
    case TG_SRV_ROUTE_POST:
        c->n = ++srv->next_post_id;
        plan(c, TG_SRV_REPLY_CREATED, 201);
        break;
    case TG_SRV_ROUTE_STATUS:
        plan(c, TG_SRV_REPLY_STATUS, (unsigned)c->n);
        break;
    case TG_SRV_ROUTE_BYTES:
        tg_srv_body_init_bytes(&c->body, c->n);
        plan_stream(c, "application/octet-stream");
        break;
    case TG_SRV_ROUTE_CHUNKED:
        if (c->minor == 0) { /* no chunked coding in HTTP/1.0: a close-delimited body */
            c->mode = TG_SRV_MODE_CLOSE;
            c->close_after = true;
        }
        tg_srv_body_init_chunks(&c->body, c->n, c->minor > 0);
        plan_stream(c, "text/plain");
        break;
    case TG_SRV_ROUTE_REDIRECT:
    case TG_SRV_ROUTE_REDIRECT_TO:
    case TG_SRV_ROUTE_ECHO:
    case TG_SRV_ROUTE_COOKIES:
        plan(c, TG_SRV_REPLY_AUX, c->aux_status);
        break;
    case TG_SRV_ROUTE_WS_TICKS:
    case TG_SRV_ROUTE_SSE_TICKS:
        tg_srv_stream__plan(c);
        break;
    case TG_SRV_ROUTE_STATS:
        plan(c, TG_SRV_REPLY_STATS, 200);
        break;
    case TG_SRV_ROUTE_STATS_RESET:
        tg_srv_stats_reset(&srv->stats);
        tg_capacity_reset_stats(&srv->cap);
        plan_canned(c, TG_SRV_CANNED_RESET);
        break;
    default:
        plan_canned(c, TG_SRV_CANNED_NOT_FOUND);
        break;
    }
}

enum tg_srv_conn_step tg_srv_reply__dispatch(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    c->state = TG_SRV_CONN_RESPOND;
    if (c->route == TG_SRV_ROUTE_POST && c->body_len == 0 && !c->error) {
        c->error = "empty body: POST /communities/:id/posts needs a JSON body";
    }
    if (c->error) {
        plan(c, TG_SRV_REPLY_TEXT, 400);
        return TG_SRV_CONN_CONTINUE;
    }
    plan_route(c);
    if (tg_srv_route_modelled((enum tg_srv_route)c->route)) {
        double rate = srv->error_rate;
        srv->stats.degraded_requests += srv->degrade.degraded;
        if (rate > 0 && tg_srv_rng_unit(&srv->rng) < rate) {
            plan_canned(c, TG_SRV_CANNED_INJECTED);
        }
        if (!tg_capacity_submit(&srv->cap, &c->slot, on_served)) {
            c->state = TG_SRV_CONN_WAIT;
        }
    } else if (c->route == TG_SRV_ROUTE_DELAY && c->n > 0) {
        c->state = TG_SRV_CONN_WAIT;
        tg_srv_timer_start(&srv->timers, &c->timer, tg_clock_now() + (tg_ns)c->n * TG_NS_PER_MS,
                           on_delay_end);
    }
    return TG_SRV_CONN_CONTINUE;
}

/* Formats a small body at dst + TG_SRV_RESP_HEAD_MAX, then its head before it. Returns total. */
static size_t write_small(struct tg_srv_conn *c, char *dst)
{
    char *body = dst + TG_SRV_RESP_HEAD_MAX;
    char *p = body;
    const char *ctype = "text/plain";
    switch (c->reply) {
    case TG_SRV_REPLY_TEXT:
        p += tg_srv_fmt_str(p, c->error);
        *p++ = '\n';
        break;
    case TG_SRV_REPLY_STATUS:
        p += tg_srv_fmt_u64(p, c->status);
        *p++ = ' ';
        p += tg_srv_fmt_str(p, tg_srv_resp_reason(c->status));
        *p++ = '\n';
        break;
    case TG_SRV_REPLY_CREATED:
        ctype = "application/json";
        p += tg_srv_fmt_str(p, "{\"id\":");
        p += tg_srv_fmt_u64(p, c->n);
        p += tg_srv_fmt_str(p, ",\"community\":\"");
        memcpy(p, c->id, c->id_len);
        p += c->id_len;
        p += tg_srv_fmt_str(p, "\"}");
        break;
    default: /* TG_SRV_REPLY_STATS */
        ctype = "application/json";
        p += tg_serve__stats_json(c->srv, p);
        break;
    }
    size_t body_len = (size_t)(p - body);
    bool bodiless = c->status == 204 || c->status == 304;
    size_t head =
        tg_srv_resp_head(dst, c->status, ctype, bodiless ? TG_SRV_RESP_NO_LEN : (int64_t)body_len,
                         (enum tg_srv_conn_mode)c->mode);
    if (c->head_only || bodiless) {
        body_len = 0;
    }
    memmove(dst + head, body, body_len);
    return head + body_len;
}

/* Writes an answer built from the request: head, aux's header lines, then its body. */
static size_t write_aux(struct tg_srv_conn *c, char *dst)
{
    char tail[40];
    size_t tail_len = c->aux_echo ? tg_srv_echo_finish(tail, c->body_len) : 0;
    size_t body_len = c->aux_body + tail_len;
    bool bodiless = c->status == 204 || c->status == 304;
    size_t head = tg_srv_resp_head(dst, c->status, c->aux_ctype,
                                   bodiless ? TG_SRV_RESP_NO_LEN : (int64_t)body_len,
                                   (enum tg_srv_conn_mode)c->mode);
    char *p = dst + head - 2; /* before the empty line: the extra header lines go there */
    memcpy(p, c->aux, c->aux_hdr);
    p += c->aux_hdr;
    memcpy(p, "\r\n", 2);
    p += 2;
    if (!c->head_only && !bodiless) {
        memcpy(p, c->aux + c->aux_hdr, c->aux_body);
        p += c->aux_body;
        memcpy(p, tail, tail_len);
        p += tail_len;
    }
    return (size_t)(p - dst);
}

/* Writes the head (and the whole body unless streamed). 1 written, 0 no room yet, -1 closed. */
static int write_start(struct tg_srv_conn *c)
{
    size_t need = c->reply == TG_SRV_REPLY_CANNED  ? c->canned.len
                  : c->reply == TG_SRV_REPLY_STATS ? TG_SRV_RESP_HEAD_MAX + TG_SRV_STATS_JSON_MAX
                  : c->reply == TG_SRV_REPLY_AUX
                      ? TG_SRV_RESP_HEAD_MAX + c->aux_hdr + c->aux_body + 40
                      : SMALL_MAX;
    int room = tg_srv_conn__make_room(c, need);
    if (room <= 0) {
        return room;
    }
    char *dst = c->out + c->out_w;
    if (c->reply == TG_SRV_REPLY_CANNED) {
        memcpy(dst, c->canned.ptr, c->canned.len);
        c->out_w += (uint32_t)c->canned.len;
    } else if (c->reply == TG_SRV_REPLY_AUX) {
        c->out_w += (uint32_t)write_aux(c, dst);
    } else if (c->reply >= TG_SRV_REPLY_WS_ACCEPT) {
        c->out_w += (uint32_t)tg_srv_stream__head(c, dst);
    } else if (c->reply == TG_SRV_REPLY_STREAM) {
        int64_t len = tg_srv_body_length(&c->body);
        if (len < 0) {
            len = c->body.framed ? TG_SRV_RESP_CHUNKED : TG_SRV_RESP_NO_LEN;
        }
        c->out_w += (uint32_t)tg_srv_resp_head(dst, c->status, c->ctype, len,
                                               (enum tg_srv_conn_mode)c->mode);
    } else {
        c->out_w += (uint32_t)write_small(c, dst);
    }
    return 1;
}

static enum tg_srv_conn_step finish(struct tg_srv_conn *c)
{
    if (tg_srv_conn__counted(c)) {
        c->srv->stats.responses++;
        c->srv->stats.by_status[c->status < TG_SRV_STATS_STATUS_MAX ? c->status : 0]++;
    }
    c->reply_started = false;
    if (c->aux) {
        tg_srv_bufpool_put(&c->srv->bufs, c->aux);
        c->aux = NULL;
    }
    if (c->reply == TG_SRV_REPLY_WS_ACCEPT || c->reply == TG_SRV_REPLY_SSE_OPEN) {
        return tg_srv_stream__start(c);
    }
    c->state = c->close_after ? TG_SRV_CONN_CLOSING : TG_SRV_CONN_HEAD;
    return TG_SRV_CONN_CONTINUE;
}

/* Holds the response while a stall window is open (never /__stats). true: held. */
static bool stalled(struct tg_srv_conn *c)
{
    struct tg_serve *srv = c->srv;
    bool exempt = c->route == TG_SRV_ROUTE_STATS || c->route == TG_SRV_ROUTE_STATS_RESET;
    if (c->stall_checked || exempt || srv->stall.stall_ns == 0) {
        return false;
    }
    c->stall_checked = true;
    if (!tg_srv_stall_hold(&srv->stall, &c->hold, tg_clock_now(), on_stall_end)) {
        return false;
    }
    c->state = TG_SRV_CONN_WAIT;
    return true;
}

enum tg_srv_conn_step tg_srv_reply__step(struct tg_srv_conn *c)
{
    if (!c->reply_started) {
        if (stalled(c)) {
            return TG_SRV_CONN_STOP;
        }
        int rc = write_start(c);
        if (rc <= 0) {
            return rc < 0 ? TG_SRV_CONN_CLOSED : TG_SRV_CONN_STOP;
        }
        c->reply_started = true;
        if (c->reply != TG_SRV_REPLY_STREAM || c->head_only) {
            return finish(c);
        }
    }
    for (int round = 0; round < FILL_ROUNDS; round++) {
        int rc = tg_srv_conn__make_room(c, TG_SRV_BODY_MIN_ROOM);
        if (rc <= 0) {
            return rc < 0 ? TG_SRV_CONN_CLOSED : TG_SRV_CONN_STOP;
        }
        bool done = false;
        c->out_w += (uint32_t)tg_srv_body_fill(&c->body, c->out + c->out_w,
                                               TG_SRV_BUF_SIZE - c->out_w, &done);
        if (done) {
            return finish(c);
        }
    }
    return TG_SRV_CONN_STOP; /* yield to other connections; the write watcher resumes */
}
