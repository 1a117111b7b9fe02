/*
 * test_hist_codec — JSON encoding of histograms: exact round trips through
 * text (including a sum beyond 64 bits), merging decoded parts, and one test
 * per decoder error path, each a small edit of a known-good document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/diag.h"
#include "metrics/hist.h"
#include "metrics/hist_codec.h"
#include "tg.h"
#include "unit/histeq.h"
#include "unit/prng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The base document: samples 100, 200, 200, 1500, 5000 and one of 2 h (clamped to 1 h).
 * 5000 lies in bucket 3298 = [5000, 5003]; the top bucket 33420 is
 * [3599182594048, 3600000000000].
 */
static const char BASE[] =
    "{\"buckets\":[100,1,200,2,1500,1,3298,1,33420,1],\"count\":6,\"highest\":3600000000000,"
    "\"lost\":0,\"max\":3600000000000,\"min\":100,\"overflow\":1,\"sub_bucket_bits\":10,"
    "\"sum\":3600000007000,\"unit\":\"ns\",\"v\":1}";

static void base_hist(struct tg_hist *h)
{
    tg_hist_init(h);
    int64_t vals[] = { 100, 200, 200, 1500, 5000, 2 * TG_HIST_MAX_NS };
    for (size_t i = 0; i < TG_ARRAY_LEN(vals); i++) {
        tg_hist_record(h, vals[i]);
    }
}

static void assert_hist_empty(const struct tg_hist *h)
{
    assert_int_equal(tg_hist_count(h), 0);
    assert_int_equal(h->lost, 0);
    assert_int_equal(h->overflow, 0);
    assert_int_equal(h->sum_lo | h->sum_hi, 0);
    for (size_t p = 0; p < TG_HIST_PAGES; p++) {
        assert_null(h->pages[p]);
    }
}

/* encode(h) -> text -> parse -> decode into out (caller fini's out). */
static void roundtrip(const struct tg_hist *h, struct tg_hist *out)
{
    json_t *j = tg_hist_codec_encode(h);
    assert_non_null(j);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(text);
    json_decref(j);
    json_error_t err;
    json_t *back = json_loads(text, 0, &err);
    assert_non_null(back);
    free(text);
    struct tg_diag d = { { 0 } };
    int rc = tg_hist_codec_decode(back, out, &d);
    if (rc != 0) {
        fail_msg("decode: %d: %s", rc, d.msg);
    }
    json_decref(back);
}

static void test_encode_base_document(void **state)
{
    (void)state;
    assert_int_equal(tg_hist_bucket_index(5000), 3298);
    assert_int_equal(tg_hist_bucket_high(3298), 5003);
    assert_int_equal(tg_hist_bucket_count() - 1, 33420);
    assert_int_equal(tg_hist_bucket_low(33420), INT64_C(3599182594048));
    struct tg_hist h;
    base_hist(&h);
    json_t *j = tg_hist_codec_encode(&h);
    assert_non_null(j);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, BASE);
    free(text);
    json_decref(j);
    tg_hist_fini(&h);
}

static void test_encode_empty(void **state)
{
    (void)state;
    struct tg_hist h, out;
    tg_hist_init(&h);
    json_t *j = tg_hist_codec_encode(&h);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "min")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "max")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "buckets")), 0);
    json_decref(j);
    roundtrip(&h, &out);
    assert_hist_equal(&out, &h);
    assert_hist_empty(&out);
    tg_hist_fini(&h);
    tg_hist_fini(&out);
}

static void test_encode_counter_too_big(void **state)
{
    (void)state;
    struct tg_hist h;
    tg_hist_init(&h);
    tg_hist_record_n(&h, 5, (UINT64_C(1) << 63) + 1);
    assert_null(tg_hist_codec_encode(&h));
    tg_hist_fini(&h);
}

