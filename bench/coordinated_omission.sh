#!/bin/sh
# Coordinated omission: tailgate serve freezes every response for 1 s out of every 5 s;
# load at 1,000 requests/s for 20 s. The truth: a fifth of the requests wait a uniform
# 0-1 s, so p90 ~ 500 ms and p99 ~ 950 ms. Side by side: tailgate's open model
# (corrected and uncorrected) and wrk's closed loop against the same server.
# Usage: bench/coordinated_omission.sh [DURATION=20]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
D=${1:-20}
port=18483
taskset -c 0 "$TG" serve --listen "127.0.0.1:$port" --stall 1s/5s 2>/dev/null &
B_PIDS="$B_PIDS $!"
sleep 0.3
url="http://127.0.0.1:$port/"
taskset -c 1 "$TG" run -q --no-summary -r 1000 -c 50 -d "${D}s" --summary-export "$B_DIR/s.json" "$url"
python3 - "$B_DIR/s.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
c, u = m["http_req_duration"], m["http_req_duration_uncorrected"]
print(f"tailgate -r 1000 (corrected)   p50={c['med']:8.2f} ms  p90={c['p(90)']:8.2f} ms  p99={c['p(99)']:8.2f} ms")
print(f"tailgate -r 1000 (uncorrected) p50={u['med']:8.2f} ms  p90={u['p(90)']:8.2f} ms  p99={u['p(99)']:8.2f} ms")
PY
taskset -c 1 wrk -t1 -c50 -d"${D}s" --latency "$url" >"$B_DIR/wrk.txt" 2>&1 || true
awk '/50%|90%|99%/ {printf "wrk closed loop %s=%s  ", $1, $2} END {print ""}' "$B_DIR/wrk.txt"
echo "truth: p90 ~ 500 ms, p99 ~ 950 ms"
