/*
 * summary_checks — checks by group in the text summary; see summary_checks.h.
 */
#include "report/summary_checks.h"

#include "report/k6_groups.h"

#include <jansson.h>

static int print_group(FILE *f, json_t *g, int indent)
{
    int printed = 0;
    const char *k;
    json_t *c;
    json_object_foreach(json_object_get(g, "checks"), k, c)
    {
        json_int_t p = json_integer_value(json_object_get(c, "passes"));
        json_int_t x = json_integer_value(json_object_get(c, "fails"));
        fprintf(f, "%*s%s %s\n", indent, "", x == 0 ? "\xe2\x9c\x93" : "\xe2\x9c\x97", k);
        if (x > 0) {
            fprintf(f,
                    "%*s \xe2\x86\xb3  %.0f%% \xe2\x80\x94 \xe2\x9c\x93 %lld / \xe2\x9c\x97 %lld\n",
                    indent, "", 100.0 * (double)p / (double)(p + x), (long long)p, (long long)x);
        }
        printed++;
    }
    json_t *sub;
    json_object_foreach(json_object_get(g, "groups"), k, sub)
    {
        fprintf(f, "\n%*s\xe2\x96\x88 %s\n\n", indent, "", k);
        printed += print_group(f, sub, indent + 2);
    }
    return printed;
}

void tg_summary_checks_print(FILE *f, const struct tg_results *res)
{
    json_t *root = tg_k6_groups_json(res, false);
    if (!root) {
        return;
    }
    bool any = json_object_size(json_object_get(root, "checks")) > 0 ||
               json_object_size(json_object_get(root, "groups")) > 0;
    if (any) {
        fprintf(f, "  CHECKS\n\n");
        print_group(f, root, 4);
        fputc('\n', f);
    }
    json_decref(root);
}
