/*
 * rail_flags — the safety rails' flags; see rail_flags.h.
 */
#include "cli/rail_flags.h"

#include "core/secrets.h"
#include "core/units.h"
#include "http/h1_write.h"
#include "http/url.h"

#include <stdlib.h>
#include <string.h>

int tg_rail_flags_finish(struct tg_plan *p, struct tg_diag *d)
{
    if (p->rails.allow.strict && p->rails.allow.n == 0) {
        tg_diag_set(d, "--allow-host-strict: give the allowed hosts with --allow-host");
        return TG_EINVAL;
    }
    for (size_t i = 0; i < p->rails.n_secret_env; i++) {
        const char *v = getenv(p->rails.secret_env[i]);
        if (!v) {
            tg_diag_set(d,
                        "--secret-env %s: no such environment variable (export it, or give it "
                        "with -e %s=...)",
                        p->rails.secret_env[i], p->rails.secret_env[i]);
            return TG_EINVAL;
        }
        if (tg_secrets_add(v) < 0) {
            tg_diag_set(d, "--secret-env: too many secrets");
            return TG_EINVAL;
        }
    }
    return 0;
}

void tg_rail_flags_init(struct tg_plan *p)
{
    p->rails.kill_interval_ns = 5 * TG_NS_PER_S;
    p->rails.kill_failures = 3;
}

int tg_rail_flags_apply(int opt, const char *arg, struct tg_plan *p, struct tg_diag *d)
{
    switch (opt) {
    case TG_OPT_KILL_SWITCH: {
        struct tg_url u;
        if (tg_url_parse(arg, &u, d) < 0) {
            tg_diag_prefix(d, "--kill-switch");
            return TG_EINVAL;
        }
        p->rails.kill_url = arg;
        return 0;
    }
    case TG_OPT_KILL_INTERVAL:
        if (tg_units_parse_duration(arg, TG_NS_PER_S, &p->rails.kill_interval_ns) < 0 ||
            p->rails.kill_interval_ns < 100 * TG_NS_PER_MS ||
            p->rails.kill_interval_ns > 3600 * TG_NS_PER_S) {
            tg_diag_set(d, "--kill-switch-interval \"%s\": expected a duration from 100ms to 1h",
                        arg);
            return TG_EINVAL;
        }
        return 0;
    case TG_OPT_KILL_FAILURES: {
        char *end;
        unsigned long n = strtoul(arg, &end, 10);
        if (*arg < '0' || *arg > '9' || *end || n < 1 || n > 1000) {
            tg_diag_set(d, "--kill-switch-failures \"%s\": expected a number from 1 to 1000", arg);
            return TG_EINVAL;
        }
        p->rails.kill_failures = (unsigned)n;
        return 0;
    }
    case TG_OPT_SECRET_ENV:
        if (p->rails.n_secret_env == TG_ARRAY_LEN(p->rails.secret_env) || !*arg) {
            tg_diag_set(d, "--secret-env \"%s\": expected a variable name (at most %zu)", arg,
                        TG_ARRAY_LEN(p->rails.secret_env));
            return TG_EINVAL;
        }
        p->rails.secret_env[p->rails.n_secret_env++] = arg;
        return 0;
    case TG_OPT_MAX_RPS: {
        char *end;
        double v = strtod(arg, &end);
        if (end == arg || *end || !(v > 0) || v > 10000000) {
            tg_diag_set(d, "--max-rps \"%s\": expected requests per second, > 0", arg);
            return TG_EINVAL;
        }
        p->rails.max_rps = v;
        return 0;
    }
    case TG_OPT_SYNTHETIC: {
        const char *colon = strchr(arg, ':');
        const char *v = colon ? colon + 1 + strspn(colon + 1, " \t") : NULL;
        if (!colon || colon == arg || !tg_h1_write_token_ok(arg, (size_t)(colon - arg)) ||
            !tg_h1_write_value_ok(v, strlen(v)) || !*v) {
            tg_diag_set(d,
                        "--synthetic-header \"%s\": expected 'Name: value' (a header name and "
                        "a value without control characters)",
                        arg);
            return TG_EINVAL;
        }
        if (p->rails.synthetic || p->n_headers == TG_PLAN_MAX_HEADERS) {
            tg_diag_set(d, "--synthetic-header: given once only");
            return TG_EINVAL;
        }
        p->rails.synthetic = arg;
        p->headers[p->n_headers++] = arg; /* the command line's request carries it too */
        return 0;
    }
    case TG_OPT_ALLOW_HOST:
        return tg_allow_add(&p->rails.allow, arg, d) < 0 ? TG_EINVAL : 0;
    case TG_OPT_ALLOW_STRICT:
        p->rails.allow.strict = true;
        return 0;
    case TG_OPT_KILL_FILE:
        if (!*arg) {
            tg_diag_set(d, "--kill-file: expected a path");
            return TG_EINVAL;
        }
        p->rails.kill_file = arg;
        return 0;
    }
    return 1;
}
