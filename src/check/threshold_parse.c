/*
 * threshold_parse — k6's threshold expression and metric selector grammar;
 * the grammar and contracts are in threshold_parse.h.
 *
 * Everything works on [begin, end) spans of the caller's string and copies
 * into the caller's fixed-size fields; nothing allocates. Diagnostics quote at
 * most QUOTE_MAX bytes of the offending text.
 */
#include "check/threshold_parse.h"

#include "core/units.h"
#include "tg.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_MAX 200

#define PCT_EXPECTED    "expected p(N) with 0 <= N <= 100"
#define METHOD_EXPECTED "expected count, rate, value, avg, min, max, med or p(N)"
#define NAME_EXPECTED   "expected a letter or '_' followed by 1 to 128 letters, digits or '_'"

/* printf arguments quoting [b, e): use with "%.*s%s". */
#define QUOTE(b, e)                                           \
    (int)TG_MIN((size_t)((e) - (b)), (size_t)QUOTE_MAX), (b), \
        ((size_t)((e) - (b)) > QUOTE_MAX ? "..." : "")

static const struct {
    const char *text;
    enum tg_cmp cmp;
} operators[] = {
    /* k6's search order: a longer operator before its prefix. */
    { "<=", TG_CMP_LE },  { "<", TG_CMP_LT },  { ">=", TG_CMP_GE }, { ">", TG_CMP_GT },
    { "===", TG_CMP_EQ }, { "==", TG_CMP_EQ }, { "!=", TG_CMP_NE },
};

static const struct {
    const char *text;
    enum tg_agg agg;
} methods[] = {
    { "count", TG_AGG_COUNT }, { "rate", TG_AGG_RATE }, { "value", TG_AGG_VALUE },
    { "avg", TG_AGG_AVG },     { "min", TG_AGG_MIN },   { "max", TG_AGG_MAX },
    { "med", TG_AGG_MED },
};

static void trim_space(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b)) {
        (*b)++;
    }
    while (*e > *b && isspace((unsigned char)(*e)[-1])) {
        (*e)--;
    }
}

/* Whitespace, then any run of quotes at either end (Go's Trim(TrimSpace(s), `"'`)). */
static void trim_tag(const char **b, const char **e)
{
    trim_space(b, e);
    while (*b < *e && (**b == '"' || **b == '\'')) {
        (*b)++;
    }
    while (*e > *b && ((*e)[-1] == '"' || (*e)[-1] == '\'')) {
        (*e)--;
    }
}

/* Copies [b, e) into dst (capacity cap) NUL-terminated; false if it does not fit. */
static bool copy_span(char *dst, size_t cap, const char *b, const char *e)
{
    size_t len = (size_t)(e - b);
    if (len >= cap) {
        return false;
    }
    memcpy(dst, b, len);
    dst[len] = '\0';
    return true;
}

/* ^[a-zA-Z_][a-zA-Z0-9_]{1,128}$ over [b, e). */
static bool valid_name(const char *b, const char *e)
{
    size_t len = (size_t)(e - b);
    if (len < 2 || len > 129 || !(isalpha((unsigned char)*b) || *b == '_')) {
        return false;
    }
    for (const char *p = b; p < e; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '_')) {
            return false;
        }
    }
    return true;
}

/*
 * A finite decimal float filling all of [b, e). Go's ParseFloat, which k6
 * uses, takes no surrounding spaces and no hex without an exponent; we take
 * no hex at all.
 */
static bool parse_float(const char *b, const char *e, double *out)
{
    char buf[128];
    if (b == e || isspace((unsigned char)*b) || !copy_span(buf, sizeof(buf), b, e)) {
        return false;
    }
    if (strpbrk(buf, "xX")) {
        return false;
    }
    char *end;
    double v = strtod(buf, &end);
    if (*end != '\0' || !isfinite(v)) {
        return false;
    }
    *out = v;
    return true;
}

/*
 * rhs -> "baseline" ( ws* ("*" | "+" | "-") ws* float )?   (tailgate's, with --baseline):
 * the value the same aggregation had in a baseline run. [b, e) follows "baseline".
 */
