/*
 * addr — blocking getaddrinfo, used only before the event loops start.
 */
#include "net/addr.h"

#include "tg.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

int tg_addr_resolve(const char *host, int port, struct tg_addr *out, int max, struct tg_diag *d)
{
    struct addrinfo hints = { 0 };
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc == EAI_ADDRFAMILY || rc == EAI_FAMILY) {
        hints.ai_flags = 0;
        rc = getaddrinfo(host, service, &hints, &res);
    }
    if (rc != 0) {
        tg_diag_set(d, "cannot resolve \"%s\": %s", host, gai_strerror(rc));
        return (rc == EAI_NONAME || rc == EAI_NODATA) ? TG_ENOENT : TG_EIO;
    }
    int n = 0;
    for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof(out[n].sa)) {
            continue;
        }
        memcpy(&out[n].sa, ai->ai_addr, ai->ai_addrlen);
        out[n].len = ai->ai_addrlen;
        n++;
    }
    freeaddrinfo(res);
    if (n == 0) {
        tg_diag_set(d, "cannot resolve \"%s\": no address", host);
        return TG_ENOENT;
    }
    return n;
}

static int parse_one(const char *s, size_t len, int port, struct tg_addr *out)
{
    char ip[INET6_ADDRSTRLEN + 2];
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof(ip)) {
        return TG_EINVAL;
    }
    memcpy(ip, s, len);
    ip[len] = '\0';
    memset(out, 0, sizeof(*out));
    struct sockaddr_in *s4 = (struct sockaddr_in *)&out->sa;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->sa;
    if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        out->len = sizeof(*s4);
        return 0;
    }
    if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        out->len = sizeof(*s6);
        return 0;
    }
    return TG_EINVAL;
}

int tg_addr_parse_list(const char *list, int port, struct tg_addr *out, int max)
{
    int n = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (n == max || parse_one(p, len, port, &out[n]) < 0) {
            return TG_EINVAL;
        }
        n++;
        if (p[len] == '\0') {
            return n;
        }
        p += len + 1;
    }
}

bool tg_addr_is_loopback(const struct tg_addr *a)
{
    if (a->sa.ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->sa;
        return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
    }
    if (a->sa.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->sa;
        if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) {
            return true;
        }
        return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && s6->sin6_addr.s6_addr[12] == 127;
    }
    return false;
}

char *tg_addr_fmt(const struct tg_addr *a, char *buf, size_t n)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (a->sa.ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        port = ntohs(s4->sin_port);
        snprintf(buf, n, "%s:%d", ip, port);
    } else {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        port = ntohs(s6->sin6_port);
        snprintf(buf, n, "[%s]:%d", ip, port);
    }
    return buf;
}
