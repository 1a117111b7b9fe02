/*
 * ws_handshake — upgrade request, 101 check, accept value; rules in
 * ws_handshake.h. The request is assembled with bounded appends into the
 * caller's buffer (no stdio); base64 and SHA-1 come from OpenSSL.
 */
#include "ws/ws_handshake.h"

#include "http/chars.h"
#include "http/h1_write.h"

#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#define KEY_MAX 256 /* longest key tg_ws_handshake_accept takes */

void tg_ws_handshake_key(const uint8_t rnd[16], char out[TG_WS_KEY_LEN + 1])
{
    EVP_EncodeBlock((unsigned char *)out, rnd, 16); /* 24 chars and a NUL */
}

static bool is_b64(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

bool tg_ws_handshake_key_ok(const char *key, size_t len)
{
    if (len != TG_WS_KEY_LEN || key[22] != '=' || key[23] != '=') {
        return false;
    }
    for (size_t i = 0; i < 22; i++) {
        if (!is_b64((unsigned char)key[i])) {
            return false;
        }
    }
    return true;
}

int tg_ws_handshake_accept(const char *key, size_t key_len, char out[TG_WS_ACCEPT_LEN + 1])
{
    static const char guid[] = TG_WS_GUID;
    if (key_len > KEY_MAX) {
        return TG_EINVAL;
    }
    char in[KEY_MAX + sizeof(guid)];
    memcpy(in, key, key_len);
    memcpy(in + key_len, guid, sizeof(guid) - 1);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(in, key_len + sizeof(guid) - 1, md, &md_len, EVP_sha1(), NULL) ||
        md_len != 20) {
        return TG_EIO;
    }
    EVP_EncodeBlock((unsigned char *)out, md, 20); /* 28 chars and a NUL */
    return 0;
}

/* Headers the handshake writes or that would change the framing; never from the caller. */
static const char *const owned[] = {
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
    "Sec-WebSocket-Accept",
    "Sec-WebSocket-Extensions",
    "Content-Length",
    "Transfer-Encoding",
};

/* Whether header h ("Name: value") has the name name, ignoring case. */
static bool header_named(const char *h, const char *name)
{
    size_t n = strlen(name);
    return strncasecmp(h, name, n) == 0 && h[n] == ':';
}

int tg_ws_handshake_check_headers(const char *const *headers, size_t n, struct tg_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        const char *h = headers[i];
        const char *colon = strchr(h, ':');
        if (!colon || !tg_h1_write_token_ok(h, (size_t)(colon - h))) {
            tg_diag_set(d, "header \"%.200s\": expected \"Name: value\" with a token name", h);
            return TG_EINVAL;
        }
        if (!tg_h1_write_value_ok(colon + 1, strlen(colon + 1))) {
            tg_diag_set(d, "header \"%.*s\": control characters in the value",
                        (int)TG_MIN((size_t)(colon - h), 200), h);
            return TG_EINVAL;
        }
        for (size_t k = 0; k < TG_ARRAY_LEN(owned); k++) {
            if (header_named(h, owned[k])) {
                tg_diag_set(d, "header \"%s\": set by the WebSocket handshake itself", owned[k]);
                return TG_EINVAL;
            }
        }
    }
    return 0;
}

/* Bounded appender over the caller's buffer. */
struct out {
    char *p;
    size_t left;
    bool full; /* something did not fit */
};

static void put(struct out *o, const char *s, size_t n)
{
    if (n > o->left) {
        o->full = true;
        o->left = 0;
        return;
    }
    memcpy(o->p, s, n);
    o->p += n;
    o->left -= n;
}

static void puts0(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* The request-target: "/" followed by VCHARs. */
static bool target_ok(const char *t)
{
    if (t[0] != '/') {
        return false;
    }
    for (const char *p = t; *p; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
            return false;
        }
    }
    return true;
}

static bool has_header(const struct tg_ws_handshake_spec *s, const char *name)
{
    for (size_t i = 0; i < s->n_headers; i++) {
        if (header_named(s->headers[i], name)) {
            return true;
        }
    }
    return false;
}

/* Validates what the request is built from. 0 or TG_EINVAL with d set. */
static int check_spec(const struct tg_ws_handshake_spec *s, struct tg_diag *d)
{
    if (!target_ok(s->target)) {
        tg_diag_set(d, "target \"%.200s\": must start with '/' and hold no spaces or controls",
                    s->target);
        return TG_EINVAL;
    }
    if (!s->host[0] || !tg_h1_write_value_ok(s->host, strlen(s->host))) {
        tg_diag_set(d, "host \"%.200s\": empty or with control characters", s->host);
        return TG_EINVAL;
    }
    if (strlen(s->key) != TG_WS_KEY_LEN) {
        tg_diag_set(d, "Sec-WebSocket-Key must be %d characters", TG_WS_KEY_LEN);
        return TG_EINVAL;
    }
    return tg_ws_handshake_check_headers(s->headers, s->n_headers, d);
}