static int parse_baseline(const char *b, const char *e, struct tg_threshold_expr *out,
                          const char *src, struct tg_diag *d)
{
    out->baseline = true;
    out->base_mul = 1;
    out->base_add = 0;
    out->rhs = 0;
    while (b < e && isspace((unsigned char)*b)) {
        b++;
    }
    if (b == e) {
        return 0;
    }
    char op = *b++;
    while (b < e && isspace((unsigned char)*b)) {
        b++;
    }
    double f;
    if (!strchr("*+-", op) || !parse_float(b, e, &f)) {
        tg_diag_set(d,
                    "threshold \"%s\": after \"baseline\" expected nothing, \"* F\", \"+ F\" "
                    "or \"- F\" (e.g. p(99) < baseline * 1.3)",
                    src);
        return TG_EINVAL;
    }
    if (op == '*') {
        out->base_mul = f;
    } else {
        out->base_add = op == '+' ? f : -f;
    }
    return 0;
}

/*
 * method -> "count" | ... | "p(" float ")". [b, e) is trimmed and non-empty;
 * src is the whole expression, for the message.
 */
static int parse_method(const char *b, const char *e, struct tg_threshold_expr *out,
                        const char *src, struct tg_diag *d)
{
    size_t len = (size_t)(e - b);
    for (size_t i = 0; i < TG_ARRAY_LEN(methods); i++) {
        if (strlen(methods[i].text) == len && memcmp(methods[i].text, b, len) == 0) {
            out->agg = methods[i].agg;
            return 0;
        }
    }
    if (len < 3 || memcmp(b, "p(", 2) != 0 || e[-1] != ')') {
        tg_diag_set(d, "threshold \"%s\": unknown aggregation method \"%.*s%s\"; %s", src,
                    QUOTE(b, e), METHOD_EXPECTED);
        return TG_EINVAL;
    }
    const char *nb = b + 2, *ne = e - 1;
    if (nb == ne) {
        tg_diag_set(d, "threshold \"%s\": missing percentile in \"p()\"; %s", src, PCT_EXPECTED);
        return TG_EINVAL;
    }
    double pct;
    if (!parse_float(nb, ne, &pct)) {
        tg_diag_set(d, "threshold \"%s\": percentile \"%.*s%s\" is not a number; %s", src,
                    QUOTE(nb, ne), PCT_EXPECTED);
        return TG_EINVAL;
    }
    if (pct < 0 || pct > 100) {
        tg_diag_set(d, "threshold \"%s\": percentile \"%.*s%s\" is out of range; %s", src,
                    QUOTE(nb, ne), PCT_EXPECTED);
        return TG_EINVAL;
    }
    out->agg = TG_AGG_PCT;
    out->pct = pct;
    return 0;
}

/*
 * assertion -> method operator float, k6's scanner. a is the assertion text
 * (NUL-terminated); src is the whole expression, quoted in messages.
 */
static int parse_assertion(const char *a, const char *src, struct tg_threshold_expr *out,
                           struct tg_diag *d)
{
    const char *op = NULL;
    size_t oi = 0;
    for (; oi < TG_ARRAY_LEN(operators) && !op; oi++) {
        op = strstr(a, operators[oi].text);
    }
    if (!op) {
        tg_diag_set(
            d,
            "threshold \"%s\": missing comparison operator; expected METHOD OP NUMBER with OP "
            "one of <, <=, >, >=, ==, ===, !=",
            src);
        return TG_EINVAL;
    }
    const char *optext = operators[oi - 1].text;
    out->cmp = operators[oi - 1].cmp;

    const char *lb = a, *le = op;
    const char *rb = op + strlen(optext), *re = a + strlen(a);
    trim_space(&lb, &le);
    trim_space(&rb, &re);
    if (lb == le) {
        tg_diag_set(d, "threshold \"%s\": missing aggregation method before \"%s\"; %s", src,
                    optext, METHOD_EXPECTED);
        return TG_EINVAL;
    }
    int rc = parse_method(lb, le, out, src, d);
    if (rc < 0) {
        return rc;
    }
    if (rb == re) {
        tg_diag_set(d, "threshold \"%s\": missing number after \"%s\"", src, optext);
        return TG_EINVAL;
    }
    if (re - rb >= 8 && strncmp(rb, "baseline", 8) == 0) {
        return parse_baseline(rb + 8, re, out, src, d);
    }
    if (!parse_float(rb, re, &out->rhs)) {
        tg_diag_set(
            d,
            "threshold \"%s\": \"%.*s%s\" is not a finite number; expected a number after \"%s\"",
            src, QUOTE(rb, re), optext);
        return TG_EINVAL;
    }
    return 0;
}

