# tailgate run against tailgate serve on loopback: counts, latency accuracy, open model
# and coordinated omission, thresholds and exports, -n exactness, Ctrl-C, IPv6.
. "$(dirname "$0")/lib.sh"

stats() { curl -s "http://127.0.0.1:$1/__stats"; }
served() { stats "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["responses"])'; }

# 1. Client count equals server count; p50 of a fixed 5 ms service time reads 5 ms +- 0.3.
port=$(free_port)
start_serve "$port" --service-time 5ms
"$TG_BIN" run -q --no-summary -c 10 -d 3s --summary-export "$T_DIR/a.json" "http://127.0.0.1:$port/"
reqs=$(json_get "$T_DIR/a.json" 'int(j["metrics"]["http_reqs"]["count"])')
srv=$(served "$port")
check "client counted $reqs, server served $srv" [ "$reqs" -eq "$srv" -a "$reqs" -gt 1000 ]
med=$(json_get "$T_DIR/a.json" 'j["metrics"]["http_req_duration"]["med"]')
check "fixed 5ms service time: med $med ms within 0.3 ms" float_cmp "abs($med - 5)" "<=" 0.3
stop_pid "$SERVE_PID"

# 2. -n is exact across threads; thresholds pass (0) and fail (99); exports parse.
port=$(free_port)
start_serve "$port"
url="http://127.0.0.1:$port/communities/abc/posts?limit=5"
"$TG_BIN" run -q --no-summary -c 7 -t 2 -n 1001 --threshold 'http_req_duration: p(99)<1000' \
    --threshold 'http_reqs: count==1001' --threshold 'http_req_duration{status:200}: max<5000' \
    --summary-export "$T_DIR/n.json" --result "$T_DIR/n.result.json" "$url"
rc=$?
srv=$(served "$port")
check "-n 1001 -c 7 -t 2: exit $rc, server served exactly $srv" [ $rc -eq 0 -a "$srv" -eq 1001 ]
sub=$(json_get "$T_DIR/n.json" '"http_req_duration{status:200}" in j["metrics"]')
check "summary export has the threshold's submetric" [ "$sub" = True ]
fmt=$(json_get "$T_DIR/n.result.json" 'j["format"], j["version"], len(j["series"]) > 5')
check "result file: $fmt" [ "$fmt" = "tailgate-result 1 True" ]
python3 - "$T_DIR/n.result.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
h = [s for s in j["series"] if s["metric"] == "http_req_duration"]
assert sum(s["hist"]["count"] for s in h) == 1001, "histogram counts"
b = h[0]["hist"]["buckets"]
assert len(b) % 2 == 0 and all(x >= 0 for x in b), "bucket pairs"
PY
check "result file histograms hold every sample" [ $? -eq 0 ]
"$TG_BIN" run -q --no-summary -c 2 -n 50 --threshold 'http_req_duration: avg<0.0001' "$url"
check "failing threshold -> exit 99" [ $? -eq 99 ]

# 3. Summary text: thresholds with marks, status breakdown, expected_response row.
"$TG_BIN" run -q -c 2 -n 100 --threshold 'http_req_failed: rate<0.5' "$url" >"$T_DIR/sum.txt"
check "summary shows the threshold as passed" grep -q "rate<0.5' (measured 0.00%)" "$T_DIR/sum.txt"
check "summary shows the status breakdown" grep -Eq '^ +200 +100$' "$T_DIR/sum.txt"
check "summary shows the expected_response submetric" grep -q "{ expected_response:true }" "$T_DIR/sum.txt"
stop_pid "$SERVE_PID"

# 4. Coordinated omission: the server freezes 1 s of every 5 s; at 1000/s a fifth of
#    the requests wait a uniform 0-1 s, so the truth is p90 ~ 500 ms, p99 ~ 950 ms.
port=$(free_port)
start_serve "$port" --stall 1s/5s
"$TG_BIN" run -q --no-summary -r 1000 -c 50 -d 5s --summary-export "$T_DIR/co.json" \
    "http://127.0.0.1:$port/"
p90=$(json_get "$T_DIR/co.json" 'j["metrics"]["http_req_duration"]["p(90)"]')
p99=$(json_get "$T_DIR/co.json" 'j["metrics"]["http_req_duration"]["p(99)"]')
u90=$(json_get "$T_DIR/co.json" 'j["metrics"]["http_req_duration_uncorrected"]["p(90)"]')
check "stall 1s/5s at 1000/s: corrected p90 $p90 ms in 350..650" float_cmp "350 <= $p90" and "$p90 <= 650"
check "stall 1s/5s at 1000/s: corrected p99 $p99 ms in 850..1100" float_cmp "850 <= $p99" and "$p99 <= 1100"
check "uncorrected p90 $u90 ms hides the stall (< 50 ms)" float_cmp "$u90" "<" 50
late=$(json_get "$T_DIR/co.json" 'j["metrics"]["late_starts"]["count"]')
check "late starts counted ($late)" float_cmp "$late" ">" 100
stop_pid "$SERVE_PID"

# 5. Ctrl-C stops gracefully: exit 105, summary export still written.
port=$(free_port)
start_serve "$port"
"$TG_BIN" run -q --no-summary -c 4 -d 30s --summary-export "$T_DIR/int.json" \
    "http://127.0.0.1:$port/" &
run_pid=$!
sleep 1.5
kill -INT "$run_pid"
wait "$run_pid"
rc=$?
reqs=$(json_get "$T_DIR/int.json" 'int(j["metrics"]["http_reqs"]["count"])' 2>/dev/null || echo 0)
check "SIGINT: exit $rc (105) with the export written ($reqs requests)" [ $rc -eq 105 -a "$reqs" -gt 0 ]
stop_pid "$SERVE_PID"

# 6. IPv6 loopback, when the machine has it.
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
    port=$(free_port)
    "$TG_BIN" serve --listen "[::1]:$port" >"$T_DIR/serve6.log" 2>&1 &
    pid6=$!
    T_PIDS="$T_PIDS $pid6"
    wait_port "$port" ::1
    "$TG_BIN" run -q --no-summary -c 2 -n 100 --summary-export "$T_DIR/v6.json" "http://[::1]:$port/"
    fails=$(json_get "$T_DIR/v6.json" 'j["metrics"]["http_req_failed"]["passes"]')
    check "IPv6 [::1]: 100 requests, $fails failed" [ "$fails" -eq 0 ]
    stop_pid "$pid6"
else
    ok "IPv6 [::1] skipped: no IPv6 loopback on this machine # SKIP"
fi

# 7. No allocation on the request path: after warm-up (histogram pages for the latency
#    range seen so far), 4x the requests make (almost) no more allocations.
port=$(free_port)
start_serve "$port"
a1=$(TG_DEBUG_ALLOC_COUNT=1 "$TG_BIN" run -q --no-summary -c 10 -n 100000 "http://127.0.0.1:$port/" \
    2>&1 | awk '/allocations:/ {print $3}')
a2=$(TG_DEBUG_ALLOC_COUNT=1 "$TG_BIN" run -q --no-summary -c 10 -n 400000 "http://127.0.0.1:$port/" \
    2>&1 | awk '/allocations:/ {print $3}')
check "allocations: $a1 for 100k requests, $a2 for 400k (< 1 per 2000 extra requests)" \
    [ -n "$a1" -a -n "$a2" -a $((a2 - a1)) -lt 150 ]

# 8. A second Ctrl-C exits at once, even while in-flight requests are still running.
"$TG_BIN" run -q --no-summary -c 2 -d 30s "http://127.0.0.1:$port/delay/5000" &
run_pid=$!
sleep 1
kill -INT "$run_pid"
sleep 0.3
t0=$(date +%s%N)
kill -INT "$run_pid"
wait "$run_pid"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "second SIGINT: exit $rc (105) after $ms ms (< 1000)" [ $rc -eq 105 -a $ms -lt 1000 ]

# 9. On a terminal, a progress line each second (none without one: see the -q runs above).
if command -v script >/dev/null; then
    script -qec "$TG_BIN run -c 2 -d 2500ms --no-summary http://127.0.0.1:$port/" /dev/null \
        >"$T_DIR/tty.txt" 2>&1
    check "progress line on a terminal" grep -q "running \[.* / 2.5s\].*req/s.*p95=" "$T_DIR/tty.txt"
    "$TG_BIN" run -c 2 -d 1500ms --no-summary "http://127.0.0.1:$port/" >"$T_DIR/notty.txt" 2>&1
    check "no progress line without a terminal" [ ! -s "$T_DIR/notty.txt" ]
fi
stop_pid "$SERVE_PID"
