/*
 * cmd_serve — flag parsing for `tailgate serve`; see cmd_serve.h and
 * docs/serve.md. Every bad flag becomes one diag naming the flag, printed
 * once, exit code 104 (k6's invalid-config code).
 */
#include "cli/cmd_serve.h"

#include "cli/exitcode.h"
#include "core/diag.h"
#include "core/units.h"
#include "net/addr.h"
#include "serve/serve.h"
#include "serve/srv_stall.h"
#include "serve/srv_ticker.h"
#include "serve/svc_time.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS_MAX 1000000

static const char usage[] =
    "usage: tailgate serve [flags]\n"
    "\n"
    "The built-in target service: an HTTP/1.1 server with a finite-capacity model.\n"
    "\n"
    "flags:\n"
    "  --listen ADDR:PORT     address to listen on (default 127.0.0.1:8080; IPv6 as\n"
    "                         [::1]:8080; port 0 picks a free port)\n"
    "  --public               allow a non-loopback --listen address\n"
    "  --workers K            concurrent service slots (default 0 = unlimited)\n"
    "  --service-time DIST    time a request holds a slot: 0 (default), 2ms,\n"
    "                         uniform:1ms:5ms, exp:2ms (mean), lognormal:2ms:0.5\n"
    "                         (median, sigma)\n"
    "  --error-rate R         answer this share (0..1) of modelled requests with 500\n"
    "  --seed N               seed for service times and errors (default 1)\n"
    "  --stall S/P            hold every response during the last S of each period P\n"
    "                         of uptime, e.g. 1s/5s\n"
    "  --tick-rate N          ticks per second on /ws/ticks and /sse/ticks (default 10,\n"
    "                         at most 10000)\n"
    "  --handshake-cost DIST  CPU time burnt per accepted WebSocket/SSE (re)connection,\n"
    "                         same grammar as --service-time (default 0)\n"
    "  --degrade-after D      D after start, switch for good to the degraded settings:\n"
    "  --degraded-service-time DIST   the service time from then on\n"
    "  --degraded-share S     ... for this share (0..1] of the requests (default 1)\n"
    "  --degraded-error-rate R        the error rate from then on\n"
    "  -h, --help             show this help\n"
    "\n"
    "routes: GET / | /health | /communities/:id/posts?limit=N | /status/NNN | /bytes/N |\n"
    "        /delay/MS | /chunked/N | /ws/ticks | /sse/ticks | /__stats;\n"
    "        POST /communities/:id/posts | /__stats/reset.  See docs/serve.md.\n";

enum opt {
    OPT_LISTEN = 256,
    OPT_PUBLIC,
    OPT_WORKERS,
    OPT_SERVICE_TIME,
    OPT_ERROR_RATE,
    OPT_SEED,
    OPT_STALL,
    OPT_TICK_RATE,
    OPT_HANDSHAKE_COST,
    OPT_DEGRADE_AFTER,
    OPT_DEGRADED_SERVICE_TIME,
    OPT_DEGRADED_ERROR_RATE,
    OPT_DEGRADED_SHARE,
};

