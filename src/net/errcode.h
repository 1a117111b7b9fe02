/*
 * errcode — the error_code tag values of failed requests. Numbers below 1700
 * are k6's (lib/netext/httpext/error_codes.go), so dashboards and
 * thresholds written for k6 keep working; 17xx are tailgate's own for the
 * hostile-server cases k6 folds into 1000. An HTTP error status s >= 400 is
 * reported as 1000 + s, as k6 does.
 */
#ifndef TG_NET_ERRCODE_H
#define TG_NET_ERRCODE_H

enum tg_errcode {
    TG_ERR_NONE = 0,
    TG_ERR_GENERIC = 1000,
    TG_ERR_INVALID_URL = 1020,
    TG_ERR_REQUEST_TIMEOUT = 1050,
    TG_ERR_DNS = 1100,
    TG_ERR_DNS_NO_SUCH_HOST = 1101,
    TG_ERR_TCP = 1200,
    TG_ERR_TCP_BROKEN_PIPE = 1201,
    TG_ERR_TCP_DIAL = 1210,
    TG_ERR_TCP_DIAL_TIMEOUT = 1211,
    TG_ERR_TCP_DIAL_REFUSED = 1212,
    TG_ERR_TCP_DIAL_UNKNOWN = 1213,
    TG_ERR_TCP_RESET = 1220,
    TG_ERR_TLS = 1300,
    TG_ERR_TLS_UNKNOWN_AUTHORITY = 1310,
    TG_ERR_TLS_HOSTNAME = 1311,
    TG_ERR_HTTP_MALFORMED = 1701, /* unparsable status line or header */
    TG_ERR_HTTP_HEADER_TOO_LARGE = 1702,
    TG_ERR_HTTP_BODY_TOO_LARGE = 1703,
    TG_ERR_HTTP_BAD_CHUNK = 1704,      /* malformed chunked encoding */
    TG_ERR_HTTP_UNEXPECTED_EOF = 1705, /* closed before the response was complete */
    TG_ERR_TOO_MANY_REDIRECTS = 1706,  /* scripts: the redirect limit was reached */
    TG_ERR_BAD_REDIRECT = 1707,        /* scripts: a Location that is not an http(s) URL */
    TG_ERR_HOST_NOT_ALLOWED = 1710,    /* off the --allow-host list: never sent */
    TG_ERR_WS_BAD_HANDSHAKE = 1720,    /* ws: the answer to the upgrade is not a valid 101 */
    TG_ERR_WS_PROTOCOL = 1721,         /* ws: the server broke the framing rules (close 1002) */
    TG_ERR_WS_INVALID_UTF8 = 1722,     /* ws: a text message or reason not UTF-8 (close 1007) */
    TG_ERR_WS_TOO_BIG = 1723,          /* ws: a message over the size limit (close 1009) */
    TG_ERR_SSE_BAD_RESPONSE = 1725,    /* sse: not a 200 text/event-stream answer */
    TG_ERR_SSE_TOO_BIG = 1726,         /* sse: an event over the size limit */
};

/* A short snake_case reason for the summary ("dial_refused", "http_404"). */
const char *tg_errcode_name(int code);

#endif
