/*
 * srv_conn — one HTTP/1.1 server connection of `tailgate serve`: a state
 * machine over a non-blocking socket that reads request heads and bodies,
 * routes, waits where the model says (capacity slot, /delay, stall window)
 * and writes responses, in order, for as long as the connection is kept
 * alive.
 *
 *   HEAD ──► BODY ──► (WAIT) ──► RESPOND ──► HEAD …   keep-alive, pipelining
 *                                   └──► CLOSING ──► LINGER ──► closed
 *
 * Pipelined requests are answered strictly in order: the next head is parsed
 * only once the current response is fully in the output buffer, and
 * responses produced in one callback leave in one send(). Errors: malformed
 * head → 400, head over 16 KiB → 431, body over 1 MiB → 413, each followed by
 * a close (after a lingering half-close, so the client reads the answer
 * rather than a reset).
 *
 * The object and its states are in serve/internal.h; srv_conn.c drives it,
 * srv_request.c reads requests, srv_reply.c answers them.
 *
 * Ownership: connection objects are owned by the server context and
 * recycled through its free list; each takes the input and output buffers it
 * needs from the buffer pool and returns them whenever it goes idle.
 *
 * Cost (hot path, GET / with no model): one recv, one parse, one memcpy of
 * a canned response, one send; no allocation, no clock read.
 */
#ifndef TG_SERVE_SRV_CONN_H
#define TG_SERVE_SRV_CONN_H

struct tg_serve;

/*
 * Starts serving the accepted, non-blocking socket fd; takes ownership of
 * fd. Returns 0, or TG_ENOMEM (fd closed). Loop thread only.
 */
int tg_srv_conn_open(struct tg_serve *srv, int fd);

/* Closes every open connection (shutdown). */
void tg_srv_conn_close_all(struct tg_serve *srv);

/* Frees every connection object; call after tg_srv_conn_close_all. */
void tg_srv_conn_free_all(struct tg_serve *srv);

#endif
