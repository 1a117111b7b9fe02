/*
 * plan_view — the runbook view of a plan; see plan_view.h.
 */
#include "report/plan_view.h"

#include "core/units.h"
#include "exec/schedule.h"
#include "http/url.h"
#include "script/options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHART_COLS 60
#define CHART_ROWS 8
#define MAX_HOSTS  TG_PLAN_VIEW_MAX_HOSTS

static double per_s(double rate, tg_ns unit)
{
    return unit > 0 ? rate * 1e9 / (double)unit : rate;
}

/* How long scenario sc runs (its iterations may end it sooner). */
static tg_ns scen_len(const struct tg_scenario *sc)
{
    switch (sc->executor) {
    case TG_EXECUTOR_CONSTANT_VUS:
    case TG_EXECUTOR_CONSTANT_ARRIVAL_RATE:
    case TG_EXECUTOR_SHAPE:
        return sc->duration;
    case TG_EXECUTOR_RAMPING_VUS:
    case TG_EXECUTOR_RAMPING_ARRIVAL_RATE:
        return tg_schedule_stages_len(sc->stages, sc->n_stages);
    default:
        return sc->max_duration;
    }
}

struct tg_plan_load tg_plan_view_load(const struct tg_plan *p, size_t i, double t_s)
{
    struct tg_plan_load l = { 0, 0 };
    if (!p->script) {
        bool on = t_s >= 0 && (p->duration_ns == 0 || t_s < (double)p->duration_ns / 1e9);
        l.vus = on && p->rate_per_s <= 0 ? p->connections : 0;
        l.rate_per_s = on ? p->rate_per_s : 0;
        return l;
    }
    const struct tg_scenario *sc = &p->options->scenarios[i];
    tg_ns t = (tg_ns)(t_s * 1e9) - sc->start_time;
    if (t < 0 || t >= scen_len(sc)) {
        return l;
    }
    switch (sc->executor) {
    case TG_EXECUTOR_RAMPING_VUS:
        l.vus = tg_schedule_value_at(sc->stages, sc->n_stages, sc->start_vus, t);
        break;
    case TG_EXECUTOR_CONSTANT_ARRIVAL_RATE:
        l.rate_per_s = per_s(sc->rate, sc->time_unit);
        break;
    case TG_EXECUTOR_RAMPING_ARRIVAL_RATE:
        l.rate_per_s =
            per_s(tg_schedule_value_at(sc->stages, sc->n_stages, sc->start_rate, t), sc->time_unit);
        break;
    case TG_EXECUTOR_SHAPE: {
        size_t k = (size_t)(t / TG_NS_PER_S);
        double v = k < sc->n_shape_load ? sc->shape_load[k] : 0;
        *(sc->open ? &l.rate_per_s : &l.vus) = v;
        break;
    }
    default:
        l.vus = sc->vus;
        break;
    }
    return l;
}

tg_ns tg_plan_view_end(const struct tg_plan *p)
{
    if (!p->script) {
        return p->duration_ns;
    }
    tg_ns end = 0;
    for (size_t i = 0; i < p->options->n_scenarios; i++) {
        const struct tg_scenario *sc = &p->options->scenarios[i];
        tg_ns e = sc->start_time + scen_len(sc);
        end = e > end ? e : end;
    }
    return end;
}

static bool is_open(const struct tg_scenario *sc)
{
    return sc->executor == TG_EXECUTOR_CONSTANT_ARRIVAL_RATE ||
           sc->executor == TG_EXECUTOR_RAMPING_ARRIVAL_RATE ||
           (sc->executor == TG_EXECUTOR_SHAPE && sc->open);
}

static const char *fmt_dur(tg_ns ns, char *buf, size_t n)
{
    if (ns == 0) {
        snprintf(buf, n, "0s");
        return buf;
    }
    return tg_units_fmt_duration((double)ns, buf, n);
}

