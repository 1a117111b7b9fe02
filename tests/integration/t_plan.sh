# tailgate plan: the runbook view of a script or a URL run, sending nothing.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
EX=$(cd "$(dirname "$0")/../../examples" && pwd)
port=$(free_port)
start_serve "$port"
base="http://127.0.0.1:$port"

"$TG_BIN" plan -e BASE_URL="$base" --kill-switch "$base/health" --kill-file /tmp/STOP-LOAD \
    "$EX/feed-smoke-soak.lua" >"$T_DIR/p.txt" 2>&1
rc=$?
check "plan of the feed smoke+soak exits 0" [ $rc -eq 0 ]
check "each scenario with executor, start and end" sh -c \
    "grep -Eq 'smoke +constant-arrival-rate +0s +2m +up to 200 iterations/s, VUs 100..400' '$T_DIR/p.txt' && grep -Eq 'soak +ramping-arrival-rate +3m +40m +up to 800 iterations/s, VUs 200..1500' '$T_DIR/p.txt'"
check "the end and the peak" sh -c \
    "grep -q 'ENDS      by 40m' '$T_DIR/p.txt' && grep -q 'PEAK      800 iterations/s (open model), up to 1900 VUs' '$T_DIR/p.txt'"
check "the hosts from the -e values" grep -q "HOSTS .*127.0.0.1:$port" "$T_DIR/p.txt"
check "the rails in force" sh -c \
    "grep -q 'kill switch   $base/health every 5s' '$T_DIR/p.txt' && grep -q 'kill file     /tmp/STOP-LOAD' '$T_DIR/p.txt'"
check "a chart of the planned load" grep -q "ITERATIONS/S OVER TIME (peak 800)" "$T_DIR/p.txt"
reqs=$(curl -s "$base/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
check "nothing was sent ($reqs requests reached the target)" [ "$reqs" -eq 0 ]

"$TG_BIN" plan -c 30 -d 1m "$base/" >"$T_DIR/u.txt" 2>&1
check "a URL run's plan: closed model, 30 connections, 1m" sh -c \
    "grep -Eq 'closed model \(-c\) +0s +1m +30 connections' '$T_DIR/u.txt' && grep -q 'VUS OVER TIME (peak 30)' '$T_DIR/u.txt'"

"$TG_BIN" plan "$S/abort_on_fail.lua" >"$T_DIR/a.txt" 2>&1
check "abortOnFail thresholds are listed as aborts" \
    grep -q "abort on      http_req_failed: rate<0.1 (after 3s)" "$T_DIR/a.txt"

"$TG_BIN" plan "$S/bad_option.lua" 2>"$T_DIR/bad.err" >/dev/null
rc=$?
check "an invalid plan exits 104 naming the option" sh -c \
    "[ $rc -eq 104 ] && grep -q 'options.scenarios.soak.stages\[2\].target' '$T_DIR/bad.err'"
"$TG_BIN" plan "$S/broken_syntax.lua" 2>/dev/null >/dev/null
rc=$?
check "a script with a syntax error exits 107 ($rc)" [ $rc -eq 107 ]
