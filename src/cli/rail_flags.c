/*
 * rail_flags — the safety rails' flags; see rail_flags.h.
 */
#include "cli/rail_flags.h"

#include "core/units.h"
#include "http/url.h"

#include <stdlib.h>

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
