/*
 * junit — JUnit XML for CI; see junit.h.
 */
#include "report/junit.h"

#include "core/secrets.h"

#include "report/k6_groups.h"
#include "report/threshold_text.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xe0) == 0xc0 ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return n == 2 && s[0] < 0xc2 ? 0 : n;
}

static void put_escaped(FILE *f, const char *raw)
{
    /* secrets first: escaped, a secret would no longer match the redacting stream */
    char text[1024];
    tg_secrets_redact(raw, text, sizeof(text));
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        size_t n = utf8_len(s);
        if (n == 0 || (n == 1 && *s < 0x20 && *s != '\t' && *s != '\n')) {
            fputc('?', f);
            s += n ? n : 1;
            continue;
        }
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            fwrite(s, 1, n, f);
            break;
        }
        s += n;
    }
}

struct suite_info {
    const char *name;
    int id;
    size_t tests;
    size_t failures;
    double secs;
    const char *stamp;
};

static void suite_open(FILE *f, const struct suite_info *s)
{
    fprintf(f,
            "  <testsuite name=\"%s\" package=\"tailgate\" id=\"%d\" hostname=\"localhost\" "
            "timestamp=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" "
            "time=\"%.3f\">\n    <properties/>\n",
            s->name, s->id, s->stamp, s->tests, s->failures, s->secs);
}

static void suite_close(FILE *f)
{
    fputs("    <system-out/>\n    <system-err/>\n  </testsuite>\n", f);
}

static void testcase(FILE *f, const char *classname, const char *name, const char *failure,
                     const char *type)
{
    fputs("    <testcase classname=\"", f);
    put_escaped(f, classname);
    fputs("\" name=\"", f);
    put_escaped(f, name);
    fputs("\" time=\"0\"", f);
    if (!failure) {
        fputs("/>\n", f);
        return;
    }
    fputs(">\n      <failure type=\"", f);
    fputs(type, f);
    fputs("\" message=\"", f);
    put_escaped(f, failure);
    fputs("\">", f);
    put_escaped(f, failure);
    fputs("</failure>\n    </testcase>\n", f);
}

static void thresholds(FILE *f, const struct tg_summary_info *info)
{
    for (size_t i = 0; i < info->n_verdicts; i++) {
        const struct tg_verdict *v = &info->verdicts[i];
        char msg[600];
        if (v->window) {
            char text[512];
            tg_threshold_text_window(info->res, v->t, v->window, text, sizeof(text));
            snprintf(msg, sizeof(msg), "failed: %s%s", text,
                     v->window->aborted ? "; aborted the run" : "");
        } else if (isnan(v->measured)) {
            snprintf(msg, sizeof(msg), "failed with no samples");
        } else {
            snprintf(msg, sizeof(msg), "failed: measured %g", v->measured);
        }
        char cls[600];
        snprintf(cls, sizeof(cls), "thresholds.%s", v->t->sel.raw);
        testcase(f, cls, v->t->expr.source, v->ok ? NULL : msg, "threshold");
    }
}

/* Counts (tests, failures) of the checks under g, or writes their test cases. */
static void checks(FILE *f, json_t *g, size_t *tests, size_t *failures)
{
    const char *k;
    json_t *c;
    const char *path = json_string_value(json_object_get(g, "path"));
    char cls[600];
    snprintf(cls, sizeof(cls), "checks%s", path ? path : "");
    json_object_foreach(json_object_get(g, "checks"), k, c)
    {
        json_int_t pass = json_integer_value(json_object_get(c, "passes"));
        json_int_t fail = json_integer_value(json_object_get(c, "fails"));
        (*tests)++;
        *failures += fail > 0;
        if (f) {
            char msg[160];
            snprintf(msg, sizeof(msg), "failed %lld of %lld times (%.2f%% passed)", (long long)fail,
                     (long long)(pass + fail), 100.0 * (double)pass / (double)(pass + fail));
            testcase(f, cls, k, fail > 0 ? msg : NULL, "check");
        }
    }
    json_t *sub;
    json_object_foreach(json_object_get(g, "groups"), k, sub)
    {
        checks(f, sub, tests, failures);
    }
}

int tg_junit_write(const char *path, const struct tg_summary_info *info, struct tg_diag *d)
{
    json_t *root = tg_k6_groups_json(info->res, false);
    FILE *f = root ? tg_secrets_wrap(fopen(path, "w")) : NULL;
    if (!f) {
        json_decref(root);
        tg_diag_set(d, "--junit \"%s\": cannot write: %s", path,
                    root ? strerror(errno) : "out of memory");
        return root ? TG_EIO : TG_ENOMEM;
    }
    char stamp[32];
    time_t secs = (time_t)(info->res->start_wall_ns / 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    double run_s = (double)info->res->duration_ns / 1e9;
    size_t th_failed = 0;
    for (size_t i = 0; i < info->n_verdicts; i++) {
        th_failed += !info->verdicts[i].ok;
    }
    size_t ck = 0;
    size_t ck_failed = 0;
    checks(NULL, root, &ck, &ck_failed);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f,
            "<testsuites name=\"tailgate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
            "time=\"%.3f\">\n",
            info->n_verdicts + ck, th_failed + ck_failed, run_s);
    struct suite_info s = { "thresholds", 0, info->n_verdicts, th_failed, run_s, stamp };
    suite_open(f, &s);
    thresholds(f, info);
    suite_close(f);
    s = (struct suite_info){ "checks", 1, ck, ck_failed, run_s, stamp };
    suite_open(f, &s);
    checks(f, root, &ck, &ck_failed);
    suite_close(f);
    fputs("</testsuites>\n", f);
    json_decref(root);
    if (fclose(f) != 0) {
        tg_diag_set(d, "--junit \"%s\": cannot write: %s", path, strerror(errno));
        return TG_EIO;
    }
    return 0;
}
