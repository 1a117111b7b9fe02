# Safety rails that stop a run from outside: --kill-switch URL (a non-2xx answer, or
# N polls without an answer) and --kill-file PATH. Each stops the run gracefully
# within one interval (+1 s), with the summary and files written and the reason in
# them, exit 105.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
port=$(free_port)
start_serve "$port"
url="http://127.0.0.1:$port/"
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# the kill switch: 200 until the flag file exists, then 503
kport=$(free_port)
python3 "$(dirname "$0")/flip.py" "$kport" "$T_DIR/flag" &
T_PIDS="$T_PIDS $!"
wait_port "$kport"

"$TG_BIN" run -q -c 4 -d 30s --kill-switch "http://127.0.0.1:$kport/" --kill-switch-interval 1s \
    --summary-export "$T_DIR/ks.json" --result "$T_DIR/ks-r.json" "$url" >"$T_DIR/ks.txt" \
    2>"$T_DIR/ks.err" &
run=$!
sleep 2
touch "$T_DIR/flag"
flipped=$(date +%s%N)
wait $run
rc=$?
ms=$(ms_since "$flipped")
check "flipping the kill switch stops a 30 s run within interval + 1 s ($ms ms, exit $rc)" \
    [ $rc -eq 105 -a $ms -le 2000 ]
check "the summary says why" grep -q "stopped early: kill switch http://127.0.0.1:$kport/ answered 503" "$T_DIR/ks.txt"
reason=$(json_get "$T_DIR/ks-r.json" 'j["stop_reason"]')
check "the result file says why ($reason)" [ "$reason" = "kill switch http://127.0.0.1:$kport/ answered 503" ]
reqs=$(json_get "$T_DIR/ks.json" 'int(j["metrics"]["http_reqs"]["count"])')
check "the summary export is written with the load so far ($reqs requests)" [ "$reqs" -gt 100 ]

t0=$(date +%s%N)
"$TG_BIN" run -q --no-summary -c 2 -d 30s --kill-switch "http://127.0.0.1:$kport/" "$url" \
    2>"$T_DIR/ks0.err"
rc=$?
check "a kill switch that already says stop stops at the first poll ($(ms_since "$t0") ms, exit $rc)" \
    [ $rc -eq 105 -a "$(ms_since "$t0")" -lt 2000 ]

dead=$(free_port)
t0=$(date +%s%N)
"$TG_BIN" run -q -c 2 -d 30s --kill-switch "http://127.0.0.1:$dead/" --kill-switch-interval 500ms \
    --kill-switch-failures 2 "$url" >"$T_DIR/dead.txt" 2>&1
rc=$?
ms=$(ms_since "$t0")
check "an unreachable kill switch stops after 2 missed polls ($ms ms, exit $rc)" \
    sh -c "[ $rc -eq 105 ] && [ $ms -lt 3000 ] && grep -q 'unreachable for 2 polls (dial_refused)' '$T_DIR/dead.txt'"

t0=$(date +%s%N)
"$TG_BIN" run -q --no-summary -d 30s --kill-file "$T_DIR/stop-now" --result "$T_DIR/kf.json" \
    "$S/basic.lua" 2>/dev/null &
run=$!
sleep 2
touch "$T_DIR/stop-now"
touched=$(date +%s%N)
wait $run
rc=$?
ms=$(ms_since "$touched")
check "--kill-file stops a script run within 1 s + graceful stop ($ms ms, exit $rc)" \
    [ $rc -eq 105 -a $ms -le 2500 ]
check "... and says so in the result file" \
    [ "$(json_get "$T_DIR/kf.json" 'j["stop_reason"]')" = "kill file $T_DIR/stop-now appeared" ]

"$TG_BIN" run -q -c 1 -n 1 --kill-switch "ftp://127.0.0.1/" "$url" 2>"$T_DIR/bad.err" >/dev/null
rc=$?
check "a kill switch that is not an http URL exits 104 naming the flag ($(cat "$T_DIR/bad.err"))" \
    sh -c "[ $rc -eq 104 ] && grep -q -- '--kill-switch' '$T_DIR/bad.err'"
"$TG_BIN" run -q -c 1 -n 1 --kill-switch-interval 5ms "$url" 2>"$T_DIR/bad2.err" >/dev/null
rc=$?
check "a kill switch interval under 100ms exits 104" sh -c "[ $rc -eq 104 ] && grep -q -- '--kill-switch-interval' '$T_DIR/bad2.err'"

# --allow-host: a host off the list is never sent to
before=$(curl -s "http://127.0.0.1:$port/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
"$TG_BIN" run -q -c 2 -n 20 --allow-host '*.staging.example.com' --summary-export "$T_DIR/al.json" \
    "$url" >/dev/null 2>"$T_DIR/al.err"
rc=$?
after=$(curl -s "http://127.0.0.1:$port/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
errs=$(json_get "$T_DIR/al.json" 'int(j["metrics"]["http_req_failed"]["passes"])')
check "a host off --allow-host: the target saw $((after - before)) requests, $errs counted failed (exit $rc)" \
    [ $rc -eq 0 -a $((after - before)) -eq 0 -a "$errs" -eq 20 ]
check "... as error_code 1710 host_not_allowed, with a warning" \
    sh -c "grep -q 'not on the --allow-host list' '$T_DIR/al.err'"
"$TG_BIN" run -q -c 2 -n 20 --allow-host-strict --allow-host api.example.com "$url" >/dev/null \
    2>"$T_DIR/als.err"
rc=$?
after2=$(curl -s "http://127.0.0.1:$port/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
check "--allow-host-strict aborts before sending (exit $rc, $((after2 - after)) requests)" \
    [ $rc -eq 108 -a $((after2 - after)) -eq 0 ]
"$TG_BIN" run -q -c 2 -n 20 --allow-host "127.0.0.1:$port" --no-summary "$url" 2>"$T_DIR/ok.err"
after3=$(curl -s "http://127.0.0.1:$port/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
check "a listed host is sent to ($((after3 - after2)) requests)" [ $((after3 - after2)) -eq 20 ]

"$TG_BIN" run -q -c 1 -n 1 --kill-switch "https://127.0.0.1:$port/" "$url" 2>"$T_DIR/ks-https.err" >/dev/null
rc=$?
check "an https kill switch is refused cleanly, exit 104 ($(cat "$T_DIR/ks-https.err"))" \
    sh -c "[ $rc -eq 104 ] && grep -q 'https is not supported' '$T_DIR/ks-https.err'"
