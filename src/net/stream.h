/*
 * stream — one long-lived client connection (TCP, optionally TLS) that
 * carries bytes both ways for as long as its owner keeps it: a script's
 * WebSocket session or SSE stream. Where net/conn runs one HTTP exchange
 * at a time and frames its response itself, a stream only connects (trying
 * the target's other addresses when one refuses), does the TLS handshake,
 * reads when the owner asks and writes through a bounded output buffer; the
 * owner speaks the protocol. Every failure is an error code of
 * net/errcode.h; nothing here prints or aborts.
 *
 * Callbacks: the owner hears from its stream only from the stream's io
 * watcher, and each callback is the last thing the watcher does, so the
 * owner may close the stream, and even give up the memory holding it
 * (after tg_stream_close), inside a callback. Calls the owner makes
 * (write, want_read) never call back: a write that fails is reported by
 * on_error from the watcher's next run.
 *
 * Cost: per write one send (or SSL_write); only what the socket does not
 * take is copied into the output buffer, allocated on first need and kept
 * (at most out_max bytes) until the stream closes. Reads go straight into
 * the owner's buffer. Threading: a stream belongs to one loop's thread.
 */
#ifndef TG_NET_STREAM_H
#define TG_NET_STREAM_H

#include "net/conn.h"
#include "tg.h"

#include <ev.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_stream;

struct tg_stream_ops {
    /* Connected (TCP, and TLS when the target has it): the owner writes its request. */
    void (*on_open)(struct tg_stream *s);
    /* Bytes may be waiting: the owner calls tg_stream_read until it gives TG_EAGAIN. */
    void (*on_readable)(struct tg_stream *s);
    /* Connecting, the TLS handshake or a write failed with code (tg_errcode); s is closed. */
    void (*on_error)(struct tg_stream *s, int code);
};

enum tg_stream_state {
    TG_STREAM_CLOSED,
    TG_STREAM_CONNECTING,
    TG_STREAM_HANDSHAKE,
    TG_STREAM_OPEN,
};

struct tg_stream {
    ev_io io;
    struct ev_loop *loop;
    const struct tg_stream_ops *ops; /* borrowed, static */
    void *ctx;                       /* the owner's */
    struct tg_conn_target *target;   /* borrowed while not closed */
    int fd;
    SSL *ssl;
    enum tg_stream_state state;
    bool reading; /* the owner wants on_readable */
    int err;      /* a failure found outside the watcher, reported by its next run */
    int addr_idx; /* address being connected to */
    int addr_tries;
    char *out; /* bytes the socket has not taken: out[out_off..out_len); owned */
    size_t out_off;
    size_t out_len;
    size_t out_cap;
    size_t out_max;          /* bytes of out, at most (fixed at init) */
    tg_ns t_conn_start;      /* connect() called */
    tg_ns t_connected;       /* TCP established */
    tg_ns t_open;            /* TLS done (= t_connected without TLS) */
    uint64_t bytes_sent;     /* handed to the kernel (TLS: plaintext bytes) */
    uint64_t bytes_received; /* read by the owner */
};

/* Prepares s (caller's storage), closed; unsent bytes are bounded by out_max. */
void tg_stream_init(struct tg_stream *s, struct ev_loop *loop, const struct tg_stream_ops *ops,
                    void *ctx, size_t out_max);
/*
 * Starts connecting to target (borrowed until the stream closes); s must be
 * closed. Returns 0 (on_open or on_error follows), or an error code > 0
 * when it failed at once (the target did not resolve: its resolve_error;
 * no socket): then no callback comes and s is closed.
 */
int tg_stream_connect(struct tg_stream *s, struct tg_conn_target *target, tg_ns now);
/*
 * Reads into buf[0..cap) (cap > 0). Returns the bytes read (> 0), 0 when
 * the peer closed (an orderly end), TG_EAGAIN when nothing is waiting, or
 * TG_EIO with *code set (1220 reset, 1300 TLS, 1200 other). Only while open.
 */
int tg_stream_read(struct tg_stream *s, char *buf, size_t cap, int *code);
/*
 * Sends p[0..n) after the bytes still waiting, keeping what the socket does
 * not take. Returns 0; TG_E2BIG when the unsent bytes would pass out_max
 * (nothing is sent); TG_ENOMEM; TG_ECLOSED when the stream is closed or has
 * failed (its on_error is on the way). Only while open.
 */
int tg_stream_write(struct tg_stream *s, const char *p, size_t n);
/* Bytes written by the owner that the socket has not taken yet. */
size_t tg_stream_unsent(const struct tg_stream *s);
/* Turns on_readable on or off; on again also looks at bytes TLS already holds. */
void tg_stream_want_read(struct tg_stream *s, bool on);
/*
 * Reads and drops what is waiting, at most max bytes (buf[0..cap) is
 * scratch), so that closing afterwards ends the connection with a FIN
 * rather than the reset unread bytes cause. Only while open.
 */
void tg_stream_drain(struct tg_stream *s, char *buf, size_t cap, size_t max);
/* Calls on_readable again from the loop's next turn (the owner stopped before TG_EAGAIN). */
void tg_stream_read_later(struct tg_stream *s);
/* Closes the connection, drops unsent bytes and frees the buffer; no callback. Idempotent. */
void tg_stream_close(struct tg_stream *s);

#endif
