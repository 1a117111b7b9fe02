/*
 * h1_parse — HTTP/1.x response heads. The grammar and the contract are in
 * h1_parse.h; this file is one forward pass over buf with an index that is
 * compared with len before every byte it reads. Each helper returns 0 (done,
 * index advanced), TG_EAGAIN (ran into len) or TG_EPROTO, so a truncated
 * head is told apart from a bad one at the first byte that decides.
 *
 * Hot path: no allocation, no stdio, no locale (ASCII case folding by hand).
 */
#include "http/h1_parse.h"

#include "http/chars.h"

#include <limits.h>
#include <string.h>

#define CL_MAX (INT64_C(1) << 62)

/* What the framing headers said, gathered while the fields stream by. */
struct framing {
    bool tok_close; /* a Connection list held "close" */
    bool tok_keep;  /* a Connection list held "keep-alive" */
};

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

/* s equals lit (n bytes, lower case) ignoring ASCII case. */
static bool span_ieq(struct tg_span s, const char *lit, size_t n)
{
    if (s.len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)s.ptr[i]) != lower((unsigned char)lit[i])) {
            return false;
        }
    }
    return true;
}

#define SPAN_IEQ(s, lit) span_ieq((s), (lit), sizeof(lit) - 1)

static struct tg_span trim_ows(const char *p, size_t n)
{
    while (n > 0 && is_ows(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && is_ows(p[n - 1])) {
        n--;
    }
    return (struct tg_span){ p, n };
}

/*
 * Next element of a comma list (RFC 9110 §5.6.1) starting at *i in v, OWS
 * trimmed, possibly empty. false once the list is exhausted.
 */
static bool next_elem(struct tg_span v, size_t *i, struct tg_span *elem)
{
    if (*i > v.len) {
        return false;
    }
    const char *start = v.ptr + *i;
    const char *comma = memchr(start, ',', v.len - *i);
    size_t n = comma ? (size_t)(comma - start) : v.len - *i;
    *elem = trim_ows(start, n);
    *i += n + 1;
    return true;
}

/* Consumes an end of line at *i: CRLF or a bare LF. */
static int eat_eol(const char *buf, size_t len, size_t *i)
{
    if (*i >= len) {
        return TG_EAGAIN;
    }
    if (buf[*i] == '\n') {
        *i += 1;
        return 0;
    }
    if (buf[*i] != '\r') {
        return TG_EPROTO;
    }
    if (*i + 1 >= len) {
        return TG_EAGAIN;
    }
    if (buf[*i + 1] != '\n') {
        return TG_EPROTO;
    }
    *i += 2;
    return 0;
}

/* Skips text bytes up to the CR or LF that ends the line (left unconsumed). */
static int scan_text(const char *buf, size_t len, size_t *i)
{
    size_t j = *i;
    while (j < len && tg_chars_is_text((unsigned char)buf[j])) {
        j++;
    }
    *i = j;
    if (j >= len) {
        return TG_EAGAIN;
    }
    return (buf[j] == '\r' || buf[j] == '\n') ? 0 : TG_EPROTO;
}

/* status-line = "HTTP/1." ("0" / "1") SP 3DIGIT [ SP reason ] EOL */
static int parse_status_line(const char *buf, size_t len, size_t *i, struct tg_h1_resp *out)
{
    static const char proto[] = "HTTP/1.";
    size_t plen = sizeof(proto) - 1;
    if (memcmp(buf, proto, TG_MIN(len, plen)) != 0) {
        return TG_EPROTO;
    }
    size_t j = plen;
    if (j >= len) {
        return TG_EAGAIN;
    }
    if (buf[j] != '0' && buf[j] != '1') {
        return TG_EPROTO;
    }
    out->minor_version = buf[j++] - '0';
    if (j >= len) {
        return TG_EAGAIN;
    }
    if (buf[j++] != ' ') {
        return TG_EPROTO;
    }
    int status = 0;
    for (int k = 0; k < 3; k++, j++) {
        if (j >= len) {
            return TG_EAGAIN;
        }
        if (!tg_chars_is_digit((unsigned char)buf[j])) {
            return TG_EPROTO;
        }
        status = status * 10 + (buf[j] - '0');
    }
    if (status < 100 || status > 599) {
        return TG_EPROTO;
    }
    out->status = status;
    if (j >= len) {
        return TG_EAGAIN;
    }
    if (buf[j] == ' ') {
        j++;
    } else if (buf[j] != '\r' && buf[j] != '\n') {
        return TG_EPROTO;
    }
    size_t reason = j;
    int rc = scan_text(buf, len, &j);
    if (rc < 0) {
        return rc;
    }
    out->reason = (struct tg_span){ buf + reason, j - reason };
    rc = eat_eol(buf, len, &j);
    *i = j;
    return rc;
}

/* field-line = token ":" OWS field-value OWS EOL */
static int parse_field_line(const char *buf, size_t len, size_t *i, struct tg_h1_header *h)
{
    size_t j = *i;
    while (j < len && tg_chars_is_tchar((unsigned char)buf[j])) {
        j++;
    }
    if (j >= len) {
        return TG_EAGAIN;
    }
    /* Also rejects an empty name, whitespace before ':' and obs-fold lines. */
    if (buf[j] != ':' || j == *i) {
        return TG_EPROTO;
    }
    h->name = (struct tg_span){ buf + *i, j - *i };
    j++;
    size_t value = j;
    int rc = scan_text(buf, len, &j);
    if (rc < 0) {
        return rc;
    }
    h->value = trim_ows(buf + value, j - value);
    rc = eat_eol(buf, len, &j);
    *i = j;
    return rc;
}

/* Content-Length = 1*DIGIT *( OWS "," OWS 1*DIGIT ), all equal to any earlier one. */
static int on_content_length(struct tg_span v, int64_t *cl)
{
    size_t i = 0;
    struct tg_span e;
    while (next_elem(v, &i, &e)) {
        if (e.len == 0) {
            return TG_EPROTO;
        }
        int64_t n = 0;
        for (size_t k = 0; k < e.len; k++) {
            unsigned char c = (unsigned char)e.ptr[k];
            if (!tg_chars_is_digit(c) || n > (CL_MAX - (c - '0')) / 10) {
                return TG_EPROTO;
            }
            n = n * 10 + (c - '0');
        }
        if (*cl >= 0 && *cl != n) {
            return TG_EPROTO;
        }
        *cl = n;
    }
    return 0;
}

/* Transfer-Encoding = #( token *( OWS ";" param ) ); only the final coding matters. */
static int on_transfer_encoding(struct tg_span v, struct tg_h1_resp *out)
{
    size_t i = 0;
    struct tg_span e;
    while (next_elem(v, &i, &e)) {
        if (e.len == 0) {
            continue;
        }
        size_t n = 0;
        while (n < e.len && tg_chars_is_tchar((unsigned char)e.ptr[n])) {
            n++;
        }
        struct tg_span rest = trim_ows(e.ptr + n, e.len - n);
        if (n == 0 || (rest.len > 0 && rest.ptr[0] != ';')) {
            return TG_EPROTO;
        }
        out->chunked = SPAN_IEQ(((struct tg_span){ e.ptr, n }), "chunked");
    }
    return 0;
}

static void on_connection(struct tg_span v, struct framing *f)
{
    size_t i = 0;
    struct tg_span e;
    while (next_elem(v, &i, &e)) {
        if (SPAN_IEQ(e, "close")) {
            f->tok_close = true;
        } else if (SPAN_IEQ(e, "keep-alive")) {
            f->tok_keep = true;
        }
    }
}

/* Folds one header field into out's framing fields. */
static int on_header(const struct tg_h1_header *h, struct tg_h1_resp *out, struct framing *f)
{
    if (SPAN_IEQ(h->name, "content-length")) {
        return on_content_length(h->value, &out->content_length);
    }
    if (SPAN_IEQ(h->name, "transfer-encoding")) {
        out->transfer_encoding = true;
        return on_transfer_encoding(h->value, out);
    }
    if (SPAN_IEQ(h->name, "connection")) {
        on_connection(h->value, f);
    }
    return 0;
}

static void finish(struct tg_h1_resp *out, const struct framing *f)
{
    if (out->minor_version == 0) {
        out->conn_close = f->tok_close || !f->tok_keep;
    } else {
        out->conn_close = f->tok_close;
    }
    if (out->transfer_encoding) {
        /* RFC 9112 §6.1 and §6.3: faulty framing, close after this message. */
        if (out->content_length >= 0 || out->minor_version == 0) {
            out->conn_close = true;
        }
        out->content_length = -1;
    }
}

static int parse_head(const char *buf, size_t len, struct tg_h1_resp *out)
{
    out->num_headers = 0;
    out->content_length = -1;
    out->transfer_encoding = false;
    out->chunked = false;
    out->conn_close = false;
    struct framing f = { false, false };
    if (len == 0) {
        return TG_EAGAIN;
    }
    size_t i = 0;
    int rc = parse_status_line(buf, len, &i, out);
    if (rc < 0) {
        return rc;
    }
    for (;;) {
        if (i >= len) {
            return TG_EAGAIN;
        }
        if (buf[i] == '\r' || buf[i] == '\n') {
            rc = eat_eol(buf, len, &i);
            if (rc < 0) {
                return rc;
            }
            break;
        }
        if (out->num_headers == TG_H1_MAX_HEADERS) {
            return TG_E2BIG;
        }
        struct tg_h1_header *h = &out->headers[out->num_headers];
        rc = parse_field_line(buf, len, &i, h);
        if (rc < 0) {
            return rc;
        }
        out->num_headers++;
        rc = on_header(h, out, &f);
        if (rc < 0) {
            return rc;
        }
    }
    finish(out, &f);
    return (int)i;
}

int tg_h1_parse_head(const char *buf, size_t len, struct tg_h1_resp *out)
{
    if (len <= INT_MAX) {
        return parse_head(buf, len, out);
    }
    int rc = parse_head(buf, INT_MAX, out);
    return rc == TG_EAGAIN ? TG_E2BIG : rc;
}

enum tg_h1_body tg_h1_body_framing(const struct tg_h1_resp *r, bool head_request)
{
    if (head_request || r->status < 200 || r->status == 204 || r->status == 304) {
        return TG_H1_BODY_NONE;
    }
    if (r->chunked) {
        return TG_H1_BODY_CHUNKED;
    }
    if (r->transfer_encoding) {
        return TG_H1_BODY_CLOSE;
    }
    if (r->content_length >= 0) {
        return TG_H1_BODY_LENGTH;
    }
    return TG_H1_BODY_CLOSE;
}

const struct tg_span *tg_h1_header_get(const struct tg_h1_resp *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->num_headers; i++) {
        if (span_ieq(r->headers[i].name, name, n)) {
            return &r->headers[i].value;
        }
    }
    return NULL;
}
