/*
 * run_flags — `tailgate run` flag parsing; see run_flags.h.
 */
#include "cli/run_flags.h"

#include "cli/abort_flags.h"
#include "cli/rail_flags.h"

#include "cli/script_plan.h"
#include "core/alloc.h"
#include "core/fdlimit.h"
#include "core/secrets.h"
#include "core/units.h"
#include "http/h1_write.h"
#include "net/errcode.h"
#include "report/values.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: tailgate run URL [flags]\n"
    "       tailgate run SCRIPT.lua [flags]\n"
    "\n"
    "Load-tests one HTTP/1.1 or HTTPS endpoint, or runs a Lua test script (docs/scripting.md),\n"
    "and prints a k6-style summary.\n"
    "\n"
    "load:\n"
    "  -c, --connections N     concurrent connections (default 10)\n"
    "  -d, --duration D        test length, e.g. 30s, 2m, 1m30s (default 10s unless -n)\n"
    "  -n, --requests N        stop after N requests in total\n"
    "  -r, --rate R            open model: R requests/s spread over the connections;\n"
    "                          latency counts from each request's scheduled time\n"
    "  -t, --threads N         worker threads (default: number of cores)\n"
    "request:\n"
    "  -m, --method M          HTTP method (default GET, or POST with a body)\n"
    "  -H, --header 'N: v'     add a request header (repeatable)\n"
    "      --body TEXT         request body\n"
    "      --body-file PATH    request body from a file\n"
    "      --timeout D         per-request timeout (default 60s)\n"
    "      --connect-timeout D connect and TLS handshake timeout (default 10s)\n"
    "  -k, --insecure          do not verify TLS certificates\n"
    "      --cacert PATH       trust the certificates in this PEM file\n"
    "      --max-header-size S largest response head accepted (default 16KiB)\n"
    "      --max-body S        largest response body accepted (default 64MiB)\n"
    "      --resolve H:P:ADDRS connect to these addresses for host H port P instead of\n"
    "                          resolving it (e.g. example.test:443:127.0.0.1,::1)\n"
    "scripts:\n"
    "  -e, --env KEY=VALUE     set an environment variable the script reads (tailgate.env)\n"
    "  -u, --vus N             run N VUs (with -d or -i), replacing the script's scenarios\n"
    "  -i, --iterations N      N iterations in all (shared by the VUs), replacing them too\n"
    "                          (-d also replaces them for a script)\n"
    "results:\n"
    "      --threshold 'METRIC: EXPR'   k6 threshold, e.g. 'http_req_duration: p(99)<200'\n"
    "                          (repeatable; a failed threshold exits 99)\n"
    "      --summary-export F  k6-compatible summary JSON\n"
    "      --junit F           JUnit XML: a test case per threshold and per check\n"
    "      --result F          full result JSON (histograms included)\n"
    "      --summary-trend-stats LIST  e.g. 'avg,p(95),p(99)'\n"
    "      --graceful-stop D   time in-flight requests get after the end (default 30s)\n"
    "  -q, --quiet             no progress line\n"
    "      --no-summary        no end-of-test summary\n"
    "\n" TG_RAIL_USAGE TG_ABORT_USAGE "\n"
    "exit codes: 0 ok, 99 thresholds failed, 100/101 setup/teardown timeout, 104 invalid\n"
    "flags or options, 105 interrupted, 107 script error, 108 aborted by the script or by\n"
    "--abort-on\n";

enum {
    OPT_BODY = 256,
    OPT_BODY_FILE,
    OPT_TIMEOUT,
    OPT_CONNECT_TIMEOUT,
    OPT_CACERT,
    OPT_MAX_HEADER,
    OPT_MAX_BODY,
    OPT_THRESHOLD,
    OPT_SUMMARY_EXPORT,
    OPT_JUNIT,
    OPT_RESULT,
    OPT_TREND_STATS,
    OPT_GRACEFUL,
    OPT_NO_SUMMARY,
    OPT_RESOLVE,
};

/* What a run was given on the command line, for the checks that need the whole picture. */
struct given {
    bool threads;
    bool trend_stats;
    const char *url_only; /* a command-line-mode flag, named in the error for scripts */
    const char *env[32];  /* -e values, for the hosts the plan view names */
    size_t n_env;
    struct tg_script_overrides ov;
};

