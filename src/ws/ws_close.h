/*
 * ws_close — the close frame's payload (RFC 6455 §5.5.1, §7.4): which status
 * codes may travel on the wire, parsing a received close payload and
 * building one to send. Used by ws/ws_msg on receipt, by serve's WebSocket
 * sessions and by the script runtime's client when they close.
 *
 * Payload grammar:
 *   close-payload = "" / code reason
 *   code          = 2OCTET                 ; big-endian, a wire-valid code
 *   reason        = *125OCTET minus 2      ; valid UTF-8, at most 123 bytes
 * An empty payload means "no status code"; it is reported as 1005, which is
 * never sent itself.
 *
 * Wire-valid codes: 1000-1003, 1007-1014 (defined or registered with IANA),
 * 3000-4999 (libraries and applications). Everything else is invalid on the
 * wire: below 1000, 1004 (reserved), 1005 and 1006 (reserved for reporting a
 * missing code / an abnormal closure locally), 1015 (TLS failure, local
 * only), 1016-2999 (unassigned in the protocol's range) and 5000 and above.
 *
 * Failures of a received payload and the code to close with: a one-byte
 * payload or an invalid code → 1002 (protocol error); a reason that is not
 * UTF-8 → 1007 (invalid payload data).
 *
 * Stateless, never allocates; any thread.
 */
#ifndef TG_WS_WS_CLOSE_H
#define TG_WS_WS_CLOSE_H

#include "tg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_WS_CLOSE_NORMAL       1000 /* normal closure */
#define TG_WS_CLOSE_GOING_AWAY   1001
#define TG_WS_CLOSE_PROTOCOL     1002 /* protocol error */
#define TG_WS_CLOSE_UNSUPPORTED  1003 /* a data type the endpoint cannot accept */
#define TG_WS_CLOSE_NO_STATUS    1005 /* local only: the close frame had no code */
#define TG_WS_CLOSE_ABNORMAL     1006 /* local only: the connection dropped without a close */
#define TG_WS_CLOSE_INVALID_DATA 1007 /* e.g. a text message that is not UTF-8 */
#define TG_WS_CLOSE_POLICY       1008 /* policy violation (serve: a subscriber too slow) */
#define TG_WS_CLOSE_TOO_BIG      1009 /* a message over the receiver's limit */
#define TG_WS_CLOSE_INTERNAL     1011
#define TG_WS_CLOSE_REASON_MAX   123 /* bytes of reason text */

/* Whether code may appear in a close frame on the wire (table above). */
bool tg_ws_close_code_valid(unsigned code);

/*
 * Parses a received close payload p[0..n) (borrowed, n <= 125): *code gets
 * the status (TG_WS_CLOSE_NO_STATUS when n is 0) and *reason a view into p
 * (empty when absent). Returns 0, or TG_EPROTO with *fail_code set to the
 * code to close with (1002 or 1007).
 */
int tg_ws_close_parse(const char *p, size_t n, uint16_t *code, struct tg_span *reason,
                      uint16_t *fail_code);

/*
 * Writes a close payload into dst (room for 125 bytes): nothing when code is
 * 0 (close without a status; reason must then be empty), else the code and
 * reason[0..reason_len) (borrowed). Returns the payload length, or TG_EINVAL
 * when the code is not wire-valid, the reason is over 123 bytes or not
 * UTF-8, or a reason comes without a code.
 */
int tg_ws_close_payload(char *dst, unsigned code, const char *reason, size_t reason_len);

#endif
