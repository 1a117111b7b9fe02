/*
 * srv_echo — serve's answers built from the request itself, for testing
 * clients' redirects, cookies and headers (route table in srv_route.h):
 *
 *   ANY /echo               200 JSON: {"method":"GET","target":"/echo?x=1",
 *                           "headers":{"host":"...","cookie":"..."},"body_bytes":N}
 *                           header names in lower case; a repeated header's
 *                           values joined by ", "; bytes outside printable
 *                           ASCII as \u00XX
 *   ANY /redirect/:n        n > 0: ?status= (301, 302, 303, 307, 308; default
 *                           302) with "Location: /redirect/<n-1>" and the same
 *                           query (?abs=1: "http://<Host>/redirect/<n-1>...");
 *                           n = 0: the echo above
 *   ANY /redirect-to?url=U  ?status= (300..399, default 302) with "Location: U",
 *                           U percent-decoded and used as is
 *   GET /cookies/set?c=V    200 "ok\n" with one "Set-Cookie: V" per c
 *                           (percent-decoded, used as is), at most 1000
 *
 * A decoded value with a control byte (other than TAB) cannot become a
 * header: the request is answered 400. So is a parameter out of range, a
 * bad percent-escape, or an answer that would not fit in the aux buffer.
 * Other query parameters are ignored.
 *
 * The builder runs when the request head is parsed (its bytes are still in
 * the input buffer) and writes extra header lines and the body into the
 * caller's aux buffer; an echo's body is completed by tg_srv_echo_finish
 * once the request body has been counted. Pure: no I/O, no allocation.
 */
#ifndef TG_SERVE_SRV_ECHO_H
#define TG_SERVE_SRV_ECHO_H

#include "serve/srv_route.h"
#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_SRV_ECHO_MAX_COOKIES 1000

struct tg_srv_echo {
    uint16_t status;
    uint32_t hdr_len;  /* header lines ("Name: value\r\n"...) at aux[0..hdr_len) */
    uint32_t body_len; /* body bytes after them */
    bool echo;         /* the body still needs tg_srv_echo_finish */
    const char *ctype; /* static */
    const char *error; /* non-NULL: answer 400 with this static reason instead */
};

/*
 * Builds the answer of route r (one of the four above; n is the route's
 * number) to the request with method and target whose raw head (request
 * line and header lines) is head, into aux (cap bytes). Fills *out. Any
 * thread.
 */
void tg_srv_echo_build(enum tg_srv_route r, uint64_t n, struct tg_span method,
                       struct tg_span target, struct tg_span head, char *aux, size_t cap,
                       struct tg_srv_echo *out);

/* Writes the end of an echo body, "\"body_bytes\":N}", into dst; returns its length (< 40). */
size_t tg_srv_echo_finish(char *dst, uint64_t body_bytes);

#endif
