/*
 * k6_groups — k6's root_group for summaries: the tree of groups a script
 * ran (from the `group` tags of its checks and of group_duration) with each
 * group's checks and their passes and fails, as k6 writes it
 * (K6-COMPAT.md 2.4): name, path ("::a::b"), id (MD5 hex of the path),
 * groups, checks. A check's path is its group's path + "::" + its name.
 */
#ifndef TG_REPORT_K6_GROUPS_H
#define TG_REPORT_K6_GROUPS_H

#include "metrics/results.h"

#include <jansson.h>
#include <stdbool.h>

/*
 * The root group of res. groups and checks are objects keyed by name (the
 * --summary-export layout) or, with arrays, arrays (handleSummary's). NULL
 * when out of memory.
 */
json_t *tg_k6_groups_json(const struct tg_results *res, bool arrays);

#endif
