# Thresholds over sliding windows ("p(99)<100 over 10s") and --abort-on: a target that
# degrades half-way through a run whose whole-run p99 and error rate still pass must
# fail the windowed thresholds (exit 99), and with --abort-on the run must abort within
# one window of the degradation (exit 108). A run against a target that never degrades
# passes. The target is tailgate serve --degrade-after, whose /__stats counts what it
# answered, so the client's counts are checked against the server's.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# degrade_serve PORT AFTER [flags...]: a target that degrades AFTER its start; sets DEG_T0,
# the time just before it started (so DEG_T0 + AFTER is at or before the degradation).
degrade_serve() {
    dport=$1
    after=$2
    shift 2
    DEG_T0=$(date +%s%N)
    start_serve "$dport" --degrade-after "$after" "$@"
}
# A degradation that makes 1.5 % of requests take 700 ms: p99 over a window where it lasts
# two thirds of the window fails, p99 over the whole run does not (0.75 % of it are slow).
SLOW="--degraded-service-time 700ms --degraded-share 0.015"
P99='http_req_duration: p(99)<500'

# ---- errors -----------------------------------------------------------------------
expect_104() {
    desc=$1
    shift
    "$TG_BIN" run -q -c 1 -n 1 "$@" http://127.0.0.1:1/ >/dev/null 2>"$T_DIR/err"
    rc=$?
    check "$desc (exit $rc: $(cat "$T_DIR/err"))" [ $rc -eq 104 ]
}
expect_104 "'over' without a duration is refused" --threshold "$P99 over"
expect_104 "a window of 0s is refused" --threshold "$P99 over 0s"
expect_104 "a window over 1h is refused" --threshold "$P99 over 61m"
expect_104 "a window that is not whole seconds is refused" --threshold "$P99 over 1500ms"
expect_104 "a window without a unit is refused" --threshold "$P99 over 30"
expect_104 "a window over vus is refused" --threshold 'vus: value<10 over 5s'
expect_104 "--abort-on without a window is refused" --abort-on "$P99"
expect_104 "--abort-on on an unknown metric is refused" --abort-on 'nope: rate<1 over 5s'
expect_104 "--abort-on-grace must be a duration" --abort-on-grace soon
"$TG_BIN" run -q "$S/windowed_bad.lua" >/dev/null 2>"$T_DIR/err"
rc=$?
check "a 0s window in options names the option (exit $rc)" \
    sh -c "[ $rc -eq 104 ] && grep -q 'options.thresholds.http_req_failed\[1\]: .*shorter than 1s' '$T_DIR/err'"
for bad in "--degrade-after 5s" "--degraded-error-rate 0.5" "--degrade-after 5s --degraded-share 0.5 --degraded-error-rate 0.1" "--degrade-after 0s --degraded-error-rate 0.1" "--degrade-after 5s --degraded-share 0 --degraded-service-time 1s"; do
    # shellcheck disable=SC2086
    "$TG_BIN" serve --listen 127.0.0.1:1 $bad 2>"$T_DIR/err"
    rc=$?
    check "serve $bad is refused (exit $rc: $(cat "$T_DIR/err"))" [ $rc -eq 104 ]
done

# ---- degrades half-way: the windows fail, the whole run does not --------------------
port=$(free_port)
degrade_serve "$port" 10s $SLOW --degraded-error-rate 0.07
url="http://127.0.0.1:$port/"
"$TG_BIN" run -q -c 64 -r 800 -d 20s --graceful-stop 3s \
    --threshold "$P99" --threshold "$P99 over 10s" \
    --threshold 'http_req_failed: rate<0.05' --threshold 'http_req_failed: rate<0.05 over 5s' \
    --summary-export "$T_DIR/half.json" --result "$T_DIR/half-r.json" --junit "$T_DIR/half.xml" \
    "$url" >"$T_DIR/half.txt" 2>"$T_DIR/half.err"
rc=$?
check "a run that degrades half-way exits 99 (exit $rc)" [ $rc -eq 99 ]
check "the whole-run p99 passes" grep -q "✓ 'p(99)<500' (measured" "$T_DIR/half.txt"
check "the whole-run error rate passes" grep -q "✓ 'rate<0.05' (measured" "$T_DIR/half.txt"
check "the p99 over 10s windows fails, with its worst window" \
    grep -q "✗ 'p(99)<500 over 10s' (worst window 70[0-9.]*ms at " "$T_DIR/half.txt"
check "the error rate over 5s windows fails" \
    grep -q "✗ 'rate<0.05 over 5s' (worst window .* windows failed" "$T_DIR/half.txt"