static size_t n_scen(const struct tg_plan *p)
{
    return p->script ? p->options->n_scenarios : 1;
}

static struct tg_plan_load total_at(const struct tg_plan *p, double t)
{
    struct tg_plan_load sum = { 0, 0 };
    for (size_t i = 0; i < n_scen(p); i++) {
        struct tg_plan_load l = tg_plan_view_load(p, i, t);
        sum.vus += l.vus;
        sum.rate_per_s += l.rate_per_s;
    }
    return sum;
}

static void print_scenarios(FILE *f, const struct tg_plan *p)
{
    char a[32];
    char b[32];
    fprintf(f, "  SCENARIOS\n    %-16s %-23s %-10s %-10s %s\n", "name", "executor", "start", "end",
            "load");
    if (!p->script) {
        fprintf(f, "    %-16s %-23s %-10s %-10s ", "(command line)",
                p->rate_per_s > 0 ? "open model (-r)" : "closed model (-c)", "0s",
                p->duration_ns ? tg_units_fmt_duration((double)p->duration_ns, b, sizeof(b))
                               : "-n requests");
        if (p->rate_per_s > 0) {
            fprintf(f, "%g requests/s on up to %u connections\n", p->rate_per_s, p->connections);
        } else {
            fprintf(f, "%u connections\n", p->connections);
        }
        return;
    }
    for (size_t i = 0; i < p->options->n_scenarios; i++) {
        const struct tg_scenario *sc = &p->options->scenarios[i];
        double peak_v = 0;
        double peak_r = 0;
        for (tg_ns t = 0; t <= scen_len(sc); t += TG_NS_PER_S / 4) {
            struct tg_plan_load l = tg_plan_view_load(
                p, i, (double)(sc->start_time + TG_MIN(t, scen_len(sc) - 1)) / 1e9);
            peak_v = fmax(peak_v, l.vus);
            peak_r = fmax(peak_r, l.rate_per_s);
        }
        fmt_dur(sc->start_time, a, sizeof(a));
        fmt_dur(sc->start_time + scen_len(sc), b, sizeof(b));
        bool iter = sc->executor == TG_EXECUTOR_SHARED_ITERATIONS ||
                    sc->executor == TG_EXECUTOR_PER_VU_ITERATIONS;
        fprintf(f, "    %-16s %-23s %-10s %s%-*s ", sc->name, tg_executor_name(sc->executor), a,
                iter ? "<=" : "", iter ? 8 : 10, b);
        if (is_open(sc)) {
            fprintf(f, "up to %.6g iterations/s, VUs %u..%u", peak_r,
                    sc->pre_allocated_vus ? sc->pre_allocated_vus : sc->max_vus, sc->max_vus);
        } else if (iter) {
            fprintf(f, "%u VUs, %llu iteration%s%s", sc->vus, (unsigned long long)sc->iterations,
                    sc->iterations == 1 ? "" : "s",
                    sc->executor == TG_EXECUTOR_PER_VU_ITERATIONS ? " each" : " shared");
        } else {
            fprintf(f, "up to %.6g VUs", peak_v);
        }
        fputc('\n', f);
    }
}

/* host[:port] of every http(s) URL in text, added to hosts once. */
static void scan_hosts(const char *text, size_t len, char hosts[][280], size_t *n)
{
    for (size_t i = 0; i + 7 < len && *n < MAX_HOSTS; i++) {
        if (strncmp(text + i, "http://", 7) != 0 && strncmp(text + i, "https://", 8) != 0) {
            continue;
        }
        size_t s = i + (text[i + 4] == 's' ? 8 : 7);
        size_t e = s;
        if (s < len && text[s] == '[') { /* an IPv6 address: up to its ']' */
            while (e < len && e - s < 64 && text[e] != ']') {
                e++;
            }
            e += e < len;
        }
        while (e < len && e - s < 270 && !strchr("/\"' \n\t?#)]}>,", text[e])) {
            e++;
        }
        if (e == s) {
            continue;
        }
        char h[280];
        snprintf(h, sizeof(h), "%.*s", (int)(e - s), text + s);
        bool seen = false;
        for (size_t k = 0; k < *n && !seen; k++) {
            seen = strcmp(hosts[k], h) == 0;
        }
        if (!seen) {
            snprintf(hosts[(*n)++], sizeof(hosts[0]), "%s", h);
        }
        i = e;
    }
}

