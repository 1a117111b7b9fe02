# tailgate compare BASE CURRENT: the baseline gate. Identical configurations never
# fail it; a slower target (service time 20 ms -> 30 ms, p99 +50 %) and more errors
# (+2 percentage points) do; budgets from flags; too few samples give no verdict;
# bad input is a clear error.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
fast=$(free_port)
start_serve "$fast" --service-time 20ms
slow=$(free_port)
start_serve "$slow" --service-time 30ms
errs=$(free_port)
start_serve "$errs" --service-time 20ms --error-rate 0.02 --seed 3

result() { # PORT FILE [more run flags]
    port=$1
    file=$2
    shift 2
    "$TG_BIN" run -q --no-summary -c 50 -d 2s "$@" --result "$file" "http://127.0.0.1:$port/"
}

pairs_ok=0
for i in 1 2 3 4 5; do
    result "$fast" "$T_DIR/a$i.json"
    result "$fast" "$T_DIR/b$i.json"
    "$TG_BIN" compare "$T_DIR/a$i.json" "$T_DIR/b$i.json" >"$T_DIR/same$i.txt" 2>&1
    rc=$?
    [ $rc -eq 0 ] && pairs_ok=$((pairs_ok + 1))
    [ $rc -ne 0 ] && cat "$T_DIR/same$i.txt" >&2
done
check "five pairs of identical configurations pass the gate ($pairs_ok of 5)" [ $pairs_ok -eq 5 ]
check "the table shows p(95), p(99) and the error rate with their verdicts" sh -c \
    "grep -q 'http_req_duration .*p(99) .*ok (budget +30%)' '$T_DIR/same1.txt' && grep -q 'http_req_failed .*rate .*ok (budget +0.5pp)' '$T_DIR/same1.txt'"

result "$slow" "$T_DIR/slow.json"
"$TG_BIN" compare "$T_DIR/a1.json" "$T_DIR/slow.json" >"$T_DIR/slow.txt" 2>"$T_DIR/slow.err"
rc=$?
check "service time 20 ms -> 30 ms fails the gate with exit 99 (exit $rc)" [ $rc -eq 99 ]
check "... naming the p(99) regression" grep -q "http_req_duration .*p(99) .*REGRESSION (budget +30%)" "$T_DIR/slow.txt"
"$TG_BIN" compare --no-default-budgets --max-regression 'http_req_duration: p(95) +60%' \
    "$T_DIR/a1.json" "$T_DIR/slow.json" >"$T_DIR/loose.txt" 2>&1
rc=$?
check "a looser budget from a flag (+60%) passes it (exit $rc)" [ $rc -eq 0 ]
"$TG_BIN" compare --no-default-budgets --max-regression 'http_reqs: rate -10%' \
    "$T_DIR/a1.json" "$T_DIR/slow.json" >"$T_DIR/tput.txt" 2>&1
rc=$?
check "a throughput budget (rate -10%) catches the slower target (exit $rc)" \
    sh -c "[ $rc -eq 99 ] && grep -q 'http_reqs .*rate .*REGRESSION (budget -10%)' '$T_DIR/tput.txt'"

result "$errs" "$T_DIR/errs.json"
"$TG_BIN" compare "$T_DIR/a1.json" "$T_DIR/errs.json" >"$T_DIR/errs.txt" 2>&1
rc=$?
check "2 % errors against none: http_req_failed +2pp exceeds +0.5pp (exit $rc)" \
    sh -c "[ $rc -eq 99 ] && grep -q 'http_req_failed .*rate .*+[12]\.[0-9]*pp .*REGRESSION' '$T_DIR/errs.txt'"

"$TG_BIN" run -q --no-summary -c 2 -n 60 --result "$T_DIR/few.json" "http://127.0.0.1:$slow/"
"$TG_BIN" compare "$T_DIR/a1.json" "$T_DIR/few.json" >"$T_DIR/few.txt" 2>&1
rc=$?
check "60 samples: no verdict on p(99), said so, exit $rc" \
    sh -c "[ $rc -eq 0 ] && grep -q 'p(99) .*no verdict: too few samples' '$T_DIR/few.txt'"

