/*
 * test_conn — the connection state machine against an in-process server on
 * loopback: keep mode hands back the response head and the decoded body
 * (content-length, chunked, close-delimited), a connection is reused for the
 * same target and replaced for another, and an unresolved target fails at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "core/clock.h"
#include "net/conn.h"
#include "net/errcode.h"
#include "unit/loopsrv.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int completions;

static void done_cb(struct tg_conn *c, void *ctx)
{
    (void)c;
    (void)ctx;
    completions++;
}

/* Sends one request and runs the loop until it completes (at most ~5 s). */
static void exchange(struct ev_loop *loop, struct tg_conn *c, struct tg_conn_target *t,
                     const struct tg_conn_req *req)
{
    int before = completions;
    tg_conn_send(c, t, req, tg_clock_now());
    for (int i = 0; i < 5000 && completions == before; i++) {
        ev_run(loop, EVRUN_ONCE);
    }
    assert_int_equal(completions, before + 1);
}

struct fixture {
    struct ev_loop *loop;
    struct server srv;
    struct tg_conn_env env;
    struct tg_addr addr;
    struct tg_conn_target target;
    struct tg_conn c;
    struct tg_conn_keep keep;
    struct tg_conn_req req;
};

static void setup(struct fixture *f, const char *response)
{
    memset(f, 0, sizeof(*f));
    f->loop = ev_loop_new(EVFLAG_AUTO);
    server_start(f->loop, &f->srv);
    f->srv.response = response;
    assert_int_equal(tg_conn_env_init(&f->env, f->loop, 16384, 1 << 20), 0);
    assert_int_equal(tg_addr_parse_list("127.0.0.1", f->srv.port, &f->addr, 1), 1);
    f->target = (struct tg_conn_target){ &f->addr, 1, 0, 0, "127.0.0.1", NULL, false };
    tg_conn_init(&f->c, &f->env, done_cb, NULL);
    static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    f->req =
        (struct tg_conn_req){ get,     sizeof(get) - 1, false, 5 * TG_NS_PER_S, 5 * TG_NS_PER_S,
                              &f->keep };
}

static void teardown(struct fixture *f)
{
    tg_conn_close(&f->c);
    tg_conn_env_fini(&f->env);
    server_stop(f->loop, &f->srv);
    ev_loop_destroy(f->loop);
    free(f->keep.head);
    free(f->keep.body);
}

static void test_conn_keep_content_length(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello");
    exchange(f.loop, &f.c, &f.target, &f.req);
    assert_int_equal(f.c.res.error_code, 0);
    assert_int_equal(f.c.res.status, 200);
    assert_int_equal(f.keep.body_len, 5);
    assert_memory_equal(f.keep.body, "hello", 5);
    assert_int_equal(f.keep.head_len,
                     strlen("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\n"));
    assert_memory_equal(f.keep.head, "HTTP/1.1 200 OK\r\n", 17);
    /* the same target again: the connection is reused and the buffers refilled */
    exchange(f.loop, &f.c, &f.target, &f.req);
    assert_true(f.c.res.reused);
    assert_int_equal(f.keep.body_len, 5);
    assert_int_equal(f.srv.accepted, 1);
    /* another target (same address, another origin object): a new connection */
    struct tg_conn_target other = f.target;
    exchange(f.loop, &f.c, &other, &f.req);
    assert_false(f.c.res.reused);
    assert_int_equal(f.srv.accepted, 2);
    teardown(&f);
}

static void test_conn_keep_chunked_and_close(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n");
    exchange(f.loop, &f.c, &f.target, &f.req);
    assert_int_equal(f.c.res.error_code, 0);
    assert_int_equal(f.keep.body_len, 7);
    assert_memory_equal(f.keep.body, "abcdefg", 7);
    teardown(&f);

    setup(&f, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
    exchange(f.loop, &f.c, &f.target, &f.req);
    assert_int_equal(f.c.res.error_code, 0);
    assert_int_equal(f.keep.body_len, strlen("until the end"));
    assert_int_equal(f.c.state, TG_CONN_CLOSED);
    teardown(&f);
}

static void test_conn_discard_mode_keeps_nothing(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    f.req.keep = NULL;
    exchange(f.loop, &f.c, &f.target, &f.req);
    assert_int_equal(f.c.res.status, 200);
    assert_null(f.keep.body);
    assert_int_equal(f.c.res.bytes_received, strlen(f.srv.response));
    teardown(&f);
}

static void test_conn_unresolved_target_fails_at_once(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    struct tg_conn_target none = { NULL, 0, 0, TG_ERR_DNS_NO_SUCH_HOST, "nowhere", NULL, false };
    int before = completions;
    tg_conn_send(&f.c, &none, &f.req, tg_clock_now());
    assert_int_equal(completions, before + 1);
    assert_int_equal(f.c.res.error_code, TG_ERR_DNS_NO_SUCH_HOST);
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_keep_content_length),
        cmocka_unit_test(test_conn_keep_chunked_and_close),
        cmocka_unit_test(test_conn_discard_mode_keeps_nothing),
        cmocka_unit_test(test_conn_unresolved_target_fails_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
