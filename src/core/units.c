/*
 * units — duration and size parsing/formatting; grammar in units.h.
 */
#include "core/units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct unit {
    const char *name;
    tg_ns ns;
};

/* Longest names first so "ms" is not read as "m" then "s". */
static const struct unit duration_units[] = {
    { "ns", 1 },
    { "us", TG_NS_PER_US },
    { "\xc2\xb5s", TG_NS_PER_US },
    { "ms", TG_NS_PER_MS },
    { "s", TG_NS_PER_S },
    { "m", 60 * TG_NS_PER_S },
    { "h", 3600 * TG_NS_PER_S },
};

static int read_number(const char **p, double *out)
{
    const char *s = *p;
    const char *start = s;
    while (*s >= '0' && *s <= '9') {
        s++;
    }
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            s++;
        }
    }
    if (s == start || (s == start + 1 && *start == '.')) {
        return TG_EINVAL;
    }
    char tmp[64];
    size_t len = (size_t)(s - start);
    if (len >= sizeof(tmp)) {
        return TG_EINVAL;
    }
    memcpy(tmp, start, len);
    tmp[len] = '\0';
    *out = strtod(tmp, NULL);
    *p = s;
    return 0;
}

static const struct unit *read_unit(const char **p)
{
    for (size_t i = 0; i < TG_ARRAY_LEN(duration_units); i++) {
        size_t len = strlen(duration_units[i].name);
        if (strncmp(*p, duration_units[i].name, len) == 0) {
            /* "m" must not swallow the "m" of "ms". */
            if (len == 1 && (*p)[0] == 'm' && (*p)[1] == 's') {
                continue;
            }
            *p += len;
            return &duration_units[i];
        }
    }
    return NULL;
}

int tg_units_parse_duration(const char *s, tg_ns default_unit, tg_ns *out)
{
    if (!s || !*s) {
        return TG_EINVAL;
    }
    const char *p = s;
    double total = 0;
    bool any_unit = false;
    while (*p) {
        double v;
        if (read_number(&p, &v) < 0) {
            return TG_EINVAL;
        }
        const struct unit *u = read_unit(&p);
        if (!u) {
            if (*p != '\0' || any_unit) {
                return TG_EINVAL;
            }
            total += v * (double)default_unit;
            break;
        }
        any_unit = true;
        total += v * (double)u->ns;
    }
    if (!(total >= 0) || total > 9.2e18) {
        return TG_EINVAL;
    }
    *out = (tg_ns)llround(total);
    return 0;
}

int tg_units_parse_size(const char *s, size_t *out)
{
    if (!s || !*s) {
        return TG_EINVAL;
    }
    const char *p = s;
    double v;
    if (read_number(&p, &v) < 0) {
        return TG_EINVAL;
    }
    double mult = 1;
    if (*p) {
        static const struct {
            const char *name;
            double mult;
        } units[] = {
            { "b", 1 },
            { "k", 1024.0 },
            { "kb", 1024.0 },
            { "kib", 1024.0 },
            { "m", 1048576.0 },
            { "mb", 1048576.0 },
            { "mib", 1048576.0 },
            { "g", 1073741824.0 },
            { "gb", 1073741824.0 },
            { "gib", 1073741824.0 },
        };
        bool found = false;
        for (size_t i = 0; i < TG_ARRAY_LEN(units); i++) {
            if (strcasecmp(p, units[i].name) == 0) {
                mult = units[i].mult;
                found = true;
                break;
            }
        }
        if (!found) {
            return TG_EINVAL;
        }
    }
    double total = v * mult;
    if (total > 1e15) {
        return TG_EINVAL;
    }
    *out = (size_t)total;
    return 0;
}

/* Prints v with up to two decimals, trailing zeros dropped (k6's toFixedNoTrailingZeros). */
static void fmt_trim(double v, const char *unit, char *buf, size_t n)
{
    char num[64];
    snprintf(num, sizeof(num), "%.2f", v);
    char *dot = strchr(num, '.');
    if (dot) {
        char *end = num + strlen(num) - 1;
        while (end > dot && *end == '0') {
            *end-- = '\0';
        }
        if (end == dot) {
            *end = '\0';
        }
    }
    snprintf(buf, n, "%s%s", num, unit);
}

char *tg_units_fmt_duration(double ns, char *buf, size_t n)
{
    if (ns < 0 || isnan(ns)) {
        snprintf(buf, n, "-");
    } else if (ns < 1e3) {
        snprintf(buf, n, "%gns", round(ns));
    } else if (ns < 1e6) {
        fmt_trim(ns / 1e3, "\xc2\xb5s", buf, n);
    } else if (ns < 1e9) {
        fmt_trim(ns / 1e6, "ms", buf, n);
    } else if (ns < 60e9) {
        fmt_trim(ns / 1e9, "s", buf, n);
    } else {
        double s = ns / 1e9;
        long m = (long)(s / 60);
        char sec[32];
        fmt_trim(s - (double)m * 60, "s", sec, sizeof(sec));
        snprintf(buf, n, "%ldm%s", m, strcmp(sec, "0s") == 0 ? "" : sec);
    }
    return buf;
}

char *tg_units_fmt_bytes(double bytes, char *buf, size_t n)
{
    static const char *const names[] = { "B", "kB", "MB", "GB", "TB" };
    size_t i = 0;
    while (bytes >= 1000 && i + 1 < TG_ARRAY_LEN(names)) {
        bytes /= 1000;
        i++;
    }
    if (i == 0 || bytes >= 10) {
        snprintf(buf, n, "%.0f %s", bytes, names[i]);
    } else {
        snprintf(buf, n, "%.1f %s", bytes, names[i]);
    }
    return buf;
}
