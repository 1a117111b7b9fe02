/*
 * hist_codec — a histogram as JSON (jansson), so that histograms recorded on
 * different processes or machines can be shipped and merged bucket for bucket.
 *
 * Format, version 1 (all numbers are JSON integers unless said otherwise):
 *   {
 *     "v": 1,                       format version
 *     "unit": "ns",                 unit of every value
 *     "sub_bucket_bits": 10,        layout: 2^10 sub-buckets per octave ...
 *     "highest": 3600000000000,     ... up to this clamp value (TG_HIST_MAX_NS)
 *     "count": N,                   samples; == sum of the bucket counts
 *     "min": ns, "max": ns,         exact; 0 and 0 when count == 0
 *     "sum": ns,                    exact sum; a JSON real if it exceeds INT64_MAX,
 *     "sum_exact": "digits",        ... and then also this exact decimal string
 *     "overflow": n,                samples clamped from above 1 h (in the top bucket)
 *     "lost": n,                    samples dropped on allocation failure (not in count)
 *     "buckets": [idx, n, idx, n, ...]  non-empty buckets only, idx strictly
 *                                   increasing, every n > 0 (indices as hist.h)
 *   }
 * Unknown members are ignored (room for additions within version 1).
 *
 * Guarantee: decode(encode(h)) equals h in every bucket and in count, min,
 * max, sum, overflow and lost.
 *
 * Cost: O(allocated pages * 1024) to encode, O(members) to decode; both
 * allocate (jansson nodes, histogram pages) and belong off the hot path.
 */
#ifndef TG_METRICS_HIST_CODEC_H
#define TG_METRICS_HIST_CODEC_H

#include "core/diag.h"
#include "metrics/hist.h"

#include <jansson.h>

/*
 * Encodes h (borrowed) as a new JSON object owned by the caller (json_decref it). NULL if an
 * allocation failed or a counter exceeds INT64_MAX (not representable in a JSON integer).
 */
json_t *tg_hist_codec_encode(const struct tg_hist *h);

/*
 * Decodes j (borrowed) into out. out is caller storage that this function initialises (as
 * tg_hist_init): it must not hold pages on entry, and on every return it is initialised and
 * must be released with tg_hist_fini. On error it is empty.
 * Returns 0; TG_EPROTO if j is not a valid version-1 histogram (wrong type, unknown version
 * or unit, other bucket layout, bad or non-increasing bucket index, zero or negative count,
 * counts that do not add up, min/max/sum/overflow inconsistent with the buckets), with the
 * member at fault in d (d may be NULL); TG_ENOMEM if a page could not be allocated.
 */
int tg_hist_codec_decode(const json_t *j, struct tg_hist *out, struct tg_diag *d);

#endif