check "nothing was aborted" sh -c "! grep -q 'stopped early' '$T_DIR/half.txt'"
w=$T_DIR/half-r.json
n=$(json_get "$w" 'len(j["thresholds"][1]["window"]["values"])')
check "the result file has one p99 value per window ($n, windows ending 10..20 s)" \
    [ "$n" -ge 11 -a "$n" -le 12 ]
check "the first p99 window, [0 s, 10 s), ended with the degradation and passed" \
    json_get "$w" 'exit(0 if j["thresholds"][1]["window"]["values"][0] < 500 else 1)'
first=$(json_get "$w" 'j["thresholds"][1]["window"]["first_failure"]["to_s"]')
check "the first failing p99 window ends after the degradation (at ${first}s)" float_cmp "$first" '>' 15
check "the error rate was 0 in every window that ended before the degradation" \
    json_get "$w" 'exit(0 if j["thresholds"][3]["window"]["values"][:5] == [0, 0, 0, 0, 0] else 1)'
ffrom=$(json_get "$w" 'j["thresholds"][3]["window"]["first_failure"]["to_s"]')
check "the first failing error-rate window ends after the degradation (at ${ffrom}s)" \
    float_cmp "$ffrom" '>' 9.5
check "the worst error-rate window is above 5 %" \
    json_get "$w" 'exit(0 if j["thresholds"][3]["window"]["worst"]["value"] > 0.05 else 1)'
check "k6's export keys thresholds by their text, true when failed" json_get "$T_DIR/half.json" \
    'exit(0 if j["metrics"]["http_req_duration"]["thresholds"] == {"p(99)<500": False, "p(99)<500 over 10s": True} else 1)'
check "JUnit says which window was worst" grep -q 'message="failed: worst window 70[0-9.]*ms at' "$T_DIR/half.xml"
curl -s "http://127.0.0.1:$port/__stats" >"$T_DIR/half-stats.json"
srv500=$(json_get "$T_DIR/half-stats.json" 'j["by_status"].get("500", 0)')
cli500=$(json_get "$T_DIR/half.json" 'j["metrics"]["http_req_failed"]["passes"]')
check "failed requests: client $cli500 = server $srv500" [ "$cli500" -eq "$srv500" ]
srvreq=$(json_get "$T_DIR/half-stats.json" 'j["requests"]')
clireq=$(json_get "$T_DIR/half.json" 'int(j["metrics"]["http_reqs"]["count"])')
check "requests: client $clireq = server $srvreq" [ "$clireq" -eq "$srvreq" ]
degr=$(json_get "$T_DIR/half-stats.json" 'j["degraded_requests"]')
check "the server degraded for about half of the run ($degr of $srvreq requests)" \
    float_cmp "$degr" '>' "$srvreq * 0.45"
check "the server said when it degraded" grep -q "tailgate serve: degraded after 10s (service-time=700ms for 1.5% of requests, else 0, error-rate=0.07)" "$T_DIR/serve-$port.log"
stop_pid "$SERVE_PID"

# ---- --abort-on: the same degradation aborts within one window ----------------------
port=$(free_port)
degrade_serve "$port" 4s $SLOW
"$TG_BIN" run -q -c 64 -r 800 -d 40s --graceful-stop 3s --abort-on 'http_req_duration: p(99)>=500 over 10s' \
    --summary-export "$T_DIR/ab.json" --result "$T_DIR/ab-r.json" "http://127.0.0.1:$port/" \
    >"$T_DIR/ab.txt" 2>"$T_DIR/ab.err"
rc=$?
ms=$(($(ms_since "$DEG_T0") - 4000))
check "--abort-on p99 over 10s aborts within one window of the degradation ($ms ms, exit $rc)" \
    [ $rc -eq 108 -a $ms -le 10000 ]
check "the summary says why" \
    grep -q "stopped early: the target degraded: http_req_duration 'p(99)<500 over 10s' failed in the window" "$T_DIR/ab.txt"
check "... and that this threshold aborted the run" grep -q "), aborted the run" "$T_DIR/ab.txt"
check "the result file says it aborted" json_get "$T_DIR/ab-r.json" \
    'exit(0 if j["thresholds"][0]["window"]["aborted"] and j["stop_reason"].startswith("the target degraded") else 1)'
check "k6's export marks it failed" json_get "$T_DIR/ab.json" \
    'exit(0 if j["metrics"]["http_req_duration"]["thresholds"] == {"p(99)<500 over 10s": True} else 1)'
stop_pid "$SERVE_PID"

port=$(free_port)
degrade_serve "$port" 3s --degraded-error-rate 0.5
"$TG_BIN" run --no-summary -c 8 -r 400 -d 40s --abort-on 'http_req_failed: rate>0.05 over 5s' \
    "http://127.0.0.1:$port/" 2>"$T_DIR/ab2.err"
