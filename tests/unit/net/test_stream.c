/*
 * test_stream — the long-lived connection against a peer socket the test
 * accepts itself on loopback: it opens (on_open), carries bytes both ways,
 * reports the peer's close as a 0-byte read, bounds its unsent bytes
 * (TG_E2BIG refuses a write whole, and what was accepted arrives exactly
 * once the peer reads), fails a refused connect with 1212 and an unresolved
 * target at once, and never calls back once closed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/clock.h"
#include "net/errcode.h"
#include "net/stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct rec {
    int opened;
    int readable;
    int errors;
    int last_error;
};

static void on_open(struct tg_stream *s)
{
    ((struct rec *)s->ctx)->opened++;
}

static void on_readable(struct tg_stream *s)
{
    ((struct rec *)s->ctx)->readable++;
}

static void on_error(struct tg_stream *s, int code)
{
    struct rec *r = s->ctx;
    r->errors++;
    r->last_error = code;
}

static const struct tg_stream_ops ops = { on_open, on_readable, on_error };

struct fx {
    struct ev_loop *loop;
    int lfd;
    int port;
    struct tg_addr addr;
    struct tg_conn_target target;
    struct tg_stream s;
    struct rec rec;
};

static void fx_setup(struct fx *f, size_t out_max)
{
    memset(f, 0, sizeof(*f));
    f->loop = ev_loop_new(EVFLAG_AUTO);
    f->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(f->lfd, 8), 0);
    socklen_t len = sizeof(a);
    getsockname(f->lfd, (struct sockaddr *)&a, &len);
    f->port = ntohs(a.sin_port);
    assert_int_equal(tg_addr_parse_list("127.0.0.1", f->port, &f->addr, 1), 1);
    f->target = (struct tg_conn_target){ &f->addr, 1, 0, 0, "127.0.0.1", NULL, false };
    tg_stream_init(&f->s, f->loop, &ops, &f->rec, out_max);
}

static void fx_teardown(struct fx *f)
{
    tg_stream_close(&f->s);
    close(f->lfd);
    ev_loop_destroy(f->loop);
}

/* Runs the loop until *counter passes before (at most ~5 s). */
static void run_until(struct fx *f, const int *counter, int before)
{
    for (int i = 0; i < 5000 && *counter == before; i++) {
        ev_run(f->loop, EVRUN_ONCE | EVRUN_NOWAIT);
        if (*counter == before) {
            usleep(1000);
        }
    }
    assert_int_not_equal(*counter, before);
}

/* Connects and accepts: the peer's socket. */
static int open_pair(struct fx *f)
{
    assert_int_equal(tg_stream_connect(&f->s, &f->target, tg_clock_now()), 0);
    run_until(f, &f->rec.opened, 0);
    assert_int_equal(f->s.state, TG_STREAM_OPEN);
    int peer = accept(f->lfd, NULL, NULL);
    assert_true(peer >= 0);
    return peer;
}

static void test_tg_stream_both_ways_then_peer_close(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f, 1 << 20);
    int peer = open_pair(&f);
    assert_true(f.s.t_open >= f.s.t_connected && f.s.t_connected >= f.s.t_conn_start);
    assert_int_equal(tg_stream_write(&f.s, "hello", 5), 0);
    char buf[64];
    assert_int_equal(read(peer, buf, sizeof(buf)), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(write(peer, "world", 5), 5);
    tg_stream_want_read(&f.s, true);
    run_until(&f, &f.rec.readable, 0);
    int code;
    assert_int_equal(tg_stream_read(&f.s, buf, sizeof(buf), &code), 5);
    assert_memory_equal(buf, "world", 5);
    assert_int_equal(tg_stream_read(&f.s, buf, sizeof(buf), &code), TG_EAGAIN);
    close(peer);
    int seen = f.rec.readable;
    run_until(&f, &f.rec.readable, seen);
    assert_int_equal(tg_stream_read(&f.s, buf, sizeof(buf), &code), 0); /* the peer's end */
    assert_int_equal(f.s.bytes_sent, 5);
    assert_int_equal(f.s.bytes_received, 5);
    assert_int_equal(f.rec.errors, 0);
    fx_teardown(&f);
}