static void test_roundtrip_random(void **state)
{
    (void)state;
    enum { K = 5 };
    struct tg_hist whole, parts[K], merged;
    tg_hist_init(&whole);
    tg_hist_init(&merged);
    for (int k = 0; k < K; k++) {
        tg_hist_init(&parts[k]);
    }
    rng_seed(11);
    for (int i = 0; i < 100000; i++) {
        int64_t v = (int64_t)exp(log(1e2) + 25 * rng_unit()) - 200; /* < 0 up to > 1 h */
        tg_hist_record(&whole, v);
        tg_hist_record(&parts[rng_next() % K], v);
    }
    whole.lost = 17;
    parts[0].lost = 17;
    struct tg_hist out;
    roundtrip(&whole, &out);
    assert_hist_equal(&out, &whole);
    tg_hist_fini(&out);
    /* Parts shipped separately and merged after decoding equal the whole. */
    for (int k = 0; k < K; k++) {
        roundtrip(&parts[k], &out);
        assert_int_equal(tg_hist_merge(&merged, &out), 0);
        tg_hist_fini(&out);
        tg_hist_fini(&parts[k]);
    }
    assert_hist_equal(&merged, &whole);
    tg_hist_fini(&merged);
    tg_hist_fini(&whole);
}

static void test_roundtrip_huge_sum(void **state)
{
    (void)state;
    struct tg_hist h, out;
    tg_hist_init(&h);
    tg_hist_record_n(&h, TG_NS_PER_S, UINT64_C(12) * 3600 * 500000); /* sum 2.16e19 ns */
    tg_hist_record(&h, 7);
    json_t *j = tg_hist_codec_encode(&h);
    assert_true(json_is_real(json_object_get(j, "sum")));
    assert_string_equal(json_string_value(json_object_get(j, "sum_exact")), "21600000000000000007");
    json_decref(j);
    roundtrip(&h, &out);
    assert_hist_equal(&out, &h);
    tg_hist_fini(&h);
    tg_hist_fini(&out);
}

static void test_roundtrip_only_lost(void **state)
{
    (void)state;
    struct tg_hist h, out;
    tg_hist_init(&h);
    h.lost = 3; /* every sample lost: count 0, lost kept */
    roundtrip(&h, &out);
    assert_hist_equal(&out, &h);
    assert_int_equal(out.lost, 3);
    tg_hist_fini(&h);
    tg_hist_fini(&out);
}

static json_t *base_json(void)
{
    json_error_t err;
    json_t *j = json_loads(BASE, 0, &err);
    assert_non_null(j);
    return j;
}

static void test_decode_base_document(void **state)
{
    (void)state;
    json_t *j = base_json();
    json_object_set_new(j, "future_member", json_string("ignored"));
    struct tg_hist h, out;
    base_hist(&h);
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_hist_codec_decode(j, &out, &d), 0);
    assert_hist_equal(&out, &h);
    assert_int_equal(out.overflow, 1);
    json_decref(j);
    tg_hist_fini(&h);
    tg_hist_fini(&out);
}

static void test_decode_enomem(void **state)
{
    (void)state;
    json_t *j = base_json();
    struct tg_hist out;
    struct tg_diag d = { { 0 } };
    tg_alloc_fail_after(2); /* the second of pages 0, 1, 3, 32 fails */
    assert_int_equal(tg_hist_codec_decode(j, &out, &d), TG_ENOMEM);
    tg_alloc_fail_after(0);
    assert_hist_empty(&out);
    assert_non_null(strstr(d.msg, "memory"));
    tg_hist_fini(&out);
    json_decref(j);
}

/*
 * A decoder error case: edits (a JSON object merged over BASE, null deleting a member;
 * anything else replaces the whole document) must give TG_EPROTO with needle in the diag,
 * and leave out initialised and empty.
 */
struct bad_case {
    const char *name;
    const char *edits;
    const char *needle;
};