size_t tg_plan_view_hosts(const struct tg_plan *p, char hosts[][280], size_t max)
{
    size_t n = 0;
    if (!p->script) {
        snprintf(hosts[n++], sizeof(hosts[0]), "%s:%d", p->url.host, p->url.port);
        return n;
    }
    FILE *sf = fopen(p->script, "r");
    if (sf) {
        static char buf[1 << 20];
        size_t len = fread(buf, 1, sizeof(buf), sf);
        fclose(sf);
        scan_hosts(buf, len, hosts, &n);
    }
    for (size_t i = 0; i < p->n_env_values; i++) {
        scan_hosts(p->env_values[i], strlen(p->env_values[i]), hosts, &n);
    }
    (void)max;
    return n;
}

static void print_hosts(FILE *f, const struct tg_plan *p)
{
    char hosts[TG_PLAN_VIEW_MAX_HOSTS][280];
    size_t n = tg_plan_view_hosts(p, hosts, TG_PLAN_VIEW_MAX_HOSTS);
    if (!p->script) {
        fprintf(f, "  HOSTS     %s\n", hosts[0]);
        return;
    }
    fprintf(f, "  HOSTS     ");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%s", i ? ", " : "", hosts[i]);
    }
    fprintf(f, "%s(the URLs in the script and its -e values; a script may build others)\n",
            n ? "  " : "none found ");
}

static void print_rails(FILE *f, const struct tg_plan *p)
{
    char d[32];
    fprintf(f, "  RAILS\n");
    fprintf(f, "    synthetic     %s\n",
            p->rails.synthetic ? p->rails.synthetic : "none (--synthetic-header 'NAME: VALUE')");
    if (p->rails.allow.n > 0) {
        fprintf(f, "    allow-list    ");
        for (size_t i = 0; i < p->rails.allow.n; i++) {
            if (p->rails.allow.pat[i].port) {
                fprintf(f, "%s%s:%d", i ? ", " : "", p->rails.allow.pat[i].host,
                        p->rails.allow.pat[i].port);
            } else {
                fprintf(f, "%s%s", i ? ", " : "", p->rails.allow.pat[i].host);
            }
        }
        fprintf(f, "%s\n", p->rails.allow.strict ? " (strict: anything else aborts)" : "");
    } else {
        fprintf(f, "    allow-list    none: every host (--allow-host HOST)\n");
    }
    if (p->rails.max_rps > 0) {
        fprintf(f, "    rate cap      %g requests/s at most, all threads together\n",
                p->rails.max_rps);
    } else {
        fprintf(f, "    rate cap      none (--max-rps N)\n");
    }
    if (p->rails.kill_url) {
        fprintf(f, "    kill switch   %s every %s, %u unanswered polls stop it\n",
                p->rails.kill_url,
                tg_units_fmt_duration((double)p->rails.kill_interval_ns, d, sizeof(d)),
                p->rails.kill_failures);
    } else {
        fprintf(f, "    kill switch   none (--kill-switch URL)\n");
    }
    fprintf(f, "    kill file     %s\n",
            p->rails.kill_file ? p->rails.kill_file : "none (--kill-file PATH)");
    size_t aborts = 0;
    for (size_t i = 0; i < p->n_thresholds; i++) {
        const struct tg_plan_threshold *t = &p->thresholds[i];
        if (t->abort_on_fail) {
            fprintf(f, "    abort on      %s: %s (after %s)\n", t->sel.raw, t->expr.source,
                    tg_units_fmt_duration((double)t->delay_abort_eval, d, sizeof(d)));
            aborts++;
        }
    }
    if (aborts == 0) {
        fprintf(f, "    abort on      none (--abort-on, or thresholds with abortOnFail)\n");
    }
    fprintf(f, "    thresholds    %zu\n", p->n_thresholds);
}