export BASE_URL="http://127.0.0.1:$fast"
"$TG_BIN" run -q --no-summary -d 2s --result "$T_DIR/s1.json" "$S/basic.lua" 2>/dev/null
"$TG_BIN" run -q --no-summary -d 2s --result "$T_DIR/s2.json" "$S/basic.lua" 2>/dev/null
"$TG_BIN" compare "$T_DIR/s1.json" "$T_DIR/s2.json" >"$T_DIR/sub.txt" 2>&1
check "tagged submetrics get default rows (http_req_duration{endpoint:feed})" \
    grep -q 'http_req_duration{endpoint:feed} .*p(95)' "$T_DIR/sub.txt"

"$TG_BIN" compare --max-regression 'http_req_duration p99 +30%' "$T_DIR/a1.json" "$T_DIR/b1.json" \
    2>"$T_DIR/bad.err" >/dev/null
rc=$?
check "a malformed budget exits 104 naming the flag ($(cat "$T_DIR/bad.err"))" \
    sh -c "[ $rc -eq 104 ] && grep -q -- '--max-regression: budget' '$T_DIR/bad.err'"
"$TG_BIN" compare --max-regression 'http_req_failed: p(99) +30%' "$T_DIR/a1.json" "$T_DIR/b1.json" \
    2>"$T_DIR/kind.err" >/dev/null
rc=$?
check "a statistic the metric does not have exits 104 ($(cat "$T_DIR/kind.err"))" \
    sh -c "[ $rc -eq 104 ] && grep -q 'http_req_failed is a rate' '$T_DIR/kind.err'"
echo '{"format":"something else"}' >"$T_DIR/other.json"
"$TG_BIN" compare "$T_DIR/a1.json" "$T_DIR/other.json" 2>"$T_DIR/other.err" >/dev/null
rc=$?
check "a file that is not a result exits 1 naming it ($(cat "$T_DIR/other.err"))" \
    sh -c "[ $rc -eq 1 ] && grep -q 'other.json: not a tailgate result file' '$T_DIR/other.err'"
"$TG_BIN" compare "$T_DIR/a1.json" "$T_DIR/missing.json" 2>"$T_DIR/miss.err" >/dev/null
rc=$?
check "a missing file exits 1 naming it" sh -c "[ $rc -eq 1 ] && grep -q 'missing.json' '$T_DIR/miss.err'"

# thresholds against a baseline: --baseline FILE and "baseline * F" in the expression
"$TG_BIN" run -q --no-summary -c 50 -d 2s --baseline "$T_DIR/a1.json" \
    --threshold 'http_req_duration: p(95) < baseline * 1.3' "http://127.0.0.1:$slow/" 2>/dev/null
rc=$?
check "p(95) < baseline * 1.3 fails against the slower target (exit $rc)" [ $rc -eq 99 ]
"$TG_BIN" run -q -c 50 -d 2s --baseline "$T_DIR/a1.json" \
    --threshold 'http_req_duration: p(95) < baseline * 1.3' \
    --threshold 'http_req_failed: rate <= baseline + 0.005' "http://127.0.0.1:$fast/" \
    >"$T_DIR/bt.txt" 2>&1
rc=$?
check "... and passes against the same target, showing the limit (exit $rc)" \
    sh -c "[ $rc -eq 0 ] && grep -q 'limit from the baseline' '$T_DIR/bt.txt'"
"$TG_BIN" run -q -c 2 -n 5 --threshold 'http_req_duration: p(99) < baseline' \
    "http://127.0.0.1:$fast/" 2>"$T_DIR/nb.err" >/dev/null
rc=$?
check "a baseline threshold without --baseline exits 104" \
    sh -c "[ $rc -eq 104 ] && grep -q 'give the baseline' '$T_DIR/nb.err'"
"$TG_BIN" run -q -c 2 -n 5 --baseline "$T_DIR/a1.json" \
    --threshold 'http_req_duration{status:418}: p(99) < baseline' "http://127.0.0.1:$fast/" \
    2>"$T_DIR/nb2.err" >/dev/null
rc=$?
check "a baseline without that submetric exits 104 naming it" \
    sh -c "[ $rc -eq 104 ] && grep -q 'the baseline has no samples of http_req_duration{status:418}' '$T_DIR/nb2.err'"
