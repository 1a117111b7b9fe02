# Retry policies (params.retry, http.client{retry}) against tailgate serve, hostile.py and a
# closed port: exact request counts on the server's side (/__stats) for each outcome that
# retries, the retry budget's bound, the backoff's delays per jitter, redirects, batches,
# --max-rps and expected statuses, the metrics and the summary's amplification line.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
port=$(free_port)
start_serve "$port"
B="http://127.0.0.1:$port"

stats() { curl -s "$B/__stats" >"$T_DIR/stats.json" && json_get "$T_DIR/stats.json" "$1"; }
reset() { curl -s -X POST "$B/__stats/reset" >/dev/null; }
# checks RESULT -> "PASSED/TOTAL" of the checks series
checks() {
    python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
n = sum(s["count"] for s in j["series"] if s["metric"] == "checks")
ok = sum(s["nonzero"] for s in j["series"] if s["metric"] == "checks")
print("%d/%d" % (ok, n))
PY
}
# total RESULT METRIC PYTHON-PREDICATE-ON-t -> the sum of the matching counter series
total() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
f = eval("lambda t: " + sys.argv[3])
print(int(sum(s.get("sum", s["count"]) for s in j["series"]
              if s["metric"] == sys.argv[2] and f(s["tags"]))))
PY
}
# run NAME MODE [args...] -> result in $T_DIR/NAME.json, summary export in NAME.sum.json
run() {
    name=$1
    mode=$2
    shift 2
    "$TG_BIN" run -q --no-summary --result "$T_DIR/$name.json" --summary-export "$T_DIR/$name.sum.json" \
        -e B="$B" -e MODE="$mode" "$@" "$S/http_retry.lua" 2>"$T_DIR/$name.err"
}
all_checks() { # NAME WANT: every check passed, and there were WANT of them
    c=$(checks "$T_DIR/$1.json")
    [ "$c" = "$2/$2" ]
}
metric() { json_get "$T_DIR/$1.sum.json" "$2"; }

# --- always failing: exactly 1 + max requests per call ----------------------------------------
reset
run always always -e VUS=4 -e ITERS=40
rc=$?
check "always: exit 0 ($rc)" [ $rc -eq 0 ]
check "always: every call saw 4 attempts ($(checks "$T_DIR/always.json"))" all_checks always 40
n=$(stats 'j["by_route"]["GET /status/:code"], j["requests"]')
check "always: the server saw exactly 4 requests per call (160: $n)" [ "$n" = "160 160" ]
n=$(metric always 'int(j["metrics"]["http_reqs"]["count"]), int(j["metrics"]["http_req_retries"]["count"])')
check "always: http_reqs 160 and http_req_retries 120 ($n)" [ "$n" = "160 120" ]
n=$(for a in 1 2 3 4; do total "$T_DIR/always.json" http_reqs "t.get('attempt') == '$a'"; done | tr '\n' ' ')
check "always: 40 requests tagged with each attempt 1..4 ($n)" [ "$n" = "40 40 40 40 " ]
n=$(total "$T_DIR/always.json" http_req_retries "t.get('reason') == '503' and t.get('scenario') == 'default'")
check "always: the retries are tagged reason 503 ($n)" [ "$n" -eq 120 ]
n=$(metric always 'j["metrics"]["http_req_attempts"]["avg"], j["metrics"]["http_req_attempts"]["max"]')
check "always: http_req_attempts is 4 for each call ($n)" [ "$n" = "4.0 4.0" ]
"$TG_BIN" run -e B="$B" -e MODE=always -e VUS=2 -e ITERS=10 "$S/http_retry.lua" >"$T_DIR/always.txt" 2>&1
check "always: the summary reports 30 retries, amplification 4.00x" \
    grep -q 'retries: 30 (amplification 4.00x over 10 requests with a retry policy)' "$T_DIR/always.txt"

reset
"$TG_BIN" run -q -e T_ATTEMPTS='avg<3' -e T_RETRIES=12 \
    -e B="$B" -e MODE=always -e ITERS=4 "$S/http_retry.lua" >/dev/null 2>&1
rc=$?
check "always: thresholds on the retry metrics (attempts avg 4 fails the run: exit $rc)" [ $rc -eq 99 ]
"$TG_BIN" run -q -e T_ATTEMPTS='max<=4' -e T_RETRIES=12 \
    -e B="$B" -e MODE=always -e ITERS=4 "$S/http_retry.lua" >/dev/null 2>&1
rc=$?
check "always: thresholds on the retry metrics (max 4, 12 retries hold: exit $rc)" [ $rc -eq 0 ]

