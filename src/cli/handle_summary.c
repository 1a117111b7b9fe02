/*
 * handle_summary — handleSummary(data); see handle_summary.h.
 */
#include "cli/handle_summary.h"

#include "core/alloc.h"
#include "core/secrets.h"
#include "exec/once.h"
#include "report/k6_data.h"
#include "script/options.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_one(const char *key, const char *text, size_t len, struct tg_diag *d)
{
    if (strcmp(key, "stdout") == 0 || strcmp(key, "stderr") == 0) {
        FILE *f = key[3] == 'o' ? stdout : stderr;
        fwrite(text, 1, len, f);
        fflush(f);
        return 0;
    }
    FILE *f = tg_secrets_wrap(fopen(key, "w"));
    if (!f) {
        tg_diag_set(d, "handleSummary: cannot write \"%s\": %s", key, strerror(errno));
        return TG_EIO;
    }
    size_t n = fwrite(text, 1, len, f);
    if (fclose(f) != 0 || n != len) {
        tg_diag_set(d, "handleSummary: cannot write \"%s\": %s", key, strerror(errno));
        return TG_EIO;
    }
    return 0;
}

/* Checks the whole table before writing anything. */
static int write_outputs(const char *json, struct tg_diag *d)
{
    json_error_t err;
    json_t *out = json_loads(json, JSON_DECODE_ANY, &err);
    if (!json_is_object(out)) {
        json_decref(out);
        tg_diag_set(d, "handleSummary must return a table of outputs ({ stdout = text, "
                       "[\"file\"] = text })");
        return TG_EPROTO;
    }
    const char *key;
    json_t *v;
    json_object_foreach(out, key, v)
    {
        if (!json_is_string(v) || key[0] == '\0') {
            tg_diag_set(d, "handleSummary: the output \"%s\" must be a string", key);
            json_decref(out);
            return TG_EPROTO;
        }
    }
    int rc = 0;
    json_object_foreach(out, key, v)
    {
        int r = write_one(key, json_string_value(v), json_string_length(v), d);
        rc = rc < 0 ? rc : r;
    }
    json_decref(out);
    return rc;
}

int tg_handle_summary_run(const struct tg_summary_info *info, struct tg_diag *d)
{
    json_t *data = tg_k6_data_json(info);
    char *arg = data ? json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(data);
    struct tg_results scratch; /* what handleSummary measures is not part of the run */
    if (!arg || tg_results_init(&scratch) < 0) {
        free(arg);
        tg_diag_set(d, "handleSummary: out of memory");
        return TG_ENOMEM;
    }
    enum tg_once_end end;
    char *ret = NULL;
    int rc = tg_once_run(info->plan, "handleSummary", arg,
                         info->plan->options->handle_summary_timeout, &scratch, &end, &ret, d);
    free(arg);
    tg_results_fini(&scratch);
    if (rc == 0 && end != TG_ONCE_DONE) {
        rc = TG_EPROTO;
    }
    if (rc == 0 && ret) {
        rc = write_outputs(ret, d);
    }
    tg_free(ret);
    return rc;
}
