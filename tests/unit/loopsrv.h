/*
 * loopsrv — a tiny HTTP server on 127.0.0.1 (ephemeral port) running on the
 * test's own libev loop, for unit tests of the client side: it answers every
 * request head it reads with one canned response (and closes after it when
 * the response says "Connection: close"). Test code only.
 */
#ifndef TG_TESTS_UNIT_LOOPSRV_H
#define TG_TESTS_UNIT_LOOPSRV_H

#include <arpa/inet.h>
#include <ev.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct server {
    int lfd;
    int port;
    ev_io accept_io;
    ev_io conn_io[8];
    int n_conns;
    int accepted;
    const char *response;
    char buf[4096];
    size_t len;
    char last[4096]; /* the last request read, NUL-terminated */
    int requests;
};

static inline void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    struct server *s = w->data;
    ssize_t n = read(w->fd, s->buf + s->len, sizeof(s->buf) - s->len);
    if (n <= 0) {
        ev_io_stop(loop, w);
        close(w->fd);
        return;
    }
    s->len += (size_t)n;
    if (memmem(s->buf, s->len, "\r\n\r\n", 4)) {
        size_t n_last = s->len < sizeof(s->last) - 1 ? s->len : sizeof(s->last) - 1;
        memcpy(s->last, s->buf, n_last);
        s->last[n_last] = '\0';
        s->requests++;
        s->len = 0;
        ssize_t r = write(w->fd, s->response, strlen(s->response));
        (void)r;
        if (strstr(s->response, "Connection: close")) {
            ev_io_stop(loop, w);
            close(w->fd);
        }
    }
}

static inline void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    struct server *s = w->data;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0 || s->n_conns == 8) {
        if (fd >= 0) {
            close(fd);
        }
        return;
    }
    s->accepted++;
    ev_io *io = &s->conn_io[s->n_conns++];
    ev_io_init(io, conn_cb, fd, EV_READ);
    io->data = s;
    ev_io_start(loop, io);
}

static inline void server_start(struct ev_loop *loop, struct server *s)
{
    memset(s, 0, sizeof(*s));
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { 0 };
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->lfd, 16), 0);
    socklen_t len = sizeof(a);
    getsockname(s->lfd, (struct sockaddr *)&a, &len);
    s->port = ntohs(a.sin_port);
    ev_io_init(&s->accept_io, accept_cb, s->lfd, EV_READ);
    s->accept_io.data = s;
    ev_io_start(loop, &s->accept_io);
}

static inline void server_stop(struct ev_loop *loop, struct server *s)
{
    ev_io_stop(loop, &s->accept_io);
    for (int i = 0; i < s->n_conns; i++) {
        if (ev_is_active(&s->conn_io[i])) {
            ev_io_stop(loop, &s->conn_io[i]);
            close(s->conn_io[i].fd);
        }
    }
    close(s->lfd);
}

#endif
