/*
 * histeq — asserts two histograms are equal bucket for bucket, with the same
 * count, min, max, exact sum, overflow and lost samples. Test code only
 * (include after cmocka.h).
 */
#ifndef TG_TESTS_UNIT_HISTEQ_H
#define TG_TESTS_UNIT_HISTEQ_H

#include "metrics/hist.h"

static inline void assert_hist_equal(const struct tg_hist *a, const struct tg_hist *b)
{
    for (size_t i = 0; i < tg_hist_bucket_count(); i++) {
        if (tg_hist_bucket_get(a, i) != tg_hist_bucket_get(b, i)) {
            fail_msg("bucket %zu: %llu != %llu", i, (unsigned long long)tg_hist_bucket_get(a, i),
                     (unsigned long long)tg_hist_bucket_get(b, i));
        }
    }
    assert_int_equal(tg_hist_count(a), tg_hist_count(b));
    assert_int_equal(tg_hist_min(a), tg_hist_min(b));
    assert_int_equal(tg_hist_max(a), tg_hist_max(b));
    assert_int_equal(a->sum_lo, b->sum_lo);
    assert_int_equal(a->sum_hi, b->sum_hi);
    assert_int_equal(a->overflow, b->overflow);
    assert_int_equal(a->lost, b->lost);
}

#endif