/* The last word "over" of s (whitespace before it, whitespace or the end after it), or NULL. */
static const char *find_over(const char *s)
{
    const char *found = NULL;
    for (const char *p = strstr(s, "over"); p; p = strstr(p + 1, "over")) {
        if (p > s && isspace((unsigned char)p[-1]) &&
            (p[4] == '\0' || isspace((unsigned char)p[4]))) {
            found = p;
        }
    }
    return found;
}

/* window -> a duration with a unit, whole seconds, 1s .. 1h. [b, e) follows "over". */
static int parse_window(const char *b, const char *e, const char *src, tg_ns *out,
                        struct tg_diag *d)
{
    trim_space(&b, &e);
    if (b == e) {
        tg_diag_set(d, "threshold \"%s\": \"over\" needs a window duration, e.g. \"over 30s\"",
                    src);
        return TG_EINVAL;
    }
    char buf[64];
    tg_ns ns = 0;
    if (isdigit((unsigned char)e[-1]) || e[-1] == '.') {
        tg_diag_set(d, "threshold \"%s\": window \"%.*s%s\" needs a unit, e.g. 30s or 1m", src,
                    QUOTE(b, e));
        return TG_EINVAL;
    }
    if (!copy_span(buf, sizeof(buf), b, e) || tg_units_parse_duration(buf, TG_NS_PER_S, &ns) < 0) {
        tg_diag_set(d,
                    "threshold \"%s\": window \"%.*s%s\" is not a duration; expected e.g. 10s, "
                    "1m or 1m30s",
                    src, QUOTE(b, e));
        return TG_EINVAL;
    }
    if (ns < TG_THRESHOLD_WINDOW_MIN_S * TG_NS_PER_S) {
        tg_diag_set(d, "threshold \"%s\": window \"%s\" is shorter than 1s", src, buf);
        return TG_EINVAL;
    }
    if (ns > TG_THRESHOLD_WINDOW_MAX_S * TG_NS_PER_S) {
        tg_diag_set(d, "threshold \"%s\": window \"%s\" is longer than 1h", src, buf);
        return TG_EINVAL;
    }
    if (ns % TG_NS_PER_S != 0) {
        tg_diag_set(d,
                    "threshold \"%s\": window \"%s\" is not a whole number of seconds (windows "
                    "slide by 1s)",
                    src, buf);
        return TG_EINVAL;
    }
    *out = ns;
    return 0;
}

int tg_threshold_parse_expr(const char *s, struct tg_threshold_expr *out, struct tg_diag *d)
{
    memset(out, 0, sizeof(*out));
    size_t slen = strlen(s);
    if (!copy_span(out->source, sizeof(out->source), s, s + slen)) {
        tg_diag_set(d, "threshold \"%.*s%s\": longer than %zu bytes", QUOTE(s, s + slen),
                    sizeof(out->source) - 1);
        return TG_E2BIG;
    }
    const char *over = find_over(s);
    if (!over) {
        return parse_assertion(s, s, out, d);
    }
    char assertion[sizeof(out->source)];
    copy_span(assertion, sizeof(assertion), s, over); /* fits: s fits in out->source */
    int rc = parse_assertion(assertion, s, out, d);
    if (rc < 0) {
        return rc;
    }
    return parse_window(over + 4, s + slen, s, &out->window_ns, d);
}