static const struct option options[] = {
    { "listen", required_argument, NULL, OPT_LISTEN },
    { "public", no_argument, NULL, OPT_PUBLIC },
    { "workers", required_argument, NULL, OPT_WORKERS },
    { "service-time", required_argument, NULL, OPT_SERVICE_TIME },
    { "error-rate", required_argument, NULL, OPT_ERROR_RATE },
    { "seed", required_argument, NULL, OPT_SEED },
    { "stall", required_argument, NULL, OPT_STALL },
    { "tick-rate", required_argument, NULL, OPT_TICK_RATE },
    { "handshake-cost", required_argument, NULL, OPT_HANDSHAKE_COST },
    { "degrade-after", required_argument, NULL, OPT_DEGRADE_AFTER },
    { "degraded-service-time", required_argument, NULL, OPT_DEGRADED_SERVICE_TIME },
    { "degraded-error-rate", required_argument, NULL, OPT_DEGRADED_ERROR_RATE },
    { "degraded-share", required_argument, NULL, OPT_DEGRADED_SHARE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct flags {
    const char *listen;
    bool is_public;
    bool help;
};

/* Parses an unsigned decimal integer in [0, max]. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* Splits "host:port" / "[v6]:port" and resolves it into cfg->listen. */
static int parse_listen(const char *s, bool is_public, struct tg_addr *out, struct tg_diag *d)
{
    char host[256];
    const char *colon = strrchr(s, ':');
    const char *h = s;
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
        h = s + 1;
        hlen -= 2;
    }
    uint64_t port;
    if (!colon || hlen == 0 || hlen >= sizeof(host) || !parse_u64(colon + 1, 65535, &port)) {
        tg_diag_set(d, "--listen: want ADDR:PORT such as 127.0.0.1:8080 or [::1]:8080, got \"%s\"",
                    s);
        return TG_EINVAL;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (tg_addr_resolve(host, (int)port, out, 1, d) < 0) {
        tg_diag_prefix(d, "--listen");
        return TG_EINVAL;
    }
    if (!is_public && !tg_addr_is_loopback(out)) {
        tg_diag_set(d,
                    "--listen: %s is not a loopback address; tailgate serve listens on "
                    "127.0.0.0/8 or ::1 unless --public is given",
                    host);
        return TG_EINVAL;
    }
    return TG_EXIT_OK;
}

/* The stream flags. 0 or TG_EINVAL with d naming the flag. */
static int apply_stream(int opt, const char *arg, struct tg_serve_config *cfg, struct tg_diag *d)
{
    if (opt == OPT_TICK_RATE) {
        char *end = NULL;
        double r = strtod(arg, &end);
        if (!*arg || *end || !(r > 0 && r <= TG_SRV_TICK_RATE_MAX)) {
            tg_diag_set(d, "--tick-rate: want a number of ticks per second in (0, %g], got \"%s\"",
                        TG_SRV_TICK_RATE_MAX, arg);
            return TG_EINVAL;
        }
        cfg->tick_rate_per_s = r;
        return 0;
    }
    if (tg_svc_time_parse(arg, &cfg->handshake_cost, d) < 0) {
        tg_diag_prefix(d, "--handshake-cost");
        return TG_EINVAL;
    }
    cfg->handshake_cost_text = arg;
    return 0;
}

/* Parses an error rate: a number in [0, 1]. */
static bool parse_rate(const char *s, double *out)
{
    char *end = NULL;
    double r = strtod(s, &end);
    if (!*s || *end || !(r >= 0 && r <= 1)) {
        return false;
    }
    *out = r;
    return true;
}

/* --degrade-after and the settings it switches to. 1 when opt is none of them, 0, TG_EINVAL. */
static int apply_degrade(int opt, const char *arg, struct tg_serve_config *cfg, struct tg_diag *d)
{
    switch (opt) {
    case OPT_DEGRADE_AFTER:
        if (tg_units_parse_duration(arg, TG_NS_PER_S, &cfg->degrade_after_ns) < 0 ||
            cfg->degrade_after_ns <= 0) {
            tg_diag_set(d, "--degrade-after: want a duration > 0 such as 10s, got \"%s\"", arg);
            return TG_EINVAL;
        }
        cfg->degrade_after_text = arg;
        return 0;
    case OPT_DEGRADED_SERVICE_TIME:
        if (tg_svc_time_parse(arg, &cfg->degraded_service_time, d) < 0) {
            tg_diag_prefix(d, "--degraded-service-time");
            return TG_EINVAL;
        }
        cfg->degraded_service_time_text = arg;
        return 0;
    case OPT_DEGRADED_ERROR_RATE:
        if (!parse_rate(arg, &cfg->degraded_error_rate)) {
            tg_diag_set(d, "--degraded-error-rate: want a number in 0..1, got \"%s\"", arg);
            return TG_EINVAL;
        }
        return 0;
    case OPT_DEGRADED_SHARE:
        if (!parse_rate(arg, &cfg->degraded_share) || cfg->degraded_share == 0) {
            tg_diag_set(d, "--degraded-share: want a number in (0, 1], got \"%s\"", arg);
            return TG_EINVAL;
        }
        return 0;
    default:
        return 1;
    }
}

/* --degrade-after and the degraded settings need each other. 0 or TG_EINVAL. */
static int check_degrade(const struct tg_serve_config *cfg, struct tg_diag *d)
{
    bool settings = cfg->degraded_service_time_text || cfg->degraded_error_rate >= 0;
    if (cfg->degrade_after_ns > 0 && !settings) {
        tg_diag_set(d, "--degrade-after: needs --degraded-service-time and/or "
                       "--degraded-error-rate (what it degrades to)");
        return TG_EINVAL;
    }
    if (cfg->degraded_share < 1 && !cfg->degraded_service_time_text) {
        tg_diag_set(d, "--degraded-share: needs --degraded-service-time (what the share gets)");
        return TG_EINVAL;
    }
    if (cfg->degrade_after_ns == 0 && settings) {
        tg_diag_set(d, "%s: needs --degrade-after (when the degradation starts)",
                    cfg->degraded_service_time_text ? "--degraded-service-time"
                                                    : "--degraded-error-rate");
        return TG_EINVAL;
    }
    return 0;
}

/* Applies one option with a value. 0 or TG_EINVAL with d naming the flag. */
static int apply(int opt, const char *arg, struct tg_serve_config *cfg, struct flags *f,
                 struct tg_diag *d)
{
    uint64_t v;
    int rc = apply_degrade(opt, arg, cfg, d);
    if (rc <= 0) {
        return rc;
    }
    switch (opt) {
    case OPT_LISTEN:
        f->listen = arg;
        return 0;
    case OPT_WORKERS:
        if (!parse_u64(arg, WORKERS_MAX, &v)) {
            tg_diag_set(d, "--workers: want an integer in 0..%d, got \"%s\"", WORKERS_MAX, arg);
            return TG_EINVAL;
        }
        cfg->workers = (uint32_t)v;
        return 0;
    case OPT_SERVICE_TIME:
        if (tg_svc_time_parse(arg, &cfg->service_time, d) < 0) {
            tg_diag_prefix(d, "--service-time");
            return TG_EINVAL;
        }
        cfg->service_time_text = arg;
        return 0;
    case OPT_ERROR_RATE:
        if (!parse_rate(arg, &cfg->error_rate)) {
            tg_diag_set(d, "--error-rate: want a number in 0..1, got \"%s\"", arg);
            return TG_EINVAL;
        }
        return 0;
    case OPT_TICK_RATE:
    case OPT_HANDSHAKE_COST:
        return apply_stream(opt, arg, cfg, d);
    case OPT_SEED:
        if (!parse_u64(arg, UINT64_MAX, &cfg->seed)) {
            tg_diag_set(d, "--seed: want a non-negative integer, got \"%s\"", arg);
            return TG_EINVAL;
        }
        return 0;
    default: /* OPT_STALL */
        if (tg_srv_stall_parse(arg, &cfg->stall_ns, &cfg->stall_period_ns, d) < 0) {
            tg_diag_prefix(d, "--stall");
            return TG_EINVAL;
        }
        cfg->stall_text = arg;
        return 0;
    }
}

/* Names the offending flag of a getopt error. */
static void getopt_error(int argc, char **argv, int c, struct tg_diag *d)
{
    const char *bad = optind - 1 < argc ? argv[optind - 1] : "?";
    if (c == ':') {
        tg_diag_set(d, "%s: missing value", bad);
    } else {
        tg_diag_set(d, "unknown flag %s (see tailgate serve --help)", bad);
    }
}

static int parse_flags(int argc, char **argv, struct tg_serve_config *cfg, struct flags *f,
                       struct tg_diag *d)
{
    optind = 0; /* GNU: full re-initialisation, in case getopt ran before */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        if (c == 'h') {
            f->help = true;
        } else if (c == OPT_PUBLIC) {
            f->is_public = true;
        } else if (c == '?' || c == ':') {
            getopt_error(argc, argv, c, d);
            return TG_EINVAL;
        } else if (apply(c, optarg, cfg, f, d) < 0) {
            return TG_EINVAL;
        }
    }
    if (optind < argc) {
        tg_diag_set(d, "unexpected argument \"%s\" (tailgate serve takes only flags)",
                    argv[optind]);
        return TG_EINVAL;
    }
    if (f->help) {
        return 0;
    }
    if (check_degrade(cfg, d) < 0) {
        return TG_EINVAL;
    }
    return parse_listen(f->listen, f->is_public, &cfg->listen, d);
}

int tg_cmd_serve(int argc, char **argv)
{
    struct tg_serve_config cfg = {
        .seed = 1, .tick_rate_per_s = 10, .degraded_error_rate = -1, .degraded_share = 1
    };
    struct flags f = { .listen = "127.0.0.1:8080" };
    struct tg_diag d = { { 0 } };
    if (parse_flags(argc, argv, &cfg, &f, &d) < 0) {
        (void)fprintf(stderr, "tailgate serve: %s\n", d.msg);
        return TG_EXIT_INVALID_CONFIG;
    }
    if (f.help) {
        (void)fputs(usage, stdout);
        return TG_EXIT_OK;
    }
    if (tg_serve_run(&cfg, &d) < 0) {
        (void)fprintf(stderr, "tailgate serve: %s\n", d.msg);
        return TG_EXIT_GENERIC;
    }
    return TG_EXIT_OK;
}
