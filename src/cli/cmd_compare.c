/*
 * cmd_compare — the baseline gate; see cmd_compare.h.
 */
#include "cli/cmd_compare.h"

#include "check/budget.h"
#include "cli/exitcode.h"
#include "core/alloc.h"
#include "core/units.h"
#include "metrics/metric.h"
#include "metrics/tags.h"
#include "report/result_load.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_BUDGETS 256
#define MAX_SUBS    48

static const char usage[] =
    "usage: tailgate compare [flags] BASE.json CURRENT.json\n"
    "\n"
    "Compares two result files (tailgate run --result FILE) and fails (exit 99) when the\n"
    "current run regressed beyond a budget.\n"
    "\n"
    "  --max-regression 'METRIC{tags}: STAT CHANGE'   a budget (repeatable), e.g.\n"
    "        'http_req_duration{endpoint:feed}: p(99) +30%'  'http_req_failed: rate +0.5pp'\n"
    "        'http_reqs: rate -10%'  'http_req_duration: p(95) +20ms'\n"
    "  --no-default-budgets   only the flags' budgets (default: p(95) and p(99) of\n"
    "        http_req_duration +30% and http_req_failed rate +0.5pp, on the metric\n"
    "        and on each of its tagged submetrics)\n"
    "  -h, --help\n"
    "\n"
    "exit codes: 0 within every budget, 99 a budget exceeded, 104 invalid flags,\n"
    "1 a file that cannot be read\n";

struct compare {
    struct tg_budget *budgets; /* [MAX_BUDGETS] */
    size_t n;
    size_t n_user; /* budgets[0, n_user) come from flags, the rest are defaults */
    bool no_defaults;
    const char *paths[2];
    struct tg_results runs[2];
};

/* Tags that identify requests rather than group them: never a default submetric. */
static bool grouping_key(const char *k, size_t len, bool *builtin)
{
    static const char *const skip[] = { "method",      "url",        "status",
                                        "proto",       "error_code", "expected_response",
                                        "tls_version", "check" };
    static const char *const builtins[] = { "name", "scenario", "group" };
    for (size_t i = 0; i < TG_ARRAY_LEN(skip); i++) {
        if (strlen(skip[i]) == len && strncmp(skip[i], k, len) == 0) {
            return false;
        }
    }
    *builtin = false;
    for (size_t i = 0; i < TG_ARRAY_LEN(builtins); i++) {
        *builtin = *builtin || (strlen(builtins[i]) == len && strncmp(builtins[i], k, len) == 0);
    }
    return true;
}

struct sub {
    char sel[400];
    char key[64];
    bool builtin;
};

static void add_sub(struct sub *subs, size_t *n, const char *k, size_t kl, const char *v, size_t vl,
                    bool builtin)
{
    if (*n == MAX_SUBS || vl == 0 || memchr(v, ',', vl) || memchr(v, '"', vl) || kl >= 64) {
        return;
    }
    char sel[400];
    snprintf(sel, sizeof(sel), "http_req_duration{%.*s:%.*s}", (int)kl, k, (int)vl, v);
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(subs[i].sel, sel) == 0) {
            return;
        }
    }
    struct sub *s = &subs[(*n)++];
    snprintf(s->sel, sizeof(s->sel), "%s", sel);
    snprintf(s->key, sizeof(s->key), "%.*s", (int)kl, k);
    s->builtin = builtin;
}

/* The tagged submetrics of http_req_duration in run r. */
static size_t find_subs(const struct compare *c, int r, struct sub *subs)
{
    size_t n = 0;
    const struct tg_registry *reg = &c->runs[r].reg;
    for (size_t i = 0; i < reg->n_series; i++) {
        if (reg->series[i].metric != TG_M_HTTP_REQ_DURATION) {
            continue;
        }
        const char *canon = reg->tagsets[reg->series[i].tagset];
        size_t pos = 0;
        const char *k;
        const char *v;
        size_t kl;
        size_t vl;
        bool builtin;
        while (tg_tags_next(canon, &pos, &k, &kl, &v, &vl)) {
            if (grouping_key(k, kl, &builtin)) {
                add_sub(subs, &n, k, kl, v, vl, builtin);
            }
        }
    }
    return n;
}