/* Stores key=value in out, replacing an earlier value of the same key. */
static int add_tag(struct tg_selector *out, const char *kb, const char *ke, const char *vb,
                   const char *ve, struct tg_diag *d)
{
    size_t i = 0;
    size_t klen = (size_t)(ke - kb);
    while (i < out->ntags &&
           !(strlen(out->tags[i].key) == klen && !memcmp(out->tags[i].key, kb, klen))) {
        i++;
    }
    if (i == TG_SEL_MAX_TAGS) {
        tg_diag_set(d, "metric \"%s\": more than %d tags", out->raw, TG_SEL_MAX_TAGS);
        return TG_E2BIG;
    }
    if (!copy_span(out->tags[i].key, sizeof(out->tags[i].key), kb, ke)) {
        tg_diag_set(d, "metric \"%s\": tag key \"%.*s%s\" is longer than %zu bytes", out->raw,
                    QUOTE(kb, ke), sizeof(out->tags[i].key) - 1);
        return TG_E2BIG;
    }
    if (!copy_span(out->tags[i].value, sizeof(out->tags[i].value), vb, ve)) {
        tg_diag_set(d, "metric \"%s\": value of tag \"%s\" is longer than %zu bytes", out->raw,
                    out->tags[i].key, sizeof(out->tags[i].value) - 1);
        return TG_E2BIG;
    }
    if (i == out->ntags) {
        out->ntags++;
    }
    return 0;
}

/* tag -> key ":" value, split on the first ':'; [b, e) is one comma-separated element. */
static int parse_tag(struct tg_selector *out, const char *b, const char *e, struct tg_diag *d)
{
    const char *colon = memchr(b, ':', (size_t)(e - b));
    const char *tb = b, *te = e;
    trim_space(&tb, &te);
    if (tb == te) {
        tg_diag_set(d, "metric \"%s\": empty tag; expected METRIC{key:value,...}", out->raw);
        return TG_EINVAL;
    }
    if (!colon) {
        tg_diag_set(d, "metric \"%s\": tag \"%.*s%s\" has no value; expected key:value", out->raw,
                    QUOTE(tb, te));
        return TG_EINVAL;
    }
    const char *kb = b, *ke = colon, *vb = colon + 1, *ve = e;
    trim_tag(&kb, &ke);
    trim_tag(&vb, &ve);
    if (kb == ke) {
        tg_diag_set(d, "metric \"%s\": tag \"%.*s%s\" has an empty key; expected key:value",
                    out->raw, QUOTE(tb, te));
        return TG_EINVAL;
    }
    if (vb == ve) {
        tg_diag_set(d, "metric \"%s\": tag \"%.*s%s\" has an empty value; expected key:value",
                    out->raw, QUOTE(tb, te));
        return TG_EINVAL;
    }
    return add_tag(out, kb, ke, vb, ve, d);
}

/* Checks the braces of raw and sets *open / *close (NULL when there are none). */
static int find_braces(const struct tg_selector *out, const char **open, const char **close,
                       struct tg_diag *d)
{
    const char *raw = out->raw;
    *open = strchr(raw, '{');
    *close = strrchr(raw, '}');
    if (*open && !*close) {
        tg_diag_set(
            d, "metric \"%s\": \"{\" without a closing \"}\"; expected METRIC{key:value,...}", raw);
        return TG_EINVAL;
    }
    if (!*open && *close) {
        tg_diag_set(d,
                    "metric \"%s\": \"}\" without an opening \"{\"; expected METRIC{key:value,...}",
                    raw);
        return TG_EINVAL;
    }
    if (*close && *close < *open) {
        tg_diag_set(d, "metric \"%s\": \"}\" before \"{\"; expected METRIC{key:value,...}", raw);
        return TG_EINVAL;
    }
    if (*close && (*close)[1] != '\0') {
        tg_diag_set(
            d, "metric \"%s\": text after the closing \"}\"; expected METRIC{key:value,...}", raw);
        return TG_EINVAL;
    }
    return 0;
}

