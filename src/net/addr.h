/*
 * addr — name resolution for targets. Resolution happens once, on the main
 * thread, while the plan is built and before any worker's event loop runs,
 * so no event loop ever blocks on DNS. Workers receive resolved addresses.
 */
#ifndef TG_NET_ADDR_H
#define TG_NET_ADDR_H

#include "core/diag.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

struct tg_addr {
    struct sockaddr_storage sa; /* the address, port included */
    socklen_t len;              /* valid bytes of sa */
};

/*
 * Resolves host:port into up to max addresses (IPv4 and IPv6, in the
 * resolver's preference order). Returns the number found (> 0), TG_ENOENT
 * when the name has no address, or TG_EIO on another resolver failure; d
 * gets the resolver's message.
 */
int tg_addr_resolve(const char *host, int port, struct tg_addr *out, int max, struct tg_diag *d);
/*
 * Parses a comma-separated list of numeric addresses ("127.0.0.1,[::1]" or
 * "::1") into out with port. Returns the number parsed (> 0) or TG_EINVAL.
 */
int tg_addr_parse_list(const char *list, int port, struct tg_addr *out, int max);
/* Whether the address is loopback (127.0.0.0/8, ::1, or v4-mapped 127/8). */
bool tg_addr_is_loopback(const struct tg_addr *a);
/* Formats "1.2.3.4:80" / "[::1]:80" into buf. Returns buf. */
char *tg_addr_fmt(const struct tg_addr *a, char *buf, size_t n);

#endif
