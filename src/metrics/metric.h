/*
 * metric — metric kinds and the built-in metrics, with k6's names, types and
 * meanings (K6-COMPAT.md 2.3). A metric id is an index into a registry's
 * metric table; the built-ins occupy the first TG_M_BUILTIN_COUNT ids in
 * every registry, in this order, so hot code can use the enum directly.
 */
#ifndef TG_METRICS_METRIC_H
#define TG_METRICS_METRIC_H

enum tg_metric_kind {
    TG_KIND_COUNTER,
    TG_KIND_GAUGE,
    TG_KIND_RATE,
    TG_KIND_TREND,
};

enum tg_metric_contains {
    TG_CONTAINS_DEFAULT,
    TG_CONTAINS_TIME, /* trend values are nanoseconds internally, shown in ms */
    TG_CONTAINS_DATA, /* bytes */
};

enum tg_builtin_metric {
    TG_M_HTTP_REQS,
    TG_M_HTTP_REQ_FAILED,
    TG_M_HTTP_REQ_DURATION,
    TG_M_HTTP_REQ_DURATION_UNCORRECTED,
    TG_M_HTTP_REQ_BLOCKED,
    TG_M_HTTP_REQ_CONNECTING,
    TG_M_HTTP_REQ_TLS_HANDSHAKING,
    TG_M_HTTP_REQ_SENDING,
    TG_M_HTTP_REQ_WAITING,
    TG_M_HTTP_REQ_RECEIVING,
    TG_M_DATA_SENT,
    TG_M_DATA_RECEIVED,
    TG_M_ITERATIONS,
    TG_M_ITERATION_DURATION,
    TG_M_DROPPED_ITERATIONS,
    TG_M_LATE_STARTS,
    TG_M_VUS,
    TG_M_VUS_MAX,
    TG_M_CHECKS,
    TG_M_GROUP_DURATION,
    TG_M_BUILTIN_COUNT,
};

struct tg_metric_def {
    const char *name;
    enum tg_metric_kind kind;
    enum tg_metric_contains contains;
};

/* The built-in definitions, indexed by enum tg_builtin_metric. */
extern const struct tg_metric_def tg_metric_builtins[TG_M_BUILTIN_COUNT];

/* "counter", "gauge", "rate", "trend" */
const char *tg_metric_kind_name(enum tg_metric_kind k);
/* "default", "time", "data" */
const char *tg_metric_contains_name(enum tg_metric_contains c);
/* Whether name matches k6's ^[a-zA-Z_][a-zA-Z0-9_]{1,128}$. */
_Bool tg_metric_name_valid(const char *name);

#endif