static void test_tg_stream_write_bounded(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f, 65536);
    int peer = open_pair(&f);
    int small = 16384;
    setsockopt(f.s.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)); /* fills sooner */
    char chunk[8192];
    memset(chunk, 'x', sizeof(chunk));
    size_t accepted = 0;
    int rc = 0;
    for (int i = 0; i < 10000 && rc == 0; i++) { /* the peer reads nothing: the buffer fills */
        rc = tg_stream_write(&f.s, chunk, sizeof(chunk));
        accepted += rc == 0 ? sizeof(chunk) : 0;
    }
    assert_int_equal(rc, TG_E2BIG);
    assert_true(tg_stream_unsent(&f.s) <= 65536);
    assert_true(tg_stream_unsent(&f.s) + sizeof(chunk) > 65536); /* refused whole, at the cap */
    fcntl(peer, F_SETFL, O_NONBLOCK);
    size_t got = 0;
    for (int i = 0; i < 50000 && got < accepted; i++) {
        ssize_t n = read(peer, chunk, sizeof(chunk));
        got += n > 0 ? (size_t)n : 0;
        ev_run(f.loop, EVRUN_ONCE | EVRUN_NOWAIT); /* the watcher sends what waits */
        if (n <= 0) {
            usleep(200);
        }
    }
    assert_int_equal(got, accepted); /* every accepted byte, once */
    assert_int_equal(tg_stream_unsent(&f.s), 0);
    assert_int_equal(f.s.bytes_sent, accepted);
    close(peer);
    fx_teardown(&f);
}

static void test_tg_stream_refused(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f, 4096);
    close(f.lfd); /* nobody listens there now */
    f.lfd = socket(AF_INET, SOCK_STREAM, 0);
    int rc = tg_stream_connect(&f.s, &f.target, tg_clock_now());
    if (rc == 0) {
        run_until(&f, &f.rec.errors, 0);
        rc = f.rec.last_error;
    }
    assert_int_equal(rc, TG_ERR_TCP_DIAL_REFUSED);
    assert_int_equal(f.s.state, TG_STREAM_CLOSED);
    assert_int_equal(f.rec.opened, 0);
    fx_teardown(&f);
}

static void test_tg_stream_unresolved_fails_at_once(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f, 4096);
    f.target.n_addrs = 0;
    f.target.resolve_error = TG_ERR_HOST_NOT_ALLOWED;
    assert_int_equal(tg_stream_connect(&f.s, &f.target, tg_clock_now()), TG_ERR_HOST_NOT_ALLOWED);
    assert_int_equal(f.s.state, TG_STREAM_CLOSED);
    ev_run(f.loop, EVRUN_NOWAIT);
    assert_int_equal(f.rec.errors + f.rec.opened, 0);
    fx_teardown(&f);
}

static void test_tg_stream_no_callback_after_close(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f, 1 << 20);
    int peer = open_pair(&f);
    struct linger lg = { 1, 0 };
    setsockopt(peer, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(peer); /* a reset */
    usleep(10000);
    char big[4096] = { 0 };
    for (int i = 0; i < 4 && f.s.err == 0; i++) {
        (void)tg_stream_write(&f.s, big, sizeof(big)); /* the failure is parked for the watcher */
    }
    assert_int_not_equal(f.s.err, 0);
    tg_stream_want_read(&f.s, true);
    tg_stream_close(&f.s); /* before the watcher ran: nothing may come */
    for (int i = 0; i < 20; i++) {
        ev_run(f.loop, EVRUN_NOWAIT);
    }
    assert_int_equal(f.rec.errors, 0);
    assert_int_equal(f.rec.readable, 0);
    assert_int_equal(tg_stream_write(&f.s, "x", 1), TG_ECLOSED);
    fx_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tg_stream_both_ways_then_peer_close),
        cmocka_unit_test(test_tg_stream_write_bounded),
        cmocka_unit_test(test_tg_stream_refused),
        cmocka_unit_test(test_tg_stream_unresolved_fails_at_once),
        cmocka_unit_test(test_tg_stream_no_callback_after_close),
    };
    return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