static const struct option long_opts[] = {
    { "connections", required_argument, NULL, 'c' },
    { "duration", required_argument, NULL, 'd' },
    { "requests", required_argument, NULL, 'n' },
    { "rate", required_argument, NULL, 'r' },
    { "threads", required_argument, NULL, 't' },
    { "method", required_argument, NULL, 'm' },
    { "header", required_argument, NULL, 'H' },
    { "insecure", no_argument, NULL, 'k' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { "body", required_argument, NULL, OPT_BODY },
    { "body-file", required_argument, NULL, OPT_BODY_FILE },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
    { "cacert", required_argument, NULL, OPT_CACERT },
    { "max-header-size", required_argument, NULL, OPT_MAX_HEADER },
    { "max-body", required_argument, NULL, OPT_MAX_BODY },
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "summary-export", required_argument, NULL, OPT_SUMMARY_EXPORT },
    { "junit", required_argument, NULL, OPT_JUNIT },
    { "result", required_argument, NULL, OPT_RESULT },
    { "summary-trend-stats", required_argument, NULL, OPT_TREND_STATS },
    { "graceful-stop", required_argument, NULL, OPT_GRACEFUL },
    { "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
    { "resolve", required_argument, NULL, OPT_RESOLVE },
    { "env", required_argument, NULL, 'e' },
    { "vus", required_argument, NULL, 'u' },
    { "iterations", required_argument, NULL, 'i' },
    TG_RAIL_LONG_OPTS,
    TG_ABORT_LONG_OPTS,
    { NULL, 0, NULL, 0 },
};

static char stats_buf[512]; /* backing store of plan->trend_stats */

static int parse_u64(const char *flag, const char *s, uint64_t min, uint64_t max, uint64_t *out,
                     struct tg_diag *d)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
        tg_diag_set(d, "%s: \"%s\" is not a whole number from %llu to %llu", flag, s,
                    (unsigned long long)min, (unsigned long long)max);
        return TG_EINVAL;
    }
    *out = v;
    return 0;
}

static int parse_dur(const char *flag, const char *s, bool allow_zero, tg_ns *out,
                     struct tg_diag *d)
{
    if (tg_units_parse_duration(s, TG_NS_PER_S, out) < 0 || (!allow_zero && *out == 0)) {
        tg_diag_set(d, "%s: \"%s\" is not a duration (e.g. 500ms, 10s, 2m, 1m30s)", flag, s);
        return TG_EINVAL;
    }
    return 0;
}

static int read_body_file(const char *path, struct tg_plan *p, struct tg_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        tg_diag_set(d, "--body-file \"%s\": %s", path, strerror(errno));
        return TG_EINVAL;
    }
    size_t cap = 4096;
    size_t len = 0;
    char *buf = tg_alloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            tg_diag_set(d, "--body-file \"%s\": out of memory", path);
            return TG_ENOMEM;
        }
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) {
            break;
        }
        if (cap >= (size_t)256 << 20) {
            tg_free(buf);
            fclose(f);
            tg_diag_set(d, "--body-file \"%s\": larger than 256 MiB", path);
            return TG_EINVAL;
        }
        cap *= 2;
        char *nb = tg_realloc(buf, cap, 1);
        if (!nb) {
            tg_free(buf);
        }
        buf = nb;
    }
    bool err = ferror(f);
    fclose(f);
    if (err) {
        tg_free(buf);
        tg_diag_set(d, "--body-file \"%s\": read error", path);
        return TG_EINVAL;
    }
    tg_free(p->body);
    p->body = buf;
    p->body_len = len;
    return 0;
}

static int add_threshold(const char *s, struct tg_plan *p, struct tg_diag *d)
{
    if (p->n_thresholds == TG_PLAN_MAX_THRESHOLDS) {
        tg_diag_set(d, "--threshold: at most %d thresholds", TG_PLAN_MAX_THRESHOLDS);
        return TG_EINVAL;
    }
    struct tg_plan_threshold *t = &p->thresholds[p->n_thresholds];
    if (tg_threshold_parse_flag(s, &t->sel, &t->expr, d) < 0) {
        tg_diag_prefix(d, "--threshold");
        return TG_EINVAL;
    }
    if (tg_abort_flags_check_builtin("--threshold", s, t, d) < 0) {
        return TG_EINVAL;
    }
    p->n_thresholds++;
    return 0;
}

