# Hostile servers: every failure is a counted error with its own error_code; the run
# goes on, memory stays bounded, and the tool never crashes.
. "$(dirname "$0")/lib.sh"

# count_code RESULT_FILE CODE -> number of http_reqs with that error_code
count_code() {
    python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(int(sum(s["sum"] for s in j["series"]
              if s["metric"] == "http_reqs" and s["tags"].get("error_code") == sys.argv[2])))
PY
}

run_mode() { # run_mode MODE EXPECTED_CODE
    port=$(free_port)
    python3 "$(dirname "$0")/hostile.py" "$port" "$1" &
    hp=$!
    T_PIDS="$T_PIDS $hp"
    wait_port "$port"
    /usr/bin/time -f '%M' -o "$T_DIR/rss-$1" "$TG_BIN" run -q --no-summary -c 4 -t 1 -d 2s \
        --timeout 1s --max-body 1MiB --result "$T_DIR/$1.json" "http://127.0.0.1:$port/"
    rc=$?
    stop_pid "$hp"
    n=$(count_code "$T_DIR/$1.json" "$2" 2>/dev/null || echo 0)
    rss=$(cat "$T_DIR/rss-$1")
    if [ $rc -eq 0 ] && [ "${n:-0}" -gt 0 ] && [ "$rss" -lt 65536 ]; then
        ok "$1: $n requests counted with error_code $2 (rss ${rss} KiB)"
    else
        not_ok "$1: expected error_code $2 (rc=$rc, count=$n, rss=${rss} KiB)"
    fi
}

run_mode malformed 1701
run_mode bigheader 1702
run_mode infinite 1703
run_mode badchunk 1704
run_mode eof 1705
run_mode reset 1220
run_mode slow 1050

# Valid but unusual framings count as successes.
for mode in closebody keepclose; do
    port=$(free_port)
    python3 "$(dirname "$0")/hostile.py" "$port" "$mode" &
    hp=$!
    T_PIDS="$T_PIDS $hp"
    wait_port "$port"
    "$TG_BIN" run -q --no-summary -c 2 -t 1 -d 1s --summary-export "$T_DIR/$mode.json" \
        "http://127.0.0.1:$port/"
    stop_pid "$hp"
    fails=$(json_get "$T_DIR/$mode.json" 'j["metrics"]["http_req_failed"]["passes"]')
    reqs=$(json_get "$T_DIR/$mode.json" 'int(j["metrics"]["http_reqs"]["count"])')
    check "$mode: $reqs requests, none failed" [ "$fails" -eq 0 -a "$reqs" -gt 10 ]
done

# Nothing listening: refused, counted, exit 0 without thresholds.
port=$(free_port)
"$TG_BIN" run -q --no-summary -c 2 -t 1 -d 1s --result "$T_DIR/refused.json" \
    "http://127.0.0.1:$port/"
rc=$?
n=$(count_code "$T_DIR/refused.json" 1212)
check "connection refused counted as 1212 ($n)" [ $rc -eq 0 -a "$n" -gt 0 ]

# A name that does not resolve: counted as a DNS error, not a crash.
"$TG_BIN" run -q --no-summary -c 1 -t 1 -n 5 --result "$T_DIR/dns.json" \
    "http://no-such-host.invalid:8080/" 2>/dev/null
n=$(count_code "$T_DIR/dns.json" 1101)
check "unresolvable host counted as 1101 ($n)" [ "$n" -eq 5 ]

# A failing threshold on the error rate exits 99.
port=$(free_port)
"$TG_BIN" run -q --no-summary -c 1 -t 1 -n 20 --threshold 'http_req_failed: rate<0.01' \
    "http://127.0.0.1:$port/"
rc=$?
check "all requests refused + rate threshold -> exit 99" [ $rc -eq 99 ]