/* The submetrics both runs have: a comparison needs the two sides. */
static size_t common_subs(const struct compare *c, struct sub *subs)
{
    struct sub other[MAX_SUBS];
    size_t n = find_subs(c, 0, subs);
    size_t m = find_subs(c, 1, other);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        bool both = false;
        for (size_t k = 0; k < m && !both; k++) {
            both = strcmp(subs[i].sel, other[k].sel) == 0;
        }
        if (both) {
            subs[kept++] = subs[i];
        }
    }
    return kept;
}

/* A name/scenario/group submetric is only worth a row when the key has several values. */
static bool worth_a_row(const struct sub *subs, size_t n, size_t i)
{
    if (!subs[i].builtin) {
        return true;
    }
    size_t same = 0;
    for (size_t k = 0; k < n; k++) {
        same += strcmp(subs[k].key, subs[i].key) == 0;
    }
    return same > 1;
}

static bool has_budget(const struct compare *c, const struct tg_budget *b)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->budgets[i].sel.raw, b->sel.raw) == 0 &&
            strcmp(c->budgets[i].stat.source, b->stat.source) == 0) {
            return true;
        }
    }
    return false;
}

static void add_default(struct compare *c, const char *sel, const char *stat, const char *change)
{
    struct tg_budget b;
    struct tg_diag d = { "" };
    if (c->n < MAX_BUDGETS && tg_budget_make(&b, sel, stat, change, &d) == 0 &&
        !has_budget(c, &b)) {
        c->budgets[c->n++] = b;
    }
}

static void add_defaults(struct compare *c)
{
    struct sub subs[MAX_SUBS];
    size_t n = common_subs(c, subs);
    add_default(c, "http_req_duration", "p(95)", "+30%");
    add_default(c, "http_req_duration", "p(99)", "+30%");
    add_default(c, "http_req_failed", "rate", "+0.5pp");
    for (size_t i = 0; i < n; i++) {
        if (!worth_a_row(subs, n, i)) {
            continue;
        }
        add_default(c, subs[i].sel, "p(95)", "+30%");
        add_default(c, subs[i].sel, "p(99)", "+30%");
        char failed[420];
        snprintf(failed, sizeof(failed), "http_req_failed%s", strchr(subs[i].sel, '{'));
        add_default(c, failed, "rate", "+0.5pp");
    }
}

enum { OPT_MAX_REGRESSION = 1000, OPT_NO_DEFAULTS };

