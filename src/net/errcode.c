/*
 * errcode — names of error codes for summaries; see errcode.h.
 */
#include "net/errcode.h"

const char *tg_errcode_name(int code)
{
    switch (code) {
    case TG_ERR_NONE:
        return "none";
    case TG_ERR_GENERIC:
        return "generic";
    case TG_ERR_INVALID_URL:
        return "invalid_url";
    case TG_ERR_REQUEST_TIMEOUT:
        return "request_timeout";
    case TG_ERR_DNS:
        return "dns_error";
    case TG_ERR_DNS_NO_SUCH_HOST:
        return "dns_no_such_host";
    case TG_ERR_TCP:
        return "tcp_error";
    case TG_ERR_TCP_BROKEN_PIPE:
        return "broken_pipe";
    case TG_ERR_TCP_DIAL:
        return "dial_error";
    case TG_ERR_TCP_DIAL_TIMEOUT:
        return "dial_timeout";
    case TG_ERR_TCP_DIAL_REFUSED:
        return "dial_refused";
    case TG_ERR_TCP_DIAL_UNKNOWN:
        return "dial_unknown";
    case TG_ERR_TCP_RESET:
        return "connection_reset";
    case TG_ERR_TLS:
        return "tls_error";
    case TG_ERR_TLS_UNKNOWN_AUTHORITY:
        return "tls_unknown_authority";
    case TG_ERR_TLS_HOSTNAME:
        return "tls_hostname_mismatch";
    case TG_ERR_HTTP_MALFORMED:
        return "malformed_response";
    case TG_ERR_HTTP_HEADER_TOO_LARGE:
        return "header_too_large";
    case TG_ERR_HTTP_BODY_TOO_LARGE:
        return "body_too_large";
    case TG_ERR_HTTP_BAD_CHUNK:
        return "bad_chunked_encoding";
    case TG_ERR_HTTP_UNEXPECTED_EOF:
        return "unexpected_eof";
    case TG_ERR_TOO_MANY_REDIRECTS:
        return "too_many_redirects";
    case TG_ERR_BAD_REDIRECT:
        return "bad_redirect_location";
    case TG_ERR_HOST_NOT_ALLOWED:
        return "host_not_allowed";
    case TG_ERR_WS_BAD_HANDSHAKE:
        return "ws_bad_handshake";
    case TG_ERR_WS_PROTOCOL:
        return "ws_protocol_error";
    case TG_ERR_WS_INVALID_UTF8:
        return "ws_invalid_utf8";
    case TG_ERR_WS_TOO_BIG:
        return "ws_message_too_big";
    case TG_ERR_SSE_BAD_RESPONSE:
        return "sse_bad_response";
    case TG_ERR_SSE_TOO_BIG:
        return "sse_event_too_big";
    default:
        break;
    }
    if (code >= 1400 && code < 1600) {
        return "http_error_status";
    }
    return "error";
}
