/*
 * threshold_parse — k6's threshold grammar: the expression ("p(95)<200"), the
 * metric selector it applies to ("http_req_duration{type:API}") and the
 * "--threshold" flag form that joins them ("METRIC{tags}: EXPR").
 *
 * Used by script/options (the `thresholds` table) and cli/flags. The parsers
 * follow k6's scanner exactly (K6-COMPAT.md 2.1, 2.2) so a k6 script's
 * thresholds mean the same here; where k6 silently accepts nonsense (a bare
 * "p", an empty tag value, text that does not fit) we report an error instead.
 * One extension k6 does not have: a trailing "over DURATION" makes the
 * threshold hold over every sliding window of that length (check/window_eval)
 * instead of over the whole run; text without it parses exactly as in k6.
 *
 * Invariants: every result is written into caller storage of fixed size, so
 * nothing allocates and nothing is truncated: text that does not fit is an
 * error. Every failure fills the diag with a message that quotes the offending
 * text and says what was expected; the caller prefixes the place (flag name or
 * option path). Pure functions of their input: any thread may call them.
 * Cost: one pass over the text; called only at start-up.
 */
#ifndef TG_CHECK_THRESHOLD_PARSE_H
#define TG_CHECK_THRESHOLD_PARSE_H

#include "core/diag.h"
#include "metrics/metric.h"
#include "tg.h"

#include <stdbool.h>
#include <stddef.h>

/* Aggregation methods, the left-hand side of an expression. */
enum tg_agg {
    TG_AGG_COUNT, /* counter: number of samples (sum of values) */
    TG_AGG_RATE,  /* counter: count per second; rate: non-zero / total */
    TG_AGG_VALUE, /* gauge: last value */
    TG_AGG_AVG,   /* trend */
    TG_AGG_MIN,   /* trend */
    TG_AGG_MAX,   /* trend */
    TG_AGG_MED,   /* trend */
    TG_AGG_PCT,   /* trend: p(N), N in tg_threshold_expr.pct */
};

/* Comparison operators; "==" and "===" both parse to TG_CMP_EQ. */
enum tg_cmp { TG_CMP_LT, TG_CMP_LE, TG_CMP_GT, TG_CMP_GE, TG_CMP_EQ, TG_CMP_NE };

#define TG_SEL_MAX_TAGS 8

/* A metric or submetric: "metric{k:v,k2:v2}". */
struct tg_selector {
    char name[130]; /* metric name, matches ^[a-zA-Z_][a-zA-Z0-9_]{1,128}$ */
    size_t ntags;   /* 0 for a plain metric; <= TG_SEL_MAX_TAGS; keys are unique */
    struct {
        char key[64];    /* trimmed of whitespace and quotes; non-empty */
        char value[256]; /* trimmed likewise; non-empty; may contain ':' and braces */
    } tags[TG_SEL_MAX_TAGS];
    char raw[512]; /* the text as written, trimmed: k6 uses it as the submetric name */
};

/* Bounds of an "over" window, in whole seconds. */
#define TG_THRESHOLD_WINDOW_MIN_S 1
#define TG_THRESHOLD_WINDOW_MAX_S 3600

/* One parsed threshold expression. */
struct tg_threshold_expr {
    enum tg_agg agg;
    double pct; /* for TG_AGG_PCT, 0..100; 0 otherwise */
    enum tg_cmp cmp;
    double rhs;      /* finite; for a baseline threshold, set once the baseline is read */
    bool baseline;   /* rhs -> "baseline", "baseline * F" or "baseline + F" (- F too) */
    double base_mul; /* rhs = the baseline's value * base_mul + base_add */
    double base_add;
    tg_ns window_ns;  /* "over D": whole seconds in [1 s, 1 h]; 0 = over the whole run */
    char source[256]; /* the expression text as written, "over" included (exports key by it) */
};