int tg_threshold_parse_selector(const char *s, struct tg_selector *out, struct tg_diag *d)
{
    memset(out, 0, sizeof(*out));
    const char *b = s, *e = s + strlen(s);
    trim_space(&b, &e);
    if (!copy_span(out->raw, sizeof(out->raw), b, e)) {
        tg_diag_set(d, "metric \"%.*s%s\": longer than %zu bytes", QUOTE(b, e),
                    sizeof(out->raw) - 1);
        return TG_E2BIG;
    }
    const char *open, *close;
    int rc = find_braces(out, &open, &close, d);
    if (rc < 0) {
        return rc;
    }
    const char *ne = open ? open : out->raw + strlen(out->raw);
    if (ne == out->raw) {
        tg_diag_set(d, "metric \"%s\": missing metric name; %s", out->raw, NAME_EXPECTED);
        return TG_EINVAL;
    }
    if (!valid_name(out->raw, ne)) {
        tg_diag_set(d, "metric \"%s\": invalid metric name \"%.*s%s\"; %s", out->raw,
                    QUOTE(out->raw, ne), NAME_EXPECTED);
        return TG_EINVAL;
    }
    copy_span(out->name, sizeof(out->name), out->raw, ne);
    if (!open) {
        return 0;
    }
    const char *p = open + 1;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(close - p));
        const char *te = comma ? comma : close;
        rc = parse_tag(out, p, te, d);
        if (rc < 0 || !comma) {
            return rc;
        }
        p = comma + 1;
    }
}

int tg_threshold_parse_flag(const char *s, struct tg_selector *sel, struct tg_threshold_expr *e,
                            struct tg_diag *d)
{
    memset(sel, 0, sizeof(*sel));
    memset(e, 0, sizeof(*e));
    int depth = 0;
    const char *p = s;
    for (; *p && !(*p == ':' && depth == 0); p++) {
        if (*p == '{') {
            depth++;
        } else if (*p == '}' && depth > 0) {
            depth--;
        }
    }
    const char *end = s + strlen(s);
    if (!*p) {
        tg_diag_set(d,
                    "threshold \"%.*s%s\": missing \":\" after the metric%s; expected METRIC: EXPR "
                    "or METRIC{key:value,...}: EXPR",
                    QUOTE(s, end), depth > 0 ? " (a \"{\" is not closed)" : "");
        return TG_EINVAL;
    }
    const char *mb = s, *me = p;
    trim_space(&mb, &me);
    char metric[sizeof(sel->raw)];
    if (!copy_span(metric, sizeof(metric), mb, me)) {
        tg_diag_set(d, "metric \"%.*s%s\": longer than %zu bytes", QUOTE(mb, me),
                    sizeof(sel->raw) - 1);
        return TG_E2BIG;
    }
    int rc = tg_threshold_parse_selector(metric, sel, d);
    if (rc < 0) {
        return rc;
    }
    const char *xb = p + 1, *xe = end;
    trim_space(&xb, &xe);
    char expr[sizeof(e->source)];
    if (!copy_span(expr, sizeof(expr), xb, xe)) {
        tg_diag_set(d, "threshold \"%.*s%s\": longer than %zu bytes", QUOTE(xb, xe),
                    sizeof(e->source) - 1);
        return TG_E2BIG;
    }
    return tg_threshold_parse_expr(expr, e, d);
}

bool tg_threshold_agg_allowed(enum tg_metric_kind t, enum tg_agg a)
{
    switch (t) {
    case TG_KIND_COUNTER:
        return a == TG_AGG_COUNT || a == TG_AGG_RATE;
    case TG_KIND_GAUGE:
        return a == TG_AGG_VALUE;
    case TG_KIND_RATE:
        return a == TG_AGG_RATE;
    case TG_KIND_TREND:
        return a == TG_AGG_AVG || a == TG_AGG_MIN || a == TG_AGG_MAX || a == TG_AGG_MED ||
               a == TG_AGG_PCT;
    }
    return false;
}

const char *tg_threshold_agg_names(enum tg_metric_kind t)
{
    switch (t) {
    case TG_KIND_COUNTER:
        return "count, rate";
    case TG_KIND_GAUGE:
        return "value";
    case TG_KIND_RATE:
        return "rate";
    case TG_KIND_TREND:
        return "avg, min, max, med, p(N)";
    }
    return "";
}

const char *tg_threshold_type_name(enum tg_metric_kind t)
{
    switch (t) {
    case TG_KIND_COUNTER:
        return "counter";
    case TG_KIND_GAUGE:
        return "gauge";
    case TG_KIND_RATE:
        return "rate";
    case TG_KIND_TREND:
        return "trend";
    }
    return "unknown";
}