int tg_ws_handshake_request(char *dst, size_t cap, const struct tg_ws_handshake_spec *spec,
                            struct tg_diag *d)
{
    if (check_spec(spec, d) < 0) {
        return TG_EINVAL;
    }
    struct out o = { dst, TG_MIN(cap, (size_t)INT32_MAX), false };
    puts0(&o, "GET ");
    puts0(&o, spec->target);
    puts0(&o, " HTTP/1.1\r\n");
    if (!has_header(spec, "Host")) {
        puts0(&o, "Host: ");
        puts0(&o, spec->host);
        puts0(&o, "\r\n");
    }
    puts0(&o, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    put(&o, spec->key, TG_WS_KEY_LEN);
    puts0(&o, "\r\nSec-WebSocket-Version: 13\r\n");
    for (size_t i = 0; i < spec->n_headers; i++) {
        const char *h = spec->headers[i];
        const char *colon = strchr(h, ':');
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t') {
            v++;
        }
        put(&o, h, (size_t)(colon - h));
        puts0(&o, ": ");
        puts0(&o, v);
        puts0(&o, "\r\n");
    }
    puts0(&o, "\r\n");
    if (o.full) {
        return TG_E2BIG;
    }
    return (int)(o.p - dst);
}

/* ---- the server's answer ---- */

static bool ieq(const char *a, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(a, lit, n) == 0;
}

/*
 * Whether the comma list v[0..n) (elements OWS-trimmed, empty ones skipped)
 * has an element equal to want: ignoring ASCII case when fold, else exactly.
 */
static bool list_has(const char *v, size_t n, const char *want, bool fold)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t')) {
            i++;
        }
        size_t start = i;
        while (i < n && v[i] != ',') {
            i++;
        }
        size_t end = i;
        while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t')) {
            end--;
        }
        size_t len = end - start;
        if (len > 0 && (fold ? ieq(v + start, len, want)
                             : (strlen(want) == len && memcmp(v + start, want, len) == 0))) {
            return true;
        }
    }
    return false;
}

/* Whether any of r's headers named name has token tok in its list (case-insensitive). */
static bool resp_has_token(const struct tg_h1_resp *r, const char *name, const char *tok)
{
    for (size_t i = 0; i < r->num_headers; i++) {
        const struct tg_h1_header *h = &r->headers[i];
        if (ieq(h->name.ptr, h->name.len, name) &&
            list_has(h->value.ptr, h->value.len, tok, true)) {
            return true;
        }
    }
    return false;
}

static size_t resp_count(const struct tg_h1_resp *r, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < r->num_headers; i++) {
        n += ieq(r->headers[i].name.ptr, r->headers[i].name.len, name);
    }
    return n;
}

/* Whether the request offered the subprotocol p[0..n) in a Sec-WebSocket-Protocol header. */
static bool offered(const struct tg_ws_handshake_spec *s, const char *p, size_t n)
{
    static const char name[] = "Sec-WebSocket-Protocol";
    char want[256];
    if (n == 0 || n >= sizeof(want)) {
        return false;
    }
    memcpy(want, p, n);
    want[n] = '\0';
    for (size_t i = 0; i < s->n_headers; i++) {
        const char *h = s->headers[i];
        if (header_named(h, name)) {
            const char *v = h + sizeof(name);
            if (list_has(v, strlen(v), want, false)) {
                return true;
            }
        }
    }
    return false;
}

static int verify_protocol(const struct tg_h1_resp *r, const struct tg_ws_handshake_spec *spec,
                           const char **why)
{
    const struct tg_span *proto = tg_h1_header_get(r, "Sec-WebSocket-Protocol");
    if (!proto) {
        return 0;
    }
    if (resp_count(r, "Sec-WebSocket-Protocol") != 1 || !offered(spec, proto->ptr, proto->len)) {
        *why = "the server chose a Sec-WebSocket-Protocol the request did not offer";
        return TG_EPROTO;
    }
    return 0;
}

int tg_ws_handshake_verify(const struct tg_h1_resp *r, const struct tg_ws_handshake_spec *spec,
                           const char **why)
{
    if (r->status != 101) {
        *why = "the server did not switch protocols (status is not 101)";
        return TG_EPROTO;
    }
    if (!resp_has_token(r, "Upgrade", "websocket")) {
        *why = "the 101 response has no \"Upgrade: websocket\"";
        return TG_EPROTO;
    }
    if (!resp_has_token(r, "Connection", "upgrade")) {
        *why = "the 101 response has no \"Connection: Upgrade\"";
        return TG_EPROTO;
    }
    char want[TG_WS_ACCEPT_LEN + 1];
    if (tg_ws_handshake_accept(spec->key, strlen(spec->key), want) < 0) {
        *why = "cannot compute the expected Sec-WebSocket-Accept (OpenSSL failed)";
        return TG_EPROTO;
    }
    const struct tg_span *acc = tg_h1_header_get(r, "Sec-WebSocket-Accept");
    if (!acc || resp_count(r, "Sec-WebSocket-Accept") != 1 || acc->len != TG_WS_ACCEPT_LEN ||
        memcmp(acc->ptr, want, TG_WS_ACCEPT_LEN) != 0) {
        *why = "Sec-WebSocket-Accept is missing or does not match the key";
        return TG_EPROTO;
    }
    if (tg_h1_header_get(r, "Sec-WebSocket-Extensions")) {
        *why = "the server enabled a WebSocket extension that was not offered";
        return TG_EPROTO;
    }
    return verify_protocol(r, spec, why);
}