static const struct bad_case BAD[] = {
    { "test_decode_not_object", "[1,2]", "not a JSON object" },
    { "test_decode_version_missing", "{\"v\":null}", "v: missing" },
    { "test_decode_version_not_integer", "{\"v\":\"1\"}", "v: not an integer" },
    { "test_decode_version_unknown", "{\"v\":2}", "v: 2, expected 1 (unsupported version)" },
    { "test_decode_unit_missing", "{\"unit\":null}", "unit" },
    { "test_decode_unit_other", "{\"unit\":\"ms\"}", "unit: expected" },
    { "test_decode_layout_sub_bucket_bits", "{\"sub_bucket_bits\":11}", "other bucket layout" },
    { "test_decode_layout_highest", "{\"highest\":60000000000}", "other bucket layout" },
    { "test_decode_layout_missing", "{\"sub_bucket_bits\":null}", "sub_bucket_bits: missing" },
    { "test_decode_count_missing", "{\"count\":null}", "count: missing" },
    { "test_decode_count_negative", "{\"count\":-1}", "count: -1 outside" },
    { "test_decode_count_real", "{\"count\":6.0}", "count: not an integer" },
    { "test_decode_min_negative", "{\"min\":-5}", "min: -5 outside" },
    { "test_decode_max_above_highest", "{\"max\":3600000000001}", "max: 3600000000001 outside" },
    { "test_decode_overflow_negative", "{\"overflow\":-1}", "overflow: -1 outside" },
    { "test_decode_lost_missing", "{\"lost\":null}", "lost: missing" },
    { "test_decode_sum_missing", "{\"sum\":null}", "sum: missing" },
    { "test_decode_sum_negative", "{\"sum\":-1}", "sum: -1 outside" },
    { "test_decode_sum_real_without_exact", "{\"sum\":3600000007000.0}", "sum: not an integer" },
    { "test_decode_sum_exact_not_string", "{\"sum_exact\":5}", "sum_exact" },
    { "test_decode_sum_exact_not_digits", "{\"sum_exact\":\"36e11\"}", "sum_exact" },
    { "test_decode_sum_exact_empty", "{\"sum_exact\":\"\"}", "sum_exact" },
    { "test_decode_sum_exact_too_big",
      "{\"sum_exact\":\"340282366920938463463374607431768211456\"}", "sum_exact" },
    { "test_decode_sum_exact_sum_not_number", "{\"sum\":\"x\",\"sum_exact\":\"3600000007000\"}",
      "sum: missing or not a number" },
    { "test_decode_buckets_missing", "{\"buckets\":null}", "buckets: not an array" },
    { "test_decode_buckets_not_array", "{\"buckets\":{}}", "buckets: not an array" },
    { "test_decode_buckets_odd_length", "{\"buckets\":[100,1,200]}", "buckets: not an array" },
    { "test_decode_bucket_index_not_integer", "{\"buckets\":[100.0,1,200,2,1500,1,3298,1,33420,1]}",
      "buckets[0]: not an integer" },
    { "test_decode_bucket_index_negative", "{\"buckets\":[-1,1,200,2,1500,1,3298,1,33420,1]}",
      "buckets[0]: index -1 outside" },
    { "test_decode_bucket_index_out_of_range", "{\"buckets\":[100,1,200,2,1500,1,3298,1,33421,1]}",
      "buckets[8]: index 33421 outside" },
    { "test_decode_bucket_index_repeated",
      "{\"buckets\":[100,1,200,1,200,1,1500,1,3298,1,33420,1]}",
      "buckets[4]: index 200 not above the previous 200" },
    { "test_decode_bucket_index_decreasing", "{\"buckets\":[200,2,100,1,1500,1,3298,1,33420,1]}",
      "buckets[2]: index 100 not above the previous 200" },
    { "test_decode_bucket_count_zero", "{\"buckets\":[100,1,150,0,200,2,1500,1,3298,1,33420,1]}",
      "buckets[3]: count 0 not positive" },
    { "test_decode_bucket_count_negative", "{\"buckets\":[100,-1,200,2,1500,1,3298,1,33420,1]}",
      "buckets[1]: count -1 not positive" },
    { "test_decode_bucket_count_not_integer", "{\"buckets\":[100,\"1\",200,2,1500,1,33420,1]}",
      "buckets[0]: not an integer" },
    { "test_decode_bucket_counts_overflow",
      "{\"buckets\":[1,9223372036854775807,2,9223372036854775807,3,9223372036854775807]}",
      "buckets[5]: total count overflows" },
    { "test_decode_count_mismatch", "{\"count\":7}", "count: 7, but the buckets hold 6" },
    { "test_decode_empty_with_min",
      "{\"count\":0,\"min\":5,\"max\":0,\"sum\":0,\"overflow\":0,\"buckets\":[]}", "must be 0" },
    { "test_decode_empty_with_overflow",
      "{\"count\":0,\"min\":0,\"max\":0,\"sum\":0,\"overflow\":1,\"buckets\":[]}", "must be 0" },
    { "test_decode_min_not_first_bucket", "{\"min\":101}", "min 101 not in the first" },
    { "test_decode_max_not_last_bucket", "{\"max\":3599000000000}",
      "max 3599000000000 not in the last" },
    { "test_decode_min_above_max",
      "{\"count\":2,\"min\":5003,\"max\":5000,\"sum\":10003,\"overflow\":0,\"buckets\":[3298,2]}",
      "min 5003 above max 5000" },
    { "test_decode_sum_below_buckets", "{\"sum\":3599182601047}",
      "sum: 3599182601047 outside [3599182601048, 3600000007003]" },
    { "test_decode_sum_above_buckets", "{\"sum\":3600000007004}", "sum: 3600000007004 outside" },
    { "test_decode_sum_exact_above_buckets", "{\"sum_exact\":\"3600000007004\"}",
      "sum: 3600000007004 outside" },
    { "test_decode_overflow_exceeds_top_bucket", "{\"overflow\":2}",
      "overflow: 2 above the top bucket" },
    { "test_decode_overflow_below_highest", "{\"max\":3599500000000,\"sum\":3599500007000}",
      "overflow: 1, but max is not 3600000000000" },
};