rc=$?
ms=$(($(ms_since "$DEG_T0") - 3000))
check "--abort-on on the error rate aborts within one window ($ms ms, exit $rc)" \
    [ $rc -eq 108 -a $ms -le 5000 ]
check "... and says so on stderr" grep -q "test aborted: the target degraded: http_req_failed 'rate<=0.05 over 5s'" "$T_DIR/ab2.err"
stop_pid "$SERVE_PID"

port=$(free_port)
degrade_serve "$port" 1s --degraded-error-rate 0.5
"$TG_BIN" run -q --no-summary -c 8 -r 400 -d 40s --abort-on 'http_req_failed: rate>=0.05 over 2s' \
    --abort-on-grace 8s --result "$T_DIR/gr.json" "http://127.0.0.1:$port/" 2>/dev/null
rc=$?
dur=$(json_get "$T_DIR/gr.json" 'j["duration_ns"] / 1e9')
check "--abort-on-grace 8s: no abort before 8 s, one right after (${dur}s, exit $rc)" \
    sh -c "[ $rc -eq 108 ] && python3 -c 'import sys; sys.exit(0 if 8 <= $dur < 9.5 else 1)'"
check "... the windows that failed during the grace are in the verdict" json_get "$T_DIR/gr.json" \
    'exit(0 if j["thresholds"][0]["window"]["failed"] >= 6 else 1)'
stop_pid "$SERVE_PID"

# ---- a target that never degrades passes -----------------------------------------------
port=$(free_port)
start_serve "$port"
"$TG_BIN" run -q -c 64 -r 800 -d 12s --threshold "$P99 over 5s" \
    --threshold 'http_req_failed: rate<0.05 over 5s' --abort-on 'http_req_duration: p(99)>=500 over 10s' \
    --abort-on 'http_req_failed: rate>=0.05 over 5s' --result "$T_DIR/ok.json" \
    "http://127.0.0.1:$port/" >"$T_DIR/ok.txt" 2>&1
rc=$?
check "a run that never degrades passes every window (exit $rc)" [ $rc -eq 0 ]
# windows end at 5, 6, ... s, and the last with the run: ceil(duration) - 4 of 5 s
n5=$(json_get "$T_DIR/ok.json" '-(-j["duration_ns"] // 10**9) - 4')
check "... one window of 5s per second after the first, $n5 in all, and of 10s" \
    json_get "$T_DIR/ok.json" \
    "exit(0 if [t['window']['windows'] for t in j['thresholds']] == [$n5, $n5, $n5 - 5, $n5] else 1)"
check "... and the summary shows them" grep -q "✓ 'p(99)<500 over 5s' (worst window .* at .*; $n5 windows passed)" "$T_DIR/ok.txt"
stop_pid "$SERVE_PID"

# ---- scripts: windowed thresholds in options, both forms -------------------------------
port=$(free_port)
degrade_serve "$port" 2s --degraded-error-rate 0.5
"$TG_BIN" run -q -e BASE_URL="http://127.0.0.1:$port" --result "$T_DIR/sc.json" \
    "$S/windowed.lua" >"$T_DIR/sc.txt" 2>&1
rc=$?
dur=$(json_get "$T_DIR/sc.json" 'j["duration_ns"] / 1e9')
check "a script's abortOnFail window (delayAbortEval 5s) aborts at 5 s (${dur}s, exit $rc)" \
    sh -c "[ $rc -eq 108 ] && python3 -c 'import sys; sys.exit(0 if 5 <= $dur < 6.5 else 1)'"
check "its string-form window fails too" grep -q "✗ 'rate<0.05 over 3s' (worst window" "$T_DIR/sc.txt"
check "a submetric's window passes" grep -q "✓ 'p(99)<1000 over 5s'" "$T_DIR/sc.txt"
stop_pid "$SERVE_PID"

port=$(free_port)
start_serve "$port"
"$TG_BIN" run -q -e BASE_URL="http://127.0.0.1:$port" -e OUT="$T_DIR/hs.json" \
    "$S/windowed_summary.lua" >/dev/null 2>&1
rc=$?
check "handleSummary gets a windowed threshold's ok and worst window (exit $rc)" \
    json_get "$T_DIR/hs.json" "exit(0 if $rc == 0 and (lambda t: t['ok'] and t['window']['length_s'] == 1 and t['window']['windows'] >= 3 and t['window']['failed'] == 0 and t['window']['worst'] == 0 and 0 <= t['window']['worst_from_s'] < t['window']['worst_to_s'])(j['http_req_failed']['thresholds']['rate<0.5 over 1s']) and j['http_reqs']['thresholds'] == {'count>0': {'ok': True}} else 1)"
stop_pid "$SERVE_PID"