static const struct option options[] = {
    { "max-regression", required_argument, NULL, OPT_MAX_REGRESSION },
    { "no-default-budgets", no_argument, NULL, OPT_NO_DEFAULTS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* 1: help printed; 0; TG_EINVAL with d set. */
static int parse_flags(int argc, char **argv, struct compare *c, struct tg_diag *d)
{
    optind = 0;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        if (o == 'h') {
            fputs(usage, stdout);
            return 1;
        }
        if (o == OPT_NO_DEFAULTS) {
            c->no_defaults = true;
        } else if (o == OPT_MAX_REGRESSION) {
            if (c->n == MAX_BUDGETS) {
                tg_diag_set(d, "--max-regression: at most %d budgets", MAX_BUDGETS);
                return TG_EINVAL;
            }
            struct tg_diag bd = { "" };
            if (tg_budget_parse(optarg, &c->budgets[c->n++], &bd) < 0) {
                tg_diag_set(d, "--max-regression: %s", bd.msg);
                return TG_EINVAL;
            }
        } else {
            const char *bad = optind - 1 < argc ? argv[optind - 1] : "?";
            tg_diag_set(
                d, o == ':' ? "%s: missing value" : "unknown flag %s (tailgate compare --help)",
                bad);
            return TG_EINVAL;
        }
    }
    if (argc - optind != 2) {
        tg_diag_set(d, "expected two result files, BASE and CURRENT (tailgate compare --help)");
        return TG_EINVAL;
    }
    c->paths[0] = argv[optind];
    c->paths[1] = argv[optind + 1];
    if (c->no_defaults && c->n == 0) {
        tg_diag_set(d, "--no-default-budgets without any --max-regression: nothing to compare");
        return TG_EINVAL;
    }
    return 0;
}

/* ---- the table ------------------------------------------------------------ */

static void fmt_stat(const struct tg_results *a, const struct tg_results *b, const char *metric,
                     double v, char *buf, size_t n)
{
    int m = tg_registry_find_metric(&a->reg, metric);
    const struct tg_registry *reg = &a->reg;
    if (m < 0) {
        reg = &b->reg;
        m = tg_registry_find_metric(reg, metric);
    }
    if (isnan(v)) {
        snprintf(buf, n, "-");
    } else if (m >= 0 && reg->metrics[m].kind == TG_KIND_RATE) {
        snprintf(buf, n, "%.2f%%", v * 100);
    } else if (m >= 0 && reg->metrics[m].contains == TG_CONTAINS_TIME) {
        tg_units_fmt_duration(v * 1e6, buf, n);
    } else {
        snprintf(buf, n, "%.6g", v);
    }
}

static void fmt_value(const struct compare *c, const struct tg_budget *b, double v, double lo,
                      double hi, char *buf, size_t n)
{
    char val[32];
    fmt_stat(&c->runs[0], &c->runs[1], b->sel.name, v, val, sizeof(val));
    if (isnan(lo) || isnan(hi) || isnan(v)) {
        snprintf(buf, n, "%s", val);
        return;
    }
    char pm[40];
    fmt_stat(&c->runs[0], &c->runs[1], b->sel.name, (hi - lo) / 2, pm, sizeof(pm));
    snprintf(buf, n, "%s ±%s", val, pm);
}

static void fmt_change(const struct tg_budget *b, const struct tg_budget_outcome *o, char *buf,
                       size_t n)
{
    if (isnan(o->change)) {
        snprintf(buf, n, "-");
    } else if (b->unit == TG_BUDGET_PCT) {
        snprintf(buf, n, "%+.1f%%", o->change);
    } else if (b->unit == TG_BUDGET_PP) {
        snprintf(buf, n, "%+.2fpp", o->change);
    } else {
        snprintf(buf, n, "%+.4g", o->change);
    }
}

static void fmt_verdict(const struct tg_budget *b, const struct tg_budget_outcome *o, char *buf,
                        size_t n)
{
    const char *budget = strrchr(b->raw, ' ') ? strrchr(b->raw, ' ') + 1 : b->raw;
    switch (o->verdict) {
    case TG_BUDGET_WITHIN:
        snprintf(buf, n, "ok (budget %.60s)", budget);
        break;
    case TG_BUDGET_EXCEEDED:
        snprintf(buf, n, "REGRESSION (budget %.60s)", budget);
        break;
    case TG_BUDGET_TOO_FEW:
        snprintf(buf, n, "no verdict: too few samples (%llu / %llu)", (unsigned long long)o->base_n,
                 (unsigned long long)o->cur_n);
        break;
    case TG_BUDGET_ABSENT:
        snprintf(buf, n, "no verdict: no samples in the %s",
                 o->base_n == 0 && o->cur_n == 0 ? "either run"
                 : o->base_n == 0                ? "baseline"
                                                 : "current run");
        break;
    }
}

/* Prints s left-aligned in width display columns (UTF-8 aware: "µs" is two columns). */
static void cell(const char *s, int width)
{
    int cols = 0;
    for (const char *p = s; *p; p++) {
        cols += ((unsigned char)*p & 0xc0) != 0x80;
    }
    printf("%s%*s ", s, width > cols ? width - cols : 0, "");
}

/* Evaluates and prints every budget; returns how many were exceeded, or < 0. */
static int report(struct compare *c, struct tg_diag *d)
{
    printf("\n  tailgate compare  baseline %s  current %s\n\n", c->paths[0], c->paths[1]);
    printf("  %-44s %-7s %-20s %-20s %-10s %s\n", "metric", "stat", "baseline", "current", "change",
           "verdict");
    int exceeded = 0;
    for (size_t i = 0; i < c->n; i++) {
        const struct tg_budget *b = &c->budgets[i];
        struct tg_budget_outcome o;
        int rc = tg_budget_eval(b, &c->runs[0], &c->runs[1], &o, d);
        if (rc == TG_ENOENT && i >= c->n_user) {
            continue; /* a default on a metric neither run has (a run without HTTP) */
        }
        if (rc < 0) {
            return rc;
        }
        char base[80], cur[80], change[48], verdict[160];
        fmt_value(c, b, o.base, o.base_lo, o.base_hi, base, sizeof(base));
        fmt_value(c, b, o.cur, o.cur_lo, o.cur_hi, cur, sizeof(cur));
        fmt_change(b, &o, change, sizeof(change));
        fmt_verdict(b, &o, verdict, sizeof(verdict));
        printf("  ");
        cell(b->sel.raw, 44);
        cell(b->stat.source, 7);
        cell(base, 20);
        cell(cur, 20);
        cell(change, 10);
        printf("%s\n", verdict);
        exceeded += o.verdict == TG_BUDGET_EXCEEDED;
    }
    printf("\n  ± is the half-width of a 95%% interval; a verdict needs 20 samples and, for p(N),\n"
           "  5 beyond the percentile (a p(99) needs 500).\n\n");
    return exceeded;
}

int tg_cmd_compare(int argc, char **argv)
{
    struct compare c = { 0 };
    struct tg_diag d = { "" };
    c.budgets = tg_calloc(MAX_BUDGETS, sizeof(*c.budgets));
    if (!c.budgets || tg_results_init(&c.runs[0]) < 0 || tg_results_init(&c.runs[1]) < 0) {
        fprintf(stderr, "tailgate compare: out of memory\n");
        return TG_EXIT_GENERIC;
    }
    int code = TG_EXIT_OK;
    int rc = parse_flags(argc, argv, &c, &d);
    if (rc != 0) {
        if (rc < 0) {
            fprintf(stderr, "tailgate compare: %s\n", d.msg);
        }
        code = rc < 0 ? TG_EXIT_INVALID_CONFIG : TG_EXIT_OK;
        goto out;
    }
    for (int i = 0; i < 2; i++) {
        if (tg_result_load(c.paths[i], &c.runs[i], &d) < 0) {
            fprintf(stderr, "tailgate compare: %s\n", d.msg);
            code = TG_EXIT_GENERIC;
            goto out;
        }
    }
    c.n_user = c.n;
    if (!c.no_defaults) {
        add_defaults(&c);
    }
    rc = report(&c, &d);
    if (rc < 0) {
        fprintf(stderr, "tailgate compare: %s\n", d.msg);
        code = rc == TG_EINVAL || rc == TG_ENOENT ? TG_EXIT_INVALID_CONFIG : TG_EXIT_GENERIC;
    } else if (rc > 0) {
        fprintf(stderr, "tailgate compare: %d budget%s exceeded\n", rc, rc == 1 ? "" : "s");
        code = TG_EXIT_THRESHOLDS_FAILED;
    }
out:
    tg_results_fini(&c.runs[0]);
    tg_results_fini(&c.runs[1]);
    tg_free(c.budgets);
    return code;
}