static void test_decode_bad(void **state)
{
    const struct bad_case *c = *state;
    json_error_t err;
    json_t *edits = json_loads(c->edits, JSON_DECODE_ANY, &err);
    assert_non_null(edits);
    json_t *j = edits;
    if (json_is_object(edits)) {
        j = base_json();
        for (void *it = json_object_iter(edits); it; it = json_object_iter_next(edits, it)) {
            const char *key = json_object_iter_key(it);
            json_t *val = json_object_iter_value(it);
            if (json_is_null(val)) {
                json_object_del(j, key);
            } else {
                json_object_set(j, key, val);
            }
        }
        json_decref(edits);
    }
    struct tg_hist out;
    struct tg_diag d = { { 0 } };
    assert_int_equal(tg_hist_codec_decode(j, &out, &d), TG_EPROTO);
    if (!strstr(d.msg, c->needle)) {
        fail_msg("diag \"%s\" lacks \"%s\"", d.msg, c->needle);
    }
    assert_hist_empty(&out);
    tg_hist_fini(&out);
    json_decref(j);
}

static void test_decode_null_diag(void **state)
{
    (void)state;
    json_t *j = json_integer(1);
    struct tg_hist out;
    assert_int_equal(tg_hist_codec_decode(j, &out, NULL), TG_EPROTO);
    assert_hist_empty(&out);
    tg_hist_fini(&out);
    json_decref(j);
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_encode_base_document),   cmocka_unit_test(test_encode_empty),
        cmocka_unit_test(test_encode_counter_too_big), cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_roundtrip_huge_sum),     cmocka_unit_test(test_roundtrip_only_lost),
        cmocka_unit_test(test_decode_base_document),   cmocka_unit_test(test_decode_enomem),
        cmocka_unit_test(test_decode_null_diag),
    };
    struct CMUnitTest tests[TG_ARRAY_LEN(fixed) + TG_ARRAY_LEN(BAD)];
    memcpy(tests, fixed, sizeof(fixed));
    for (size_t i = 0; i < TG_ARRAY_LEN(BAD); i++) {
        tests[TG_ARRAY_LEN(fixed) + i] = (struct CMUnitTest){
            .name = BAD[i].name,
            .test_func = test_decode_bad,
            .initial_state = (void *)(uintptr_t)&BAD[i],
        };
    }
    return _cmocka_run_group_tests("test_hist_codec", tests, TG_ARRAY_LEN(tests), NULL, NULL);
}
