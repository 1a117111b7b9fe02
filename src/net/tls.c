/*
 * tls — OpenSSL client set-up; see tls.h.
 */
#include "net/tls.h"

#include "net/errcode.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <string.h>

SSL_CTX *tg_tls_ctx_new(const struct tg_tls_opts *o, struct tg_diag *d)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        tg_diag_set(d, "TLS: cannot create a context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS);
    if (o->insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        return ctx;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    int ok = o->ca_file ? SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL)
                        : SSL_CTX_set_default_verify_paths(ctx);
    if (ok != 1) {
        char err[256];
        ERR_error_string_n(ERR_get_error(), err, sizeof(err));
        tg_diag_set(d, "--cacert \"%s\": cannot load certificates: %s",
                    o->ca_file ? o->ca_file : "(system)", err);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static bool is_ip_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

SSL *tg_tls_new(SSL_CTX *ctx, int fd, const char *host, bool verify)
{
    SSL *ssl = SSL_new(ctx);
    if (!ssl) {
        return NULL;
    }
    bool ip = is_ip_literal(host);
    /* SSL_set_tlsext_host_name is a macro that casts away const; call SSL_ctrl directly */
    void *sni = (void *)(uintptr_t)host;
    if (SSL_set_fd(ssl, fd) != 1 ||
        (!ip && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, sni) != 1)) {
        SSL_free(ssl);
        return NULL;
    }
    if (verify) {
        int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
                    : SSL_set1_host(ssl, host);
        if (ok != 1) {
            SSL_free(ssl);
            return NULL;
        }
    }
    SSL_set_connect_state(ssl);
    return ssl;
}

int tg_tls_error_code(const SSL *ssl)
{
    long v = SSL_get_verify_result(ssl);
    switch (v) {
    case X509_V_OK:
        return TG_ERR_TLS;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return TG_ERR_TLS_HOSTNAME;
    default:
        return TG_ERR_TLS_UNKNOWN_AUTHORITY;
    }
}