/*
 * Parses a metric selector into *out (overwritten, also on error).
 *
 *   selector -> ws* name ( "{" tags "}" )? ws*
 *   name     -> [a-zA-Z_] [a-zA-Z0-9_]{1,128}
 *   tags     -> tag ( "," tag )*
 *   tag      -> ws* quoted ws* ":" ws* quoted ws*      split on the FIRST ':'
 *   quoted   -> ["']* text ["']*                        the quotes are dropped
 *
 * As in k6's ParseMetricName, the tags lie between the first "{" and the last
 * "}", which must end the text, so a value may hold ':' or braces:
 * "group_duration{group:::api}" has group = "::api". A key given twice keeps
 * its last value (k6 builds a map).
 *
 * s and out are borrowed; d may be NULL. Returns 0, TG_EINVAL (malformed) or
 * TG_E2BIG (more than TG_SEL_MAX_TAGS tags, or a field longer than its
 * buffer); both errors fill d.
 */
int tg_threshold_parse_selector(const char *s, struct tg_selector *out, struct tg_diag *d);

/*
 * Parses a threshold expression into *out (overwritten, also on error).
 *
 *   threshold  -> assertion ( ws+ "over" ws+ window ws* )?
 *   window     -> duration                    core/units grammar, a unit required,
 *                                             a whole number of seconds, 1s .. 1h
 *   assertion  -> ws* method ws* operator ws* float ws*
 *   method     -> "count" | "rate" | "value" | "avg" | "min" | "max" | "med" | percentile
 *   percentile -> "p(" float ")"                 0 <= float <= 100, no spaces inside
 *   operator   -> "<=" | "<" | ">=" | ">" | "===" | "==" | "!="
 *   float      -> what strtod reads, decimal only, finite
 *
 * k6's scanner: the operators are searched for in the order listed and the
 * text is split at the first one found, so "count=<1" splits at "<" and fails
 * on the method "count=". Whether the method suits the metric's type is a
 * separate check (tg_threshold_agg_allowed), as in k6.
 *
 * "over" is the last whitespace-delimited word "over" in s (no assertion
 * contains one), so text without it is exactly k6's grammar. The window must
 * name its unit ("over 30" is an error: a bare number means seconds on the
 * command line but milliseconds in Lua options) and be whole seconds, since
 * windows slide by one second.
 *
 * s and out are borrowed; d may be NULL. Returns 0, TG_EINVAL (malformed) or
 * TG_E2BIG (s longer than out->source holds); both fill d.
 */
int tg_threshold_parse_expr(const char *s, struct tg_threshold_expr *out, struct tg_diag *d);

/*
 * Parses the "--threshold" flag form into *sel and *e (both overwritten).
 *
 *   flag -> selector ":" assertion
 *
 * The first ':' outside braces splits, so "group_duration{group:::x}: avg<5"
 * works. e->source is the expression trimmed of surrounding whitespace.
 *
 * All pointers borrowed; d may be NULL. Returns 0, TG_EINVAL or TG_E2BIG as
 * the two parsers above; every error fills d.
 */
int tg_threshold_parse_flag(const char *s, struct tg_selector *sel, struct tg_threshold_expr *e,
                            struct tg_diag *d);

/*
 * Whether aggregation a is defined on metric type t (k6's
 * supportedAggregationMethods): counter → count, rate; gauge → value;
 * rate → rate; trend → avg, min, max, med, p(N). False for unknown values.
 */
bool tg_threshold_agg_allowed(enum tg_metric_kind t, enum tg_agg a);

/*
 * The methods tg_threshold_agg_allowed accepts for t, for error messages:
 * "count, rate", "value", "rate" or "avg, min, max, med, p(N)"; "" for
 * unknown values. Static storage.
 */
const char *tg_threshold_agg_names(enum tg_metric_kind t);

/* "counter", "gauge", "rate" or "trend" (k6's JSON names); "unknown" otherwise. Static storage. */
const char *tg_threshold_type_name(enum tg_metric_kind t);

#endif