static int set_trend_stats(const char *s, struct tg_plan *p, struct tg_diag *d)
{
    if (strlen(s) >= sizeof(stats_buf)) {
        tg_diag_set(d, "--summary-trend-stats: list too long");
        return TG_EINVAL;
    }
    strcpy(stats_buf, s);
    p->n_trend_stats = 0;
    for (char *save = NULL, *tok = strtok_r(stats_buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        if (!tg_values_stat_valid(tok) || p->n_trend_stats == TG_PLAN_MAX_STATS) {
            tg_diag_set(d,
                        "--summary-trend-stats: \"%s\" is not avg, min, med, max, count or "
                        "p(N) with 0<=N<=100 (at most %d)",
                        tok, TG_PLAN_MAX_STATS);
            return TG_EINVAL;
        }
        p->trend_stats[p->n_trend_stats++] = tok;
    }
    if (p->n_trend_stats == 0) {
        tg_diag_set(d, "--summary-trend-stats: empty list");
        return TG_EINVAL;
    }
    return 0;
}

static int parse_size_flag(const char *flag, const char *s, size_t min, size_t *out,
                           struct tg_diag *d)
{
    if (tg_units_parse_size(s, out) < 0 || *out < min) {
        tg_diag_set(d, "%s: \"%s\" is not a size of at least %zu bytes (e.g. 16KiB, 64MiB)", flag,
                    s, min);
        return TG_EINVAL;
    }
    return 0;
}

static int apply(int opt, const char *arg, struct tg_plan *p, struct tg_diag *d)
{
    uint64_t v;
    size_t sz;
    switch (opt) {
    case 'c':
        if (parse_u64("--connections", arg, 1, 1000000, &v, d) < 0) {
            return TG_EINVAL;
        }
        p->connections = (uint32_t)v;
        return 0;
    case 'd':
        return parse_dur("--duration", arg, false, &p->duration_ns, d);
    case 'n':
        return parse_u64("--requests", arg, 1, UINT64_MAX / 2, &p->requests, d);
    case 't':
        if (parse_u64("--threads", arg, 1, 1024, &v, d) < 0) {
            return TG_EINVAL;
        }
        p->threads = (uint32_t)v;
        return 0;
    case 'r': {
        char *end;
        errno = 0;
        double r = strtod(arg, &end);
        if (errno || end == arg || *end || !(r > 0) || r > 1e8) {
            tg_diag_set(d, "--rate: \"%s\" is not a rate in requests per second (> 0)", arg);
            return TG_EINVAL;
        }
        p->rate_per_s = r;
        return 0;
    }
    case 'm':
        p->method = arg;
        return 0;
    case 'H':
        if (p->n_headers == TG_PLAN_MAX_HEADERS) {
            tg_diag_set(d, "--header: at most %d headers", TG_PLAN_MAX_HEADERS);
            return TG_EINVAL;
        }
        p->headers[p->n_headers++] = arg;
        tg_secrets_add_header(arg); /* Authorization, Cookie...: never written anywhere */
        return 0;
    case 'k':
        p->insecure = true;
        return 0;
    case 'q':
        p->quiet = true;
        return 0;
    case OPT_BODY:
        tg_free(p->body);
        p->body = tg_strdup(arg);
        p->body_len = strlen(arg);
        return p->body ? 0 : TG_ENOMEM;
    case OPT_BODY_FILE:
        return read_body_file(arg, p, d);
    case OPT_TIMEOUT:
        return parse_dur("--timeout", arg, false, &p->timeout_ns, d);
    case OPT_CONNECT_TIMEOUT:
        return parse_dur("--connect-timeout", arg, false, &p->connect_timeout_ns, d);
    case OPT_GRACEFUL:
        return parse_dur("--graceful-stop", arg, true, &p->graceful_stop_ns, d);
    case OPT_CACERT:
        p->ca_file = arg;
        return 0;
    case OPT_MAX_HEADER:
        if (parse_size_flag("--max-header-size", arg, 256, &sz, d) < 0) {
            return TG_EINVAL;
        }
        if (sz > (size_t)1 << 20) {
            tg_diag_set(d, "--max-header-size: at most 1MiB");
            return TG_EINVAL;
        }
        p->max_head = sz;
        return 0;
    case OPT_MAX_BODY:
        if (parse_size_flag("--max-body", arg, 0, &sz, d) < 0) {
            return TG_EINVAL;
        }
        p->max_body = sz;
        return 0;
    case OPT_THRESHOLD:
        return add_threshold(arg, p, d);
    case OPT_JUNIT:
        p->junit = arg;
        return 0;
    case OPT_SUMMARY_EXPORT:
        p->summary_export = arg;
        return 0;
    case OPT_RESULT:
        p->result_file = arg;
        return 0;
    case OPT_TREND_STATS:
        return set_trend_stats(arg, p, d);
    case OPT_RESOLVE:
        p->resolve = arg;
        return 0;
    case OPT_NO_SUMMARY:
        p->no_summary = true;
        return 0;
    default:
        return TG_EINVAL;
    }
}

static void set_defaults(struct tg_plan *p)
{
    memset(p, 0, sizeof(*p));
    p->connections = 10;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    p->threads = cores > 0 ? (uint32_t)cores : 1;
    p->timeout_ns = 60 * TG_NS_PER_S;
    p->connect_timeout_ns = 10 * TG_NS_PER_S;
    p->graceful_stop_ns = 30 * TG_NS_PER_S;
    p->max_head = 16 * 1024;
    p->max_body = (uint64_t)64 << 20;
    static const char *const stats[] = { "avg",   "min",   "med",   "max",
                                         "p(90)", "p(95)", "p(99)", "p(99.9)" };
    for (size_t i = 0; i < TG_ARRAY_LEN(stats); i++) {
        p->trend_stats[i] = stats[i];
    }
    p->n_trend_stats = TG_ARRAY_LEN(stats);
}

/* --resolve HOST:PORT:ADDRS, as curl's: the URL's host and port must match. */
static int apply_resolve(struct tg_plan *p, struct tg_diag *d)
{
    const char *r = p->resolve;
    const char *c1 = strchr(r, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    char want[300];
    snprintf(want, sizeof(want), "%s:%d", p->url.host, p->url.port);
    if (!c2 || (size_t)(c2 - r) != strlen(want) || strncmp(r, want, strlen(want)) != 0) {
        tg_diag_set(d, "--resolve \"%s\": expected %s:ADDR[,ADDR...] for this URL", r, want);
        return TG_EINVAL;
    }
    int n = tg_addr_parse_list(c2 + 1, p->url.port, p->addrs, (int)TG_ARRAY_LEN(p->addrs));
    if (n < 0) {
        tg_diag_set(d, "--resolve \"%s\": \"%s\" is not a list of up to %zu IP addresses", r,
                    c2 + 1, TG_ARRAY_LEN(p->addrs));
        return TG_EINVAL;
    }
    p->n_addrs = n;
    return 0;
}

/* Resolves the target and builds the request; after flags are parsed. */
static int finish_plan(struct tg_plan *p, struct tg_diag *d, bool threads_given)
{
    if (!p->method) {
        p->method = p->body ? "POST" : "GET";
    }
    if (!p->duration_ns && !p->requests) {
        p->duration_ns = 10 * TG_NS_PER_S;
    }
    size_t fds = tg_fdlimit_raise();
    if ((size_t)p->connections + 64 > fds) {
        tg_diag_set(d,
                    "--connections: %u connections need %u file descriptors, but the limit "
                    "(ulimit -n) is %zu",
                    p->connections, p->connections + 64, fds);
        return TG_EINVAL;
    }
    if (p->threads > p->connections) {
        if (threads_given) {
            tg_diag_set(d, "--threads: %u threads need at least as many connections (-c %u)",
                        p->threads, p->connections);
            return TG_EINVAL;
        }
        p->threads = p->connections;
    }
    struct tg_h1_request_spec spec = { p->method,    &p->url, p->headers,
                                       p->n_headers, p->body, p->body_len };
    int rc = tg_h1_write_request(&spec, &p->request, &p->request_len, d);
    if (rc < 0) {
        tg_diag_prefix(d, rc == TG_EINVAL ? "--method/--header" : "request");
        return rc;
    }
    p->head_request = tg_h1_write_is_head(p->method);
    if (p->resolve) {
        return apply_resolve(p, d);
    }
    struct tg_diag rd;
    int n = tg_addr_resolve(p->url.host, p->url.port, p->addrs, (int)TG_ARRAY_LEN(p->addrs), &rd);
    if (n > 0) {
        p->n_addrs = n;
    } else {
        /* a counted error for every request, as a target that cannot be reached is */
        p->resolve_error = n == TG_ENOENT ? TG_ERR_DNS_NO_SUCH_HOST : TG_ERR_DNS;
        if (!p->quiet) {
            fprintf(stderr, "tailgate: warning: %s\n", rd.msg);
        }
    }
    return 0;
}

/* The long name of a flag ("--rate"), for messages. */
static const char *flag_name(int opt)
{
    for (const struct option *o = long_opts; o->name; o++) {
        if (o->val == opt) {
            static char buf[64];
            snprintf(buf, sizeof(buf), "--%s", o->name);
            return buf;
        }
    }
    return "a flag";
}

/* -e, -u, -i: returns 1 when opt was one of them, 0 when not, < 0 on error. */
static int script_flag(int opt, const char *arg, struct given *g, struct tg_diag *d)
{
    uint64_t v;
    switch (opt) {
    case 'e': {
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg) {
            tg_diag_set(d, "--env \"%s\": expected KEY=VALUE", arg);
            return TG_EINVAL;
        }
        char key[256];
        snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
        setenv(key, eq + 1, 1); /* before any script state reads the environment */
        if (g->n_env < TG_ARRAY_LEN(g->env)) {
            g->env[g->n_env++] = eq + 1;
        }
        return 1;
    }
    case 'u':
        if (parse_u64("--vus", arg, 1, 10000000, &v, d) < 0) {
            return TG_EINVAL;
        }
        g->ov.vus = (uint32_t)v;
        return 1;
    case 'i':
        if (parse_u64("--iterations", arg, 1, UINT64_MAX / 2, &v, d) < 0) {
            return TG_EINVAL;
        }
        g->ov.iterations = v;
        return 1;
    default:
        return 0;
    }
}

static int finish_script(struct tg_plan *p, const char *script, struct given *g, struct tg_diag *d)
{
    if (g->url_only) {
        tg_diag_set(d, "%s: not used with a script (its options decide the load and the requests)",
                    g->url_only);
        return TG_EINVAL;
    }
    p->script = script;
    p->url_text = script;
    memcpy(p->env_values, g->env, sizeof(p->env_values));
    p->n_env_values = g->n_env;
    p->method = "";
    g->ov.duration_ns = p->duration_ns; /* -d given: it replaces the script's scenarios */
    p->duration_ns = 0;
    p->connections = 0;
    const char *stats[TG_PLAN_MAX_STATS];
    size_t n_stats = p->n_trend_stats;
    memcpy(stats, p->trend_stats, sizeof(stats));
    int rc = tg_script_plan(p, &g->ov, d);
    if (rc == 0 && g->trend_stats) {
        /* the flag's statistics win over options.summaryTrendStats */
        memcpy(p->trend_stats, stats, sizeof(stats));
        p->n_trend_stats = n_stats;
    }
    return rc;
}

int tg_run_flags_parse(int argc, char **argv, struct tg_plan *p, struct tg_diag *d)
{
    set_defaults(p);
    tg_rail_flags_init(p);
    struct given g = { 0 };
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:d:n:r:t:m:H:kqhe:u:i:", long_opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage_text, stdout);
            return 1;
        }
        if (opt == '?' || opt == ':') {
            const char *bad = argv[optind - 1];
            tg_diag_set(d, "%s: unknown flag or missing value (see tailgate run --help)", bad);
            return TG_EINVAL;
        }
        int rc = tg_rail_flags_apply(opt, optarg, p, d);
        if (rc == 1) {
            rc = tg_abort_flags_apply(opt, optarg, p, d);
        }
        if (rc <= 0) {
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        rc = script_flag(opt, optarg, &g, d);
        if (rc == 1) {
            continue;
        }
        if (rc < 0) {
            return rc;
        }
        g.threads = g.threads || opt == 't';
        g.trend_stats = g.trend_stats || opt == OPT_TREND_STATS;
        if (strchr("cnrmH", opt) || opt == OPT_BODY || opt == OPT_BODY_FILE || opt == OPT_RESOLVE) {
            g.url_only = flag_name(opt);
        }
        rc = apply(opt, optarg, p, d);
        if (rc < 0) {
            return rc;
        }
    }
    if (optind >= argc) {
        tg_diag_set(d, "run: missing URL or script (usage: tailgate run URL|SCRIPT.lua [flags])");
        return TG_EINVAL;
    }
    if (optind + 1 < argc) {
        tg_diag_set(d, "run: unexpected argument \"%s\" after \"%s\"", argv[optind + 1],
                    argv[optind]);
        return TG_EINVAL;
    }
    size_t alen = strlen(argv[optind]);
    if (alen > 4 && strcmp(argv[optind] + alen - 4, ".lua") == 0) {
        return finish_script(p, argv[optind], &g, d);
    }
    if (g.ov.vus || g.ov.iterations) {
        tg_diag_set(d, "%s: only for scripts (a URL run uses -c and -n)",
                    g.ov.vus ? "--vus" : "--iterations");
        return TG_EINVAL;
    }
    p->url_text = argv[optind];
    if (tg_url_parse(p->url_text, &p->url, d) < 0) {
        return TG_EINVAL;
    }
    return finish_plan(p, d, g.threads);
}
