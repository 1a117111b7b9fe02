/*
 * killswitch — external stop conditions; see killswitch.h.
 */
#include "exec/killswitch.h"

#include "core/alloc.h"
#include "core/clock.h"
#include "http/h1_write.h"
#include "net/errcode.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void fire(struct tg_killswitch *k, const char *reason)
{
    if (k->fired) {
        return;
    }
    k->fired = true;
    ev_timer_stop(k->loop, &k->poll_t);
    ev_timer_stop(k->loop, &k->file_t);
    k->on_stop(k->owner, reason);
}

static void file_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_killswitch *k = t->data;
    struct stat st;
    if (stat(k->rails->kill_file, &st) == 0) {
        char reason[600];
        snprintf(reason, sizeof(reason), "kill file %s appeared", k->rails->kill_file);
        fire(k, reason);
    }
}

static void answered(struct tg_conn *c, void *ctx)
{
    struct tg_killswitch *k = ctx;
    k->polling = false;
    int status = c->res.status;
    int err = c->res.error_code;
    tg_conn_close(c); /* a fresh connection for every poll */
    char reason[600];
    if (err == 0 && status >= 200 && status < 300) {
        k->misses = 0;
        return;
    }
    if (err == 0) {
        snprintf(reason, sizeof(reason), "kill switch %s answered %d", k->rails->kill_url, status);
        fire(k, reason);
        return;
    }
    if (++k->misses >= k->rails->kill_failures) {
        snprintf(reason, sizeof(reason), "kill switch %s unreachable for %u poll%s (%s)",
                 k->rails->kill_url, k->misses, k->misses == 1 ? "" : "s", tg_errcode_name(err));
        fire(k, reason);
    }
}

static void poll_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct tg_killswitch *k = t->data;
    tg_ns now = tg_clock_now();
    if (k->polling) { /* the previous poll outlived its interval: it is a miss */
        tg_conn_check_deadlines(&k->conn, now);
        if (k->polling) {
            tg_conn_fail(&k->conn, TG_ERR_REQUEST_TIMEOUT);
        }
        if (k->fired) {
            return;
        }
    }
    k->polling = true;
    tg_conn_send(&k->conn, &k->target, &k->req, now);
}

int tg_killswitch_init(struct tg_killswitch *k, struct ev_loop *loop,
                       const struct tg_plan_rails *rails, struct tg_diag *d)
{
    memset(k, 0, sizeof(*k));
    k->loop = loop;
    k->rails = rails;
    ev_timer_init(&k->file_t, file_cb, 1.0, 1.0);
    ev_timer_init(&k->poll_t, poll_cb, 0, (double)rails->kill_interval_ns / 1e9);
    k->file_t.data = k->poll_t.data = k;
    if (!rails->kill_url) {
        return 0;
    }
    if (tg_url_parse(rails->kill_url, &k->url, d) < 0) {
        tg_diag_prefix(d, "--kill-switch");
        return TG_EINVAL;
    }
    if (k->url.tls) { /* before anything is set up: fini has nothing to undo */
        tg_diag_set(d, "--kill-switch: https is not supported for the kill switch; use http");
        return TG_EINVAL;
    }
    struct tg_h1_request_spec spec = { "GET", &k->url, NULL, 0, NULL, 0 };
    size_t len;
    int rc = tg_h1_write_request(&spec, &k->request, &len, d);
    if (rc < 0 || tg_conn_env_init(&k->env, loop, 16384, 1 << 20) < 0) {
        tg_diag_set(d, "--kill-switch: cannot prepare the poll");
        return rc < 0 ? rc : TG_ENOMEM;
    }
    tg_conn_init(&k->conn, &k->env, answered, k); /* from here on fini closes it */
    struct tg_diag rd;
    int n = tg_addr_resolve(k->url.host, k->url.port, k->addrs, (int)TG_ARRAY_LEN(k->addrs), &rd);
    k->target = (struct tg_conn_target){
        k->addrs,    n > 0 ? n : 0, 0,    n == TG_ENOENT ? TG_ERR_DNS_NO_SUCH_HOST : TG_ERR_DNS,
        k->url.host, NULL,          false
    };
    tg_ns interval = rails->kill_interval_ns;
    k->req = (struct tg_conn_req){ k->request, len, false, interval, interval, NULL };
    return 0;
}

void tg_killswitch_start(struct tg_killswitch *k, void (*on_stop)(void *, const char *),
                         void *owner)
{
    k->on_stop = on_stop;
    k->owner = owner;
    if (k->rails->kill_file) {
        ev_timer_start(k->loop, &k->file_t);
        file_cb(k->loop, &k->file_t, 0);
    }
    if (k->rails->kill_url && !k->fired) {
        ev_timer_start(k->loop, &k->poll_t);
    }
}

void tg_killswitch_fini(struct tg_killswitch *k)
{
    if (!k->loop) {
        return;
    }
    ev_timer_stop(k->loop, &k->poll_t);
    ev_timer_stop(k->loop, &k->file_t);
    if (k->rails && k->rails->kill_url && k->env.loop) {
        tg_conn_close(&k->conn);
        tg_conn_env_fini(&k->env);
    }
    tg_free(k->request);
}