reset
run defaults defaults -e ITERS=1
check "defaults: every check passed ($(checks "$T_DIR/defaults.json"))" all_checks defaults 3
n=$(stats 'j["by_route"]["GET /status/:code"]')
check "defaults: retry = true retries a 503 3 times, not a 500 (7: $n)" [ "$n" -eq 7 ]
n=$(metric defaults 'int(j["metrics"]["iteration_duration"]["max"])')
check "defaults: the waits stay under the ceilings 100 + 200 + 400 + 100 ms ($n ms)" [ "$n" -lt 840 ]

# --- what is not retried --------------------------------------------------------------------
reset
run unlisted unlisted -e ITERS=5
check "unlisted: every check passed ($(checks "$T_DIR/unlisted.json"))" all_checks unlisted 25
n=$(stats 'j["by_route"]["GET /status/:code"], j["by_route"]["GET /"]')
check "unlisted: an unlisted status, false and no policy are sent once (5 x 5 + 5: $n)" [ "$n" = "25 5" ]
n=$(total "$T_DIR/unlisted.json" http_reqs "'attempt' in t")
check "unlisted: only requests with a policy carry attempt (20 of 30: $n)" [ "$n" -eq 20 ]

# --- random failures: serve --error-rate with a seed ------------------------------------------
fport=$(free_port)
start_serve "$fport" --error-rate 0.4 --seed 7
FB="http://127.0.0.1:$fport"
"$TG_BIN" run -q --no-summary -t 1 --result "$T_DIR/flaky.json" -e B="$FB" -e MODE=flaky -e ITERS=200 \
    "$S/http_retry.lua" 2>"$T_DIR/flaky.err"
curl -s "$FB/__stats" >"$T_DIR/fstats.json"
sv=$(json_get "$T_DIR/fstats.json" 'j["requests"]')
e500=$(json_get "$T_DIR/fstats.json" 'j["by_status"].get("500", 0)')
reqs=$(total "$T_DIR/flaky.json" http_reqs True)
retries=$(total "$T_DIR/flaky.json" http_req_retries True)
finals=$(total "$T_DIR/flaky.json" final_failures True)
check "flaky: every check passed ($(checks "$T_DIR/flaky.json"))" all_checks flaky 200
check "flaky: client and server counts agree ($reqs sent, $sv served, $retries retries)" \
    [ "$reqs" -eq "$sv" -a "$retries" -eq $((sv - 200)) ]
check "flaky: every 500 was retried unless it was a call's 4th ($e500 = $retries + $finals)" \
    [ "$e500" -eq $((retries + finals)) ]
check "flaky: retries happened and saved most calls ($retries retries, $finals still failing)" \
    [ "$retries" -gt 50 -a "$finals" -lt 20 ]
