/*
 * fuzz_ws — libFuzzer target for the WebSocket receive path: the frame
 * header parser (ws/ws_frame) and the session decoder (ws/ws_msg, which
 * brings in ws/ws_utf8 and ws/ws_close). Seeds: tests/fuzz/corpus/ws (the
 * inputs of the tests/data/ws cases behind their two control bytes).
 *
 * Input layout: byte 0 picks the direction (bit 0: frames from a client)
 * and the buffer policy (bit 1: a fixed buffer of max bytes, else one grown
 * on NEED_ROOM); byte 1 picks the message limit (0..255 bytes, or 1 MiB
 * when it is 255); the rest is the byte stream.
 *
 * The stream is decoded whole and again in pieces whose sizes come from the
 * stream's own bytes, each piece from an exact-size heap copy (ASan catches
 * a read past len); both runs must give the same events and the same
 * outcome. Invariants checked: results are in their documented sets,
 * consumed <= len and NONE consumes everything; NEED_ROOM asks for more
 * than cap and no more than max; messages are at most max bytes and text
 * ones valid UTF-8; control payloads are at most 125 bytes; close codes are
 * wire-valid or 1005; a failure leaves a close code of 1002, 1007 or 1009
 * matching its error; every frame header that parses re-parses to the same
 * length from exactly its own bytes and is TG_EAGAIN one byte short.
 */
#include "ws/ws_close.h"
#include "ws/ws_frame.h"
#include "ws/ws_msg.h"
#include "ws/ws_utf8.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct outcome {
    uint64_t digest; /* FNV-1a over the events */
    int err;         /* 0, or the failing feed's error */
    uint16_t close_code;
};

static void mix(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        *h = (*h ^ b[i]) * UINT64_C(0x100000001b3);
    }
}

static void check_event(const struct tg_ws_msg *m, const struct tg_ws_event *ev)
{
    switch (ev->type) {
    case TG_WS_EV_TEXT:
        CHECK(tg_ws_utf8_valid(ev->data.ptr, ev->data.len));
        CHECK(ev->data.len <= m->max);
        break;
    case TG_WS_EV_BINARY:
        CHECK(ev->data.len <= m->max);
        break;
    case TG_WS_EV_PING:
    case TG_WS_EV_PONG:
        CHECK(ev->data.len <= TG_WS_CONTROL_MAX);
        break;
    case TG_WS_EV_CLOSE:
        CHECK(ev->close_code == TG_WS_CLOSE_NO_STATUS || tg_ws_close_code_valid(ev->close_code));
        CHECK(ev->data.len <= TG_WS_CLOSE_REASON_MAX);
        CHECK(tg_ws_utf8_valid(ev->data.ptr, ev->data.len));
        break;
    default:
        CHECK(0);
    }
}

/* Feeds one piece from an exact-size copy. false: the decoder failed. */
static bool feed(struct tg_ws_msg *m, bool fixed, const uint8_t *piece, size_t k, struct outcome *o)
{
    char *w = malloc(k ? k : 1);
    CHECK(w != NULL);
    memcpy(w, piece, k);
    size_t off = 0;
    for (;;) {
        struct tg_ws_event ev;
        int rc = tg_ws_msg_feed(m, w + off, k - off, &ev);
        if (rc < 0) {
            CHECK(rc == TG_EPROTO || rc == TG_E2BIG);
            CHECK((rc == TG_E2BIG) == (m->close_code == TG_WS_CLOSE_TOO_BIG));
            CHECK(m->close_code == TG_WS_CLOSE_PROTOCOL ||
                  m->close_code == TG_WS_CLOSE_INVALID_DATA ||
                  m->close_code == TG_WS_CLOSE_TOO_BIG);
            o->err = rc;
            o->close_code = m->close_code;
            free(w);
            return false;
        }
        CHECK((size_t)rc <= k - off);
        off += (size_t)rc;
        if (ev.type == TG_WS_EV_NONE) {
            CHECK(off == k);
            break;
        }
        if (ev.type == TG_WS_EV_NEED_ROOM) {
            CHECK(!fixed && ev.need > m->cap && ev.need <= m->max);
            m->buf = realloc(m->buf, (size_t)ev.need);
            CHECK(m->buf != NULL);
            m->cap = (size_t)ev.need;
            continue;
        }
        check_event(m, &ev);
        mix(&o->digest, &ev.type, sizeof(ev.type));
        mix(&o->digest, &ev.close_code, sizeof(ev.close_code));
        mix(&o->digest, ev.data.ptr, ev.data.len);
    }
    free(w);
    return true;
}

static struct outcome decode(const uint8_t *in, size_t n, bool from_client, bool fixed,
                             uint64_t max, bool split)
{
    struct tg_ws_msg m;
    tg_ws_msg_init(&m, from_client, max);
    if (fixed) {
        m.cap = (size_t)max;
        m.buf = malloc(m.cap ? m.cap : 1);
        CHECK(m.buf != NULL);
    }
    struct outcome o = { UINT64_C(0xcbf29ce484222325), 0, 0 };
    size_t at = 0;
    while (at < n) {
        size_t k = split ? TG_MIN(n - at, (size_t)(in[at] % 23) + 1) : n;
        if (!feed(&m, fixed, in + at, k, &o)) {
            break;
        }
        at += k;
    }
    free(m.buf);
    return o;
}

static void fuzz_header(const uint8_t *in, size_t n, bool from_client)
{
    char *w = malloc(n ? n : 1);
    CHECK(w != NULL);
    memcpy(w, in, n);
    struct tg_ws_frame f;
    int rc = tg_ws_frame_parse(w, n, from_client, &f);
    CHECK(rc == TG_EAGAIN || rc == TG_EPROTO || (rc >= 2 && rc <= TG_WS_FRAME_HEAD_MAX));
    if (rc > 0) {
        CHECK((size_t)rc <= n);
        CHECK(f.payload_len < (UINT64_C(1) << 63));
        CHECK(!tg_ws_frame_is_control(f.opcode) || (f.fin && f.payload_len <= 125));
        struct tg_ws_frame again;
        CHECK(tg_ws_frame_parse(w, (size_t)rc, from_client, &again) == rc);
        CHECK(again.payload_len == f.payload_len);
        CHECK(tg_ws_frame_parse(w, (size_t)rc - 1, from_client, &again) == TG_EAGAIN);
    }
    free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    bool from_client = data[0] & 1;
    bool fixed = (data[0] & 2) != 0;
    uint64_t max = data[1] == 255 ? (1u << 20) : data[1];
    const uint8_t *in = data + 2;
    size_t n = size - 2;
    fuzz_header(in, n, from_client);
    struct outcome whole = decode(in, n, from_client, fixed, max, false);
    struct outcome split = decode(in, n, from_client, fixed, max, true);
    CHECK(whole.digest == split.digest);
    CHECK(whole.err == split.err && whole.close_code == split.close_code);
    return 0;
}
