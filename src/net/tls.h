/*
 * tls — OpenSSL client contexts and the mapping of TLS failures to k6's
 * error codes. A context is created per worker at set-up (shared-nothing);
 * each connection gets its own SSL with SNI and, unless --insecure, peer
 * verification against the system trust store (or --cacert) and the host
 * name or IP address.
 */
#ifndef TG_NET_TLS_H
#define TG_NET_TLS_H

#include "core/diag.h"

#include <openssl/ssl.h>
#include <stdbool.h>

struct tg_tls_opts {
    bool insecure;       /* skip certificate and host verification */
    const char *ca_file; /* PEM bundle to trust instead of the system store; may be NULL */
};

/* A new client SSL_CTX (caller frees with SSL_CTX_free), or NULL with d set. */
SSL_CTX *tg_tls_ctx_new(const struct tg_tls_opts *o, struct tg_diag *d);
/*
 * A new SSL for fd in client mode: SNI for host names, and verification of
 * host (a name or an IP literal) unless verify is false. NULL on failure.
 */
SSL *tg_tls_new(SSL_CTX *ctx, int fd, const char *host, bool verify);
/* k6's error code for a failed handshake on ssl (1300, 1310 or 1311). */
int tg_tls_error_code(const SSL *ssl);

#endif
