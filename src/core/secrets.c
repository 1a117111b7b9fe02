/*
 * secrets — redaction of secret values in every output; see secrets.h.
 */
#include "core/secrets.h"

#include "core/alloc.h"
#include "tg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#define MAX_SECRETS 64
#define MAX_LEN     4096
#define MASK        "***"

static char *secrets[MAX_SECRETS];
static size_t lens[MAX_SECRETS];
static size_t n_secrets;

static int add_one(const char *value);

/* The value as JSON writes it inside a string, when that differs: register both. */
static int add_json_form(const char *value)
{
    char esc[2 * MAX_LEN + 1];
    size_t o = 0;
    bool differs = false;
    for (const char *p = value; *p && o + 2 < sizeof(esc); p++) {
        if (*p == '"' || *p == '\\') {
            esc[o++] = '\\';
            differs = true;
        }
        esc[o++] = *p;
    }
    esc[o] = '\0';
    return differs ? add_one(esc) : 0;
}

int tg_secrets_add(const char *value)
{
    int rc = add_one(value);
    return rc < 0 ? rc : add_json_form(value);
}

static int add_one(const char *value)
{
    size_t len = strlen(value);
    if (len < 4 || len > MAX_LEN) {
        return 0;
    }
    for (size_t i = 0; i < n_secrets; i++) {
        if (lens[i] == len && memcmp(secrets[i], value, len) == 0) {
            return 0;
        }
    }
    if (n_secrets == MAX_SECRETS) {
        return TG_E2BIG;
    }
    char *copy = tg_strdup(value);
    if (!copy) {
        return TG_ENOMEM;
    }
    secrets[n_secrets] = copy;
    lens[n_secrets++] = len;
    return 0;
}

void tg_secrets_add_header(const char *header)
{
    static const char *const names[] = { "authorization", "cookie", "set-cookie",
                                         "proxy-authorization" };
    const char *colon = strchr(header, ':');
    if (!colon) {
        return;
    }
    size_t n = (size_t)(colon - header);
    for (size_t i = 0; i < TG_ARRAY_LEN(names); i++) {
        if (strlen(names[i]) == n && strncasecmp(header, names[i], n) == 0) {
            const char *v = colon + 1;
            v += strspn(v, " \t");
            tg_secrets_add(v);
            /* "Bearer xyz": the credential alone must not leak either */
            const char *sp = strchr(v, ' ');
            if (sp) {
                tg_secrets_add(sp + 1);
            }
        }
    }
}

bool tg_secrets_any(void)
{
    return n_secrets > 0;
}

void tg_secrets_reset(void)
{
    for (size_t i = 0; i < n_secrets; i++) {
        tg_free(secrets[i]);
    }
    n_secrets = 0;
}

/* Length of the secret that starts at s (within len bytes), or 0. */
static size_t match(const char *s, size_t len)
{
    for (size_t i = 0; i < n_secrets; i++) {
        if (lens[i] <= len && memcmp(s, secrets[i], lens[i]) == 0) {
            return lens[i];
        }
    }
    return 0;
}

/* Whether s[0..len) is a proper prefix of some secret. */
static bool starts_secret(const char *s, size_t len)
{
    for (size_t i = 0; i < n_secrets; i++) {
        if (len < lens[i] && memcmp(s, secrets[i], len) == 0) {
            return true;
        }
    }
    return false;
}

void tg_secrets_redact(const char *s, char *out, size_t cap)
{
    size_t len = strlen(s);
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < cap;) {
        size_t m = match(s + i, len - i);
        if (m) {
            size_t k = TG_MIN(sizeof(MASK) - 1, cap - 1 - o);
            memcpy(out + o, MASK, k);
            o += k;
            i += m;
        } else {
            out[o++] = s[i++];
        }
    }
    if (cap) {
        out[o] = '\0';
    }
}

/* ---- the redacting stream ---------------------------------------------------- */

struct guard {
    FILE *to;
    char carry[MAX_LEN];
    size_t n_carry;
};

/* Writes data[0..len) redacted; holds back a tail that may start a secret unless final. */
static void emit(struct guard *g, const char *data, size_t len, bool final)
{
    size_t i = 0;
    size_t plain = 0; /* start of the run of bytes not yet written */
    while (i < len) {
        size_t m = match(data + i, len - i);
        if (m) {
            fwrite(data + plain, 1, i - plain, g->to);
            fputs(MASK, g->to);
            i += m;
            plain = i;
        } else if (!final && starts_secret(data + i, len - i)) {
            break;
        } else {
            i++;
        }
    }
    fwrite(data + plain, 1, i - plain, g->to);
    g->n_carry = len - i;
    memmove(g->carry, data + i, g->n_carry);
}

static ssize_t guard_write(void *cookie, const char *buf, size_t size)
{
    struct guard *g = cookie;
    size_t done = 0;
    while (done < size) {
        /* carry + as much of buf as fits: the carry is shorter than any secret */
        size_t take = TG_MIN(size - done, sizeof(g->carry) - g->n_carry);
        char tmp[2 * MAX_LEN];
        memcpy(tmp, g->carry, g->n_carry);
        memcpy(tmp + g->n_carry, buf + done, take);
        emit(g, tmp, g->n_carry + take, false);
        done += take;
    }
    fflush(g->to);
    return (ssize_t)size;
}

static int guard_close(void *cookie)
{
    struct guard *g = cookie;
    emit(g, g->carry, g->n_carry, true);
    int rc = g->to == stdout || g->to == stderr ? fflush(g->to) : fclose(g->to);
    tg_free(g);
    return rc;
}

FILE *tg_secrets_wrap(FILE *f)
{
    if (!f || n_secrets == 0) {
        return f;
    }
    struct guard *g = tg_calloc(1, sizeof(*g));
    FILE *w = NULL;
    if (g) {
        g->to = f;
        cookie_io_functions_t io = { NULL, guard_write, NULL, guard_close };
        w = fopencookie(g, "w", io);
    }
    if (!w) { /* the stream owned f: it goes too */
        tg_free(g);
        if (f != stdout && f != stderr) {
            fclose(f);
        }
    }
    return w;
}

static FILE *real_out;
static FILE *real_err;

void tg_secrets_guard_std(void)
{
    if (n_secrets == 0 || real_out) {
        return;
    }
    FILE *o = tg_secrets_wrap(stdout);
    FILE *e = tg_secrets_wrap(stderr);
    if (o && e) {
        setvbuf(e, NULL, _IONBF, 0);
        real_out = stdout;
        real_err = stderr;
        stdout = o;
        stderr = e;
    }
}

void tg_secrets_finish_std(void)
{
    if (!real_out) {
        return;
    }
    FILE *o = stdout;
    FILE *e = stderr;
    stdout = real_out;
    stderr = real_err;
    fclose(o); /* writes what was held back; the real streams stay open */
    fclose(e);
    real_out = real_err = NULL;
}
