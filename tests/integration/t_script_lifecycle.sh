# setup()/teardown(data), tailgate.abort and abortOnFail thresholds: what runs,
# what the server sees, and the exit codes (k6's: 99, 100, 107, 108).
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
port=$(free_port)
start_serve "$port"
export BASE_URL="http://127.0.0.1:$port"
served() { curl -s "$BASE_URL/__stats" | python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
reset() { curl -s -X POST "$BASE_URL/__stats/reset" >/dev/null; }
status_seen() { served "[\"by_status\"].get(\"$1\", 0)"; }

reset
"$TG_BIN" run -q --no-summary --result "$T_DIR/lc.json" "$S/lifecycle.lua" 2>"$T_DIR/lc.err"
rc=$?
check "setup data reaches every iteration, checks pass (exit $rc)" [ $rc -eq 0 ]
check "setup() requested once ($(status_seen 201))" [ "$(status_seen 201)" -eq 1 ]
check "teardown(data) ran once with the data ($(status_seen 202))" [ "$(status_seen 202)" -eq 1 ]
check "the load itself: 9 iterations, 9 GET / ($(served '["by_route"]["GET /"]'))" \
    [ "$(served '["by_route"]["GET /"]')" -eq 9 ]
groups=$(json_get "$T_DIR/lc.json" \
    'sorted(set(s["tags"].get("group","") for s in j["series"] if s["metric"]=="http_reqs"))')
check "setup/teardown requests are measured in groups ::setup and ::teardown ($groups)" \
    [ "$groups" = "['', '::setup', '::teardown']" ]

reset
"$TG_BIN" run -q --no-summary "$S/setup_error.lua" 2>"$T_DIR/se.err"
rc=$?
check "an error in setup() exits 107 naming file:line (exit $rc)" \
    sh -c "[ $rc -eq 107 ] && grep -q 'setup() failed: .*setup_error.lua:4: no token' '$T_DIR/se.err'"
check "nothing runs after a failed setup ($(served '["requests"]') requests)" \
    [ "$(served '["requests"]')" -eq 0 ]

t0=$(date +%s%N)
"$TG_BIN" run -q --no-summary "$S/setup_timeout.lua" 2>"$T_DIR/st.err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "setupTimeout 1s: exit 100 after ${ms} ms ($(cat "$T_DIR/st.err"))" \
    sh -c "[ $rc -eq 100 ] && [ $ms -lt 4000 ] && grep -q 'setupTimeout' '$T_DIR/st.err'"

"$TG_BIN" run -q --no-summary "$S/setup_bad_data.lua" 2>"$T_DIR/sb.err"
rc=$?
check "setup() data that JSON cannot hold: exit 107 ($(head -c 150 "$T_DIR/sb.err"))" \
    sh -c "[ $rc -eq 107 ] && grep -q 'not JSON-serialisable' '$T_DIR/sb.err'"

reset
t0=$(date +%s%N)
"$TG_BIN" run -q --summary-export "$T_DIR/ab.json" --result "$T_DIR/ab-r.json" "$S/abort.lua" \
    >"$T_DIR/ab.txt" 2>"$T_DIR/ab.err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "tailgate.abort stops a 30 s test: exit $rc after $ms ms" [ $rc -eq 108 -a $ms -lt 10000 ]
check "the summary says why" grep -q "stopped early: enough requests" "$T_DIR/ab.txt"
reason=$(json_get "$T_DIR/ab-r.json" 'j["stop_reason"]')
check "the result file says why ($reason)" [ "$reason" = "enough requests" ]
check "teardown ran after the abort ($(status_seen 203))" [ "$(status_seen 203)" -eq 1 ]
errs=$(json_get "$T_DIR/ab.json" 'j["metrics"].get("iteration_errors", {}).get("count", 0)')
check "the aborting iteration is not an iteration error ($errs)" [ "$errs" = 0 ]

"$TG_BIN" run -q --no-summary "$S/abort_init.lua" 2>"$T_DIR/ai.err"
rc=$?
check "tailgate.abort in the init context exits 108 ($(head -c 120 "$T_DIR/ai.err"))" \
    sh -c "[ $rc -eq 108 ] && grep -q 'no target configured' '$T_DIR/ai.err'"

reset
t0=$(date +%s%N)
"$TG_BIN" run -q --summary-export "$T_DIR/af.json" "$S/abort_on_fail.lua" >"$T_DIR/af.txt" \
    2>"$T_DIR/af.err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "abortOnFail stops the run after delayAbortEval 3s: exit $rc after $ms ms" \
    [ $rc -eq 99 -a $ms -ge 3000 -a $ms -lt 9000 ]
check "the summary names the threshold" \
    grep -q "stopped early: threshold http_req_failed: 'rate<0.1' failed (abortOnFail)" "$T_DIR/af.txt"
ok=$(json_get "$T_DIR/af.json" 'j["metrics"]["http_req_failed"]["thresholds"]["rate<0.1"]')
check "the export marks the threshold failed ($ok)" [ "$ok" = True ]
check "teardown ran after the threshold abort ($(status_seen 203))" [ "$(status_seen 203)" -eq 1 ]

"$TG_BIN" run -q --summary-export "$T_DIR/te.json" "$S/teardown_error.lua" >/dev/null \
    2>"$T_DIR/te.err"
rc=$?
check "an error in teardown() exits 107 naming file:line (exit $rc)" \
    sh -c "[ $rc -eq 107 ] && grep -q 'teardown() failed: .*teardown_error.lua:5:' '$T_DIR/te.err'"
check "the summary export is still written" [ -s "$T_DIR/te.json" ]

"$TG_BIN" run -q -e OUT="$T_DIR/hs.json" "$S/handle_summary.lua" >"$T_DIR/hs.txt" 2>"$T_DIR/hs.err"
rc=$?
check "handleSummary's stdout replaces the text summary (exit $rc: $(head -c 100 "$T_DIR/hs.txt"))" \
    sh -c "[ $rc -eq 0 ] && grep -q '^custom: 4 requests, run nightly, p(95) true$' '$T_DIR/hs.txt' && ! grep -q METRICS '$T_DIR/hs.txt'"
layout=$(python3 - "$T_DIR/hs.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
m = j["metrics"]
g = j["root_group"]["groups"][0]
print(sorted(j), m["http_reqs"]["type"], m["http_req_failed"]["thresholds"]["rate<0.5"]["ok"],
      m["http_req_duration"]["contains"], g["path"], g["checks"][0]["passes"],
      j["options"]["summaryTrendStats"][0])
PY
)
check "handleSummary's data has k6's layout ($layout)" \
    [ "$layout" = "['metrics', 'options', 'root_group', 'setup_data', 'state'] counter True time ::home 4 avg" ]
"$TG_BIN" run -q -e OUT="$T_DIR/hs2.json" -e HS_FAIL=1 "$S/handle_summary.lua" >"$T_DIR/hs2.txt" \
    2>"$T_DIR/hs2.err"
rc=$?
check "an error in handleSummary: exit 107 and the text summary instead (exit $rc)" \
    sh -c "[ $rc -eq 107 ] && grep -q 'handle_summary.lua:11: cannot summarise' '$T_DIR/hs2.err' && grep -q METRICS '$T_DIR/hs2.txt'"
"$TG_BIN" run -q -e OUT="$T_DIR/hs3.json" -e HS_BAD=1 "$S/handle_summary.lua" >/dev/null \
    2>"$T_DIR/hs3.err"
rc=$?
check "handleSummary returning a non-string output: exit 107 ($(cat "$T_DIR/hs3.err"))" \
    sh -c "[ $rc -eq 107 ] && grep -q 'the output \"stdout\" must be a string' '$T_DIR/hs3.err'"
"$TG_BIN" run -q --no-summary -e OUT="$T_DIR/hs4.json" "$S/handle_summary.lua" >"$T_DIR/hs4.txt"
check "--no-summary skips handleSummary as k6 does" sh -c "[ ! -e '$T_DIR/hs4.json' ] && [ ! -s '$T_DIR/hs4.txt' ]"
