/*
 * fuzz_config — libFuzzer target for the user-input parsers: thresholds
 * (flag form), URLs, durations and sizes. Invariants: no crash, no read past
 * the input, and every failure leaves a message in the diag.
 */
#include "check/threshold_parse.h"
#include "core/units.h"
#include "http/url.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    struct tg_diag d = { "" };
    struct tg_selector sel;
    struct tg_threshold_expr e;
    if (tg_threshold_parse_flag(s, &sel, &e, &d) < 0) {
        assert(d.msg[0] != '\0');
    }
    d.msg[0] = '\0';
    static struct tg_url u;
    if (tg_url_parse(s, &u, &d) < 0) {
        assert(d.msg[0] != '\0');
    } else {
        assert(u.target[0] == '/');
        assert(u.port > 0 && u.port < 65536);
    }
    tg_ns ns;
    (void)tg_units_parse_duration(s, TG_NS_PER_S, &ns);
    size_t sz;
    (void)tg_units_parse_size(s, &sz);
    free(s);
    return 0;
}
