/*
 * cookie — Set-Cookie parsing, cookie dates and matching rules; see cookie.h.
 */
#include "http/cookie.h"

#include <string.h>
#include <strings.h>

static bool wsp(char c)
{
    return c == ' ' || c == '\t';
}

static struct tg_span trim(const char *p, size_t n)
{
    while (n && wsp(*p)) {
        p++;
        n--;
    }
    while (n && wsp(p[n - 1])) {
        n--;
    }
    return (struct tg_span){ p, n };
}

static bool has_ctl(struct tg_span s)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return true;
        }
    }
    return false;
}

static bool span_is(struct tg_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && strncasecmp(s.ptr, lit, n) == 0;
}

/* Max-Age: an optional '-' then digits; anything else is ignored (returns false). */
static bool parse_max_age(struct tg_span v, int64_t *out)
{
    size_t i = v.len && v.ptr[0] == '-' ? 1 : 0;
    if (i == v.len) {
        return false;
    }
    int64_t x = 0;
    for (; i < v.len; i++) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9') {
            return false;
        }
        x = x < INT64_C(1) << 40 ? x * 10 + (v.ptr[i] - '0') : x; /* saturate: years enough */
    }
    *out = v.ptr[0] == '-' ? -x : x;
    return true;
}

static void parse_attr(struct tg_span name, struct tg_span value, struct tg_cookie_attrs *a)
{
    if (span_is(name, "Expires")) {
        a->has_expires = tg_cookie_parse_date(value.ptr, value.len, &a->expires_s) == 0;
    } else if (span_is(name, "Max-Age")) {
        int64_t v;
        if (parse_max_age(value, &v)) {
            a->has_max_age = true;
            a->max_age_s = v;
        }
    } else if (span_is(name, "Domain")) {
        if (value.len && value.ptr[0] == '.') {
            value.ptr++;
            value.len--;
        }
        a->domain = value; /* an empty Domain is ignored (len 0) */
    } else if (span_is(name, "Path")) {
        a->path = value.len && value.ptr[0] == '/' ? value : (struct tg_span){ NULL, 0 };
    } else if (span_is(name, "Secure")) {
        a->secure = true;
    } else if (span_is(name, "HttpOnly")) {
        a->http_only = true;
    }
}

int tg_cookie_parse(const char *s, size_t len, struct tg_cookie_attrs *a)
{
    memset(a, 0, sizeof(*a));
    const char *end = s + len;
    const char *semi = memchr(s, ';', len);
    const char *nv_end = semi ? semi : end;
    const char *eq = memchr(s, '=', (size_t)(nv_end - s));
    if (!eq) {
        return TG_EPROTO;
    }
    a->name = trim(s, (size_t)(eq - s));
    a->value = trim(eq + 1, (size_t)(nv_end - eq - 1));
    if (a->name.len == 0 || has_ctl(a->name) || has_ctl(a->value)) {
        return TG_EPROTO;
    }
    for (const char *p = semi; p && p < end;) {
        p++; /* past ';' */
        const char *next = memchr(p, ';', (size_t)(end - p));
        const char *stop = next ? next : end;
        const char *aeq = memchr(p, '=', (size_t)(stop - p));
        struct tg_span an = trim(p, (size_t)((aeq ? aeq : stop) - p));
        struct tg_span av =
            aeq ? trim(aeq + 1, (size_t)(stop - aeq - 1)) : (struct tg_span){ p, 0 };
        parse_attr(an, av, a);
        p = next;
    }
    return 0;
}

/* ---- dates (5.1.1) ---------------------------------------------------------- */

static bool delimiter(unsigned char c)
{
    return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
           (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads min..max digits at *p followed by the token's end or a non-digit. */
static bool digits(const char **p, const char *end, int min, int max, int *out)
{
    int n = 0;
    int v = 0;
    while (*p < end && digit(**p) && n < max) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n < min || (*p < end && digit(**p))) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_time(const char *p, const char *end, int hms[3])
{
    for (int i = 0; i < 3; i++) {
        if (!digits(&p, end, 1, 2, &hms[i])) {
            return false;
        }
        if (i < 2 && (p == end || *p++ != ':')) {
            return false;
        }
    }
    return true;
}

static int parse_month(const char *p, const char *end)
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    if (end - p < 3) {
        return 0;
    }
    for (int m = 0; m < 12; m++) {
        if (strncasecmp(p, months + 3 * m, 3) == 0) {
            return m + 1;
        }
    }
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int tg_cookie_parse_date(const char *s, size_t len, int64_t *unix_s)
{
    int hms[3] = { 0, 0, 0 };
    bool found_time = false;
    int dom = -1;
    int month = 0;
    int year = -1;
    const char *end = s + len;
    for (const char *p = s; p < end;) {
        while (p < end && delimiter((unsigned char)*p)) {
            p++;
        }
        const char *t = p;
        while (p < end && !delimiter((unsigned char)*p)) {
            p++;
        }
        if (t == p) {
            break;
        }
        const char *q = t;
        int v;
        int t3[3];
        if (!found_time && parse_time(t, p, t3)) {
            memcpy(hms, t3, sizeof(hms));
            found_time = true;
        } else if (dom < 0 && digits(&q, p, 1, 2, &v)) {
            dom = v;
        } else if (month == 0 && parse_month(t, p) != 0) {
            month = parse_month(t, p);
        } else if (year < 0 && (q = t, digits(&q, p, 2, 4, &v))) {
            year = v;
        }
    }
    if (year >= 70 && year <= 99) {
        year += 1900;
    } else if (year >= 0 && year <= 69) {
        year += 2000;
    }
    if (!found_time || dom < 1 || month == 0 || year < 1601 || hms[0] > 23 || hms[1] > 59 ||
        hms[2] > 59 || dom > month_days(year, month)) {
        return TG_EPROTO;
    }
    *unix_s = days_from_civil(year, month, dom) * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2];
    return 0;
}

/* ---- matching (5.1.3, 5.1.4) ---------------------------------------------------- */

bool tg_cookie_host_is_ip(const char *host, size_t host_len)
{
    if (memchr(host, ':', host_len)) {
        return true; /* only an IPv6 literal has a colon in a host name */
    }
    int dots = 0;
    for (size_t i = 0; i < host_len; i++) {
        if (host[i] == '.') {
            dots++;
        } else if (!digit(host[i])) {
            return false;
        }
    }
    return dots == 3;
}

bool tg_cookie_domain_match(const char *host, size_t host_len, const char *domain,
                            size_t domain_len)
{
    if (host_len == domain_len) {
        return strncasecmp(host, domain, host_len) == 0;
    }
    return domain_len > 0 && host_len > domain_len && host[host_len - domain_len - 1] == '.' &&
           strncasecmp(host + host_len - domain_len, domain, domain_len) == 0 &&
           !tg_cookie_host_is_ip(host, host_len);
}

bool tg_cookie_path_match(const char *req_path, size_t req_len, const char *cookie_path,
                          size_t cookie_len)
{
    if (cookie_len > req_len || memcmp(req_path, cookie_path, cookie_len) != 0) {
        return false;
    }
    return cookie_len == req_len || cookie_path[cookie_len - 1] == '/' ||
           req_path[cookie_len] == '/';
}

size_t tg_cookie_default_path(const char *req_path, size_t req_len)
{
    if (req_len == 0 || req_path[0] != '/') {
        return 1;
    }
    const char *last = memrchr(req_path, '/', req_len);
    size_t n = (size_t)(last - req_path);
    return n ? n : 1;
}
