/*
 * wscase.h — the data cases of test_ws_msg: the event list a case expects
 * and the loader of tests/data/ws/NAME.ws (format in test_ws_msg.c), built
 * on the reference encoder and payload grammar of wsfix.h.
 *
 * Header only, for tests; aborts on malformed case files (a broken test,
 * not a failure of the code under test).
 */
#ifndef TG_TESTS_UNIT_WS_WSCASE_H
#define TG_TESTS_UNIT_WS_WSCASE_H

#include "unit/ws/wsfix.h"
#include "ws/ws_msg.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ev {
    int type;      /* enum tg_ws_event_type, or -1 for an error */
    unsigned code; /* CLOSE: the code; error: the close code */
    struct bytes data;
};

struct evlist {
    struct ev *v;
    size_t n;
};

static void evlist_add(struct evlist *l, int type, unsigned code, const void *p, size_t n)
{
    l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
    if (!l->v) {
        abort();
    }
    l->v[l->n] = (struct ev){ type, code, { 0 } };
    bytes_put(&l->v[l->n].data, p, n);
    l->n++;
}

static void evlist_free(struct evlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].data.p);
    }
    free(l->v);
    *l = (struct evlist){ 0 };
}

struct ws_case {
    char name[128];
    bool from_client;
    uint64_t max;
    struct bytes in;
    struct evlist want;
};

/* ---- fixture loading ----------------------------------------------------- */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

static int opcode_named(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int op;
    } ops[] = { { "cont", 0 },  { "text", 1 }, { "binary", 2 },
                { "close", 8 }, { "ping", 9 }, { "pong", 10 } };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strlen(ops[i].name) == n && strncmp(s, ops[i].name, n) == 0) {
            return ops[i].op;
        }
    }
    if (n > 3 && strncmp(s, "op=", 3) == 0) {
        return atoi(s + 3);
    }
    return -1;
}

/* "> frame ..." */
static void load_frame(struct ws_case *c, const char *s)
{
    struct ref_frame f = {
        .fin = true, .opcode = 99, .masked = c->from_client, .key = { 0x37, 0xfa, 0x21, 0x3d }
    };
    for (;;) {
        s = skip_ws(s);
        if (*s == '"' || strncmp(s, "bytes:", 6) == 0) {
            break;
        }
        size_t n = strcspn(s, " \t");
        if (n == 4 && strncmp(s, "more", 4) == 0) {
            f.fin = false;
        } else if (n == 6 && strncmp(s, "nomask", 6) == 0) {
            f.masked = false;
        } else if (strncmp(s, "mask=", 5) == 0 && n == 13) {
            f.masked = true;
            for (int i = 0; i < 4; i++) {
                f.key[i] = (unsigned char)(hexval(s[5 + 2 * i]) * 16 + hexval(s[6 + 2 * i]));
            }
        } else if (strncmp(s, "rsv=", 4) == 0) {
            f.rsv = (unsigned)atoi(s + 4);
        } else if (n == 5 && strncmp(s, "ext16", 5) == 0) {
            f.ext = 16;
        } else if (n == 5 && strncmp(s, "ext64", 5) == 0) {
            f.ext = 64;
        } else if (opcode_named(s, n) >= 0) {
            f.opcode = (unsigned)opcode_named(s, n);
        } else {
            fix_die("unknown frame word", s);
        }
        s += n;
    }
    if (f.opcode == 99) {
        fix_die("frame without an opcode", s);
    }
    struct bytes p = { 0 };
    parse_payload(s, &p);
    ref_encode(&c->in, &f, p.p, p.len);
    free(p.p);
}

static void load_input(struct ws_case *c, const char *s)
{
    if (strncmp(s, "hex", 3) == 0) {
        for (s += 3; *(s = skip_ws(s));) {
            if (hexval(s[0]) < 0 || hexval(s[1]) < 0) {
                fix_die("bad hex byte", s);
            }
            bytes_byte(&c->in, (unsigned)(hexval(s[0]) * 16 + hexval(s[1])));
            s += 2;
        }
    } else if (strncmp(s, "data", 4) == 0) {
        struct bytes p = { 0 };
        parse_payload(skip_ws(s + 4), &p);
        bytes_put(&c->in, p.p, p.len);
        free(p.p);
    } else if (strncmp(s, "frame", 5) == 0) {
        load_frame(c, s + 5);
    } else {
        fix_die("unknown input line", s);
    }
}

static void load_expect(struct ws_case *c, const char *s)
{
    size_t n = strcspn(s, " \t");
    struct bytes p = { 0 };
    if (strncmp(s, "error", 5) == 0) {
        evlist_add(&c->want, -1, (unsigned)atoi(s + 5), NULL, 0);
        return;
    }
    if (strncmp(s, "close", 5) == 0) {
        char *end;
        unsigned code = (unsigned)strtoul(s + 5, &end, 10);
        parse_payload(skip_ws(end), &p);
        evlist_add(&c->want, TG_WS_EV_CLOSE, code, p.p, p.len);
        free(p.p);
        return;
    }
    static const struct {
        const char *name;
        int type;
    } types[] = { { "text", TG_WS_EV_TEXT },
                  { "binary", TG_WS_EV_BINARY },
                  { "ping", TG_WS_EV_PING },
                  { "pong", TG_WS_EV_PONG } };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strlen(types[i].name) == n && strncmp(s, types[i].name, n) == 0) {
            parse_payload(skip_ws(s + n), &p);
            evlist_add(&c->want, types[i].type, 0, p.p, p.len);
            free(p.p);
            return;
        }
    }
    fix_die("unknown expected event", s);
}

static void load_case(struct ws_case *c, FILE *f)
{
    char line[8192];
    c->max = 1 << 20;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *s = skip_ws(line);
        if (*s == '#' || *s == '\0') {
            continue;
        }
        if (strncmp(s, "role ", 5) == 0) {
            c->from_client = strcmp(skip_ws(s + 5), "server") == 0;
        } else if (strncmp(s, "max ", 4) == 0) {
            c->max = strtoull(s + 4, NULL, 10);
        } else if (*s == '>') {
            load_input(c, skip_ws(s + 1));
        } else if (*s == '=') {
            load_expect(c, skip_ws(s + 1));
        } else {
            fix_die("unknown line", s);
        }
    }
}

#endif
