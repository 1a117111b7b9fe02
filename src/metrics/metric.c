/*
 * metric — the built-in metric table; see metric.h.
 */
#include "metrics/metric.h"

#include <string.h>

const struct tg_metric_def tg_metric_builtins[TG_M_BUILTIN_COUNT] = {
    [TG_M_HTTP_REQS] = { "http_reqs", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT },
    [TG_M_HTTP_REQ_FAILED] = { "http_req_failed", TG_KIND_RATE, TG_CONTAINS_DEFAULT },
    [TG_M_HTTP_REQ_DURATION] = { "http_req_duration", TG_KIND_TREND, TG_CONTAINS_TIME },
    [TG_M_HTTP_REQ_DURATION_UNCORRECTED] = { "http_req_duration_uncorrected", TG_KIND_TREND,
                                             TG_CONTAINS_TIME },
    [TG_M_HTTP_REQ_BLOCKED] = { "http_req_blocked", TG_KIND_TREND, TG_CONTAINS_TIME },
    [TG_M_HTTP_REQ_CONNECTING] = { "http_req_connecting", TG_KIND_TREND, TG_CONTAINS_TIME },
    [TG_M_HTTP_REQ_TLS_HANDSHAKING] = { "http_req_tls_handshaking", TG_KIND_TREND,
                                        TG_CONTAINS_TIME },
    [TG_M_HTTP_REQ_SENDING] = { "http_req_sending", TG_KIND_TREND, TG_CONTAINS_TIME },
    [TG_M_HTTP_REQ_WAITING] = { "http_req_waiting", TG_KIND_TREND, TG_CONTAINS_TIME },
    [TG_M_HTTP_REQ_RECEIVING] = { "http_req_receiving", TG_KIND_TREND, TG_CONTAINS_TIME },
    [TG_M_DATA_SENT] = { "data_sent", TG_KIND_COUNTER, TG_CONTAINS_DATA },
    [TG_M_DATA_RECEIVED] = { "data_received", TG_KIND_COUNTER, TG_CONTAINS_DATA },
    [TG_M_ITERATIONS] = { "iterations", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT },
    [TG_M_ITERATION_DURATION] = { "iteration_duration", TG_KIND_TREND, TG_CONTAINS_TIME },
    [TG_M_DROPPED_ITERATIONS] = { "dropped_iterations", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT },
    [TG_M_LATE_STARTS] = { "late_starts", TG_KIND_COUNTER, TG_CONTAINS_DEFAULT },
    [TG_M_VUS] = { "vus", TG_KIND_GAUGE, TG_CONTAINS_DEFAULT },
    [TG_M_VUS_MAX] = { "vus_max", TG_KIND_GAUGE, TG_CONTAINS_DEFAULT },
    [TG_M_CHECKS] = { "checks", TG_KIND_RATE, TG_CONTAINS_DEFAULT },
    [TG_M_GROUP_DURATION] = { "group_duration", TG_KIND_TREND, TG_CONTAINS_TIME },
};

const char *tg_metric_kind_name(enum tg_metric_kind k)
{
    static const char *const names[] = { "counter", "gauge", "rate", "trend" };
    return names[k];
}

const char *tg_metric_contains_name(enum tg_metric_contains c)
{
    static const char *const names[] = { "default", "time", "data" };
    return names[c];
}

_Bool tg_metric_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len < 2 || len > 129) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        _Bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && (i == 0 || c < '0' || c > '9')) {
            return 0;
        }
    }
    return 1;
}