stop_pid "$SERVE_PID"
start_serve "$fport" --error-rate 0.4 --seed 7
"$TG_BIN" run -q --no-summary -t 1 -e B="$FB" -e MODE=flaky -e ITERS=200 "$S/http_retry.lua" 2>/dev/null
sv2=$(curl -s "$FB/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
check "flaky: the same seed gives the same count again ($sv, $sv2)" [ "$sv" -eq "$sv2" ]
stop_pid "$SERVE_PID"

# --- the budget ---------------------------------------------------------------------------
# One thread, one VU, every call fails: the bucket starts with 10 tokens, each call adds 0.1
# and each retry takes 1 (thousandths, as tailgate counts). The model gives the exact counts.
model=$(python3 -c '
milli, cap, retries, refused = 10000, 10000, 0, 0
for i in range(200):
    milli = min(cap, milli + 100)
    for k in range(3):
        if milli < 1000:
            refused += 1
            break
        milli -= 1000
        retries += 1
print(retries, refused)')
reset
run budget budget -t 1 -e ITERS=200
check "budget: every check passed ($(checks "$T_DIR/budget.json"))" all_checks budget 200
sv=$(stats 'j["requests"]')
n=$(metric budget 'int(j["metrics"]["http_req_retries"]["count"]), int(j["metrics"]["http_req_retry_budget_exhausted"]["count"])')
check "budget: the server saw 200 + the model's retries ($sv = 200 + ${model% *})" [ "$sv" -eq $((200 + ${model% *})) ]
check "budget: retries and refusals are the model's ($n = $model)" [ "$n" = "$model" ]
check "budget: retries <= 10 + 10 % of the calls ($((sv - 200)) <= 30)" [ $((sv - 200)) -le 30 ]
reset
run budget2 budget -t 2 -e VUS=6 -e ITERS=600
sv=$(stats 'j["requests"]')
check "budget: 2 threads, 6 VUs: retries <= 2 x 10 + 10 % of the calls ($((sv - 600)) <= 80)" \
    [ $((sv - 600)) -le 80 -a $((sv - 600)) -ge 60 ]
"$TG_BIN" run -t 1 -e B="$B" -e MODE=budget -e ITERS=200 "$S/http_retry.lua" >"$T_DIR/budget.txt" 2>&1
check "budget: the summary counts the refusals" \
    grep -q "retries: ${model% *} (amplification .*; ${model#* } refused by the retry budget" "$T_DIR/budget.txt"

# --- the backoff's delays, per jitter -------------------------------------------------------
# 10 ms, x2, 3 retries against an instant failure: the iteration is the three waits, whose
# ceilings are 10, 20, 40 ms. none: 70 ms; equal: each in [c/2, c), mean 52.5; full: each in
# [0, c), mean 35; decorrelated (10 ms base): each in [10, 3 x the last), mean 20 + 35 + 57.5.
for j in none equal full decorrelated; do
    run "jit_$j" jitter -e JITTER=$j -e VUS=4 -e ITERS=48
    eval "$(json_get "$T_DIR/jit_$j.sum.json" \
        '"mn=%d mx=%d av=%d" % tuple(j["metrics"]["iteration_duration"][k] for k in ("min", "max", "avg"))')"
    eval "mn_$j=$mn mx_$j=$mx av_$j=$av"
    check "jitter $j: every check passed ($(checks "$T_DIR/jit_$j.json"))" all_checks "jit_$j" 48
done
slack=40 # ms of requests and scheduling on top of the waits (sanitized builds, a busy machine)
ov=$((av_none - 70)) # what 4 requests and an iteration cost on top of the waits, on average
check "jitter none: every call waited 70 ms (min $mn_none, max $mx_none)" \
    [ "$mn_none" -ge 70 -a "$mx_none" -le $((70 + slack)) ]
# the means are within about 4 standard errors of 48 iterations, after the overhead
check "jitter equal: in [35, 70) ms, mean 52.5 (min $mn_equal, max $mx_equal, avg $av_equal - $ov)" \
    [ "$mn_equal" -ge 35 -a "$mx_equal" -le $((70 + slack)) \
        -a $((av_equal - ov)) -ge 47 -a $((av_equal - ov)) -le 59 ]
check "jitter full: in [0, 70) ms, mean 35 (min $mn_full, max $mx_full, avg $av_full - $ov)" \
    [ "$mn_full" -lt 35 -a "$mx_full" -le $((70 + slack)) \
        -a $((av_full - ov)) -ge 27 -a $((av_full - ov)) -le 45 ]
check "jitter decorrelated: at least 30 ms, mean 112.5 (min $mn_decorrelated, avg $av_decorrelated - $ov)" \
    [ "$mn_decorrelated" -ge 30 -a $((av_decorrelated - ov)) -ge 80 -a $((av_decorrelated - ov)) -le 150 ]
check "jitter: full < equal < none on average ($av_full < $av_equal < $av_none)" \
    [ "$av_full" -lt "$av_equal" -a "$av_equal" -lt "$av_none" ]

# --- timeouts, refusals, resets ---------------------------------------------------------------
reset
run timeout timeout -e VUS=2 -e ITERS=4
check "timeout: every check passed ($(checks "$T_DIR/timeout.json"))" all_checks timeout 4
n=$(stats 'j["by_route"]["GET /delay/:ms"]')
check "timeout: the server saw 3 requests per call (12: $n)" [ "$n" -eq 12 ]
n=$(total "$T_DIR/timeout.json" http_req_retries "t.get('reason') == 'timeout'")
check "timeout: 8 retries tagged reason timeout ($n)" [ "$n" -eq 8 ]

closed=$(free_port)
run refused refused -e H="http://127.0.0.1:$closed" -e ITERS=5
check "refused: every check passed ($(checks "$T_DIR/refused.json"))" all_checks refused 10
n=$(total "$T_DIR/refused.json" http_reqs "t.get('error_code') == '1212'")
check "refused: 3 attempts per listed call and 1 per unlisted (20: $n)" [ "$n" -eq 20 ]
n=$(total "$T_DIR/refused.json" http_req_retries "t.get('reason') == 'refused'")
check "refused: 10 retries tagged reason refused ($n)" [ "$n" -eq 10 ]

run dns dns -e ITERS=3
check "dns: every check passed ($(checks "$T_DIR/dns.json"))" all_checks dns 3
n=$(total "$T_DIR/dns.json" http_req_retries "t.get('reason') == 'dns'")
m=$(total "$T_DIR/dns.json" http_reqs "t.get('error_code') == '1101'")
check "dns: 6 retries tagged reason dns, 9 requests failed with 1101 ($n, $m)" [ "$n" -eq 6 -a "$m" -eq 9 ]

hport=$(free_port)
python3 "$(dirname "$0")/hostile.py" "$hport" reset &
T_PIDS="$T_PIDS $!"
wait_port "$hport"
H="http://127.0.0.1:$hport"
run reset reset -e H="$H" -e ITERS=5
check "reset: every check passed ($(checks "$T_DIR/reset.json"))" all_checks reset 5
n=$(curl -s "$H/__count")
check "reset: the server read 3 requests per call (15: $n)" [ "$n" -eq 15 ]

# --- redirects, batches, expected statuses, --max-rps ------------------------------------------
reset
run redirect redirect -e ITERS=5
check "redirect: every check passed ($(checks "$T_DIR/redirect.json"))" all_checks redirect 10
n=$(stats 'j["by_route"]["ANY /redirect-to"], j["by_route"]["GET /status/:code"], j["by_route"]["ANY /redirect/:n"]')
check "redirect: the redirect once, the failing hop 3 times, a good chain untouched ($n)" \
    [ "$n" = "5 15 20" ]
n=$(total "$T_DIR/redirect.json" http_req_retries True)
check "redirect: a redirect hop is not a retry (10 retries: $n)" [ "$n" -eq 10 ]
n=$(total "$T_DIR/redirect.json" http_reqs "t.get('name') == 'chain' and t.get('attempt') == '1'")
check "redirect: each hop of a chain is attempt 1 (20: $n)" [ "$n" -eq 20 ]

reset
run batch batch -e ITERS=3
check "batch: every check passed ($(checks "$T_DIR/batch.json"))" all_checks batch 24
n=$(stats 'j["by_route"]["GET /status/:code"], j["by_route"]["GET /"], j["connections_accepted"]')
check "batch: 3 attempts for each failing request, 6 connections at most ($n)" \
    sh -c "echo '$n' | grep -q '^63 3 [1-7]$'" # 7: the stats request is one

run expected expected -e ITERS=5
check "expected: every check passed ($(checks "$T_DIR/expected.json"))" all_checks expected 5
n=$(metric expected 'int(j["metrics"]["http_req_failed"]["fails"]), int(j["metrics"]["http_req_failed"]["passes"]), int(j["metrics"]["http_req_retries"]["count"])')
check "expected: an expected 503 is no failure, yet the policy retries it ($n)" [ "$n" = "10 0 5" ]

reset
run capped capped -t 1 -u 1 -d 1s --max-rps 40 # one thread: it holds the whole cap
rc=$?
sv=$(stats 'j["requests"]')
n=$(metric capped 'int(j["metrics"]["http_reqs"]["count"]), int(j["metrics"]["http_req_retries"]["count"]), int(j["metrics"]["rate_capped"]["count"])')
check "capped: retries take --max-rps permits (exit $rc, $sv requests in 1 s at 40/s; reqs, retries, capped: $n)" \
    sh -c "[ $rc -eq 0 ] && [ $sv -ge 30 ] && [ $sv -le 46 ] && echo '$n' | grep -q '^$sv [1-9][0-9]* [1-9][0-9]*$'"

# --- mistakes -----------------------------------------------------------------------------
reset
run errors errors -e ITERS=1
rc=$?
check "errors: each bad policy is a Lua error naming its field ($(checks "$T_DIR/errors.json"), exit $rc)" \
    sh -c "[ $rc -eq 0 ] && [ '$(checks "$T_DIR/errors.json")' = '24/24' ]"
n=$(stats 'j["requests"]')
check "errors: nothing was sent ($n)" [ "$n" -eq 0 ]

# --- allocations: a retried request allocates nothing once warm ----------------------------
a1=$(TG_DEBUG_ALLOC_COUNT=1 "$TG_BIN" run -q --no-summary -t 1 -e B="$B" -e MODE=always -e ITERS=300 \
    "$S/http_retry.lua" 2>&1 | awk '/allocations:/ {print $3}')
a2=$(TG_DEBUG_ALLOC_COUNT=1 "$TG_BIN" run -q --no-summary -t 1 -e B="$B" -e MODE=always -e ITERS=1500 \
    "$S/http_retry.lua" 2>&1 | awk '/allocations:/ {print $3}')
check "allocations: $a1 for 300 calls, $a2 for 1500 (4800 more requests, < 300 more)" \
    [ -n "$a1" -a -n "$a2" -a $((a2 - a1)) -lt 300 ]
