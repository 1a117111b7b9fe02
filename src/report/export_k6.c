/*
 * export_k6 — k6 legacy --summary-export writer; see export_k6.h.
 */
#include "report/export_k6.h"

#include "core/secrets.h"

#include "report/k6_data.h"
#include "report/k6_groups.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

static json_t *build(const struct tg_summary_info *info)
{
    return json_pack("{s:o, s:o}", "root_group", tg_k6_groups_json(info->res, false), "metrics",
                     tg_k6_data_metrics(info, true));
}

int tg_export_k6_write(const char *path, const struct tg_summary_info *info, struct tg_diag *d)
{
    json_t *doc = build(info);
    if (!doc) {
        tg_diag_set(d, "--summary-export: out of memory");
        return TG_ENOMEM;
    }
    FILE *f = tg_secrets_wrap(fopen(path, "w"));
    int rc = f ? json_dumpf(doc, f, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10)) : -1;
    if (f && fclose(f) != 0) {
        rc = -1;
    }
    json_decref(doc);
    if (rc != 0) {
        tg_diag_set(d, "--summary-export \"%s\": cannot write: %s", path, strerror(errno));
        return TG_EIO;
    }
    return 0;
}