static void chart(FILE *f, const struct tg_plan *p, bool rate, tg_ns end)
{
    double col[CHART_COLS];
    double peak = 0;
    double span = (double)end / 1e9 / CHART_COLS;
    for (int c = 0; c < CHART_COLS; c++) {
        col[c] = 0;
        for (int k = 0; k < 8; k++) { /* the column's peak, sampled */
            struct tg_plan_load l = total_at(p, (c + k / 8.0) * span);
            col[c] = fmax(col[c], rate ? l.rate_per_s : l.vus);
        }
        peak = fmax(peak, col[c]);
    }
    if (peak <= 0) {
        return;
    }
    char e[32];
    fprintf(f, "\n  %s OVER TIME (peak %.6g)\n\n",
            rate ? (p->script ? "ITERATIONS/S" : "REQUESTS/S") : "VUS", peak);
    for (int r = CHART_ROWS; r >= 1; r--) {
        if (r == CHART_ROWS) {
            fprintf(f, "  %8.6g |", peak);
        } else {
            fprintf(f, "  %8s |", "");
        }
        for (int c = 0; c < CHART_COLS; c++) {
            fputc(col[c] >= peak * (r - 0.5) / CHART_ROWS ? '#' : ' ', f);
        }
        fputc('\n', f);
    }
    fprintf(f, "  %8d +", 0);
    for (int c = 0; c < CHART_COLS; c++) {
        fputc('-', f);
    }
    tg_units_fmt_duration((double)end, e, sizeof(e));
    fprintf(f, "\n  %10s0s%*s\n", "", CHART_COLS - 1, e);
}

void tg_plan_view_print(FILE *f, const struct tg_plan *p)
{
    char d[32];
    tg_ns end = tg_plan_view_end(p);
    fprintf(f, "\n  tailgate plan %s   (a plan only: nothing is sent)\n\n",
            p->script ? p->script : p->url_text);
    print_scenarios(f, p);
    double peak_v = 0;
    double peak_r = 0;
    for (tg_ns t = 0; t < end; t += TG_NS_PER_S / 4) {
        struct tg_plan_load l = total_at(p, (double)t / 1e9);
        peak_v = fmax(peak_v, l.vus);
        peak_r = fmax(peak_r, l.rate_per_s);
    }
    uint64_t alloc = 0;
    for (size_t i = 0; p->script && i < p->options->n_scenarios; i++) {
        alloc += is_open(&p->options->scenarios[i]) ? p->options->scenarios[i].max_vus : 0;
    }
    fprintf(f, "\n  ENDS      by %s",
            end ? tg_units_fmt_duration((double)end, d, sizeof(d)) : "(-n requests)");
    fprintf(f, " (iteration-based scenarios may end sooner), plus each scenario's gracefulStop\n");
    fprintf(f, "  PEAK     ");
    if (peak_v > 0) {
        fprintf(f, " %.6g VUs looping at once (closed model)", peak_v);
    }
    if (peak_r > 0) {
        fprintf(f, "%s %.6g %s/s (open model)", peak_v > 0 ? "," : "", peak_r,
                p->script ? "iterations" : "requests");
    }
    if (alloc) {
        fprintf(f, ", up to %llu VUs to run the arrivals", (unsigned long long)alloc);
    }
    fputc('\n', f);
    print_hosts(f, p);
    print_rails(f, p);
    if (end > 0) {
        chart(f, p, false, end);
        chart(f, p, true, end);
    }
    fputc('\n', f);
}
