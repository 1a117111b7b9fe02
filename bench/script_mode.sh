#!/bin/sh
# Script mode's cost per request beside the command-line mode and wrk, side by side
# against one nginx worker (CPU 0), generator on CPU 1, 50 VUs / connections, one GET per
# iteration and no sleep, DURATION seconds, REPS interleaved repetitions, median.
# Also the memory per idle VU: RSS with 2,000 VUs sleeping vs 50.
# Usage: bench/script_mode.sh [DURATION=10] [REPS=3]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
D=${1:-10}
REPS=${2:-3}
port=18485
start_nginx $port
url="http://127.0.0.1:$port/"
cat >"$B_DIR/get.lua" <<LUA
local http = require "tailgate.http"
options = { vus = 50, duration = "${D}s" }
function default() http.get("$url") end
LUA
cat >"$B_DIR/idle.lua" <<LUA
local http = require "tailgate.http"
local tg = require "tailgate"
options = { vus = tonumber(tg.env.VUS), duration = "5s" }
function default() http.get("$url") tg.sleep(1) end
LUA
run() { # NAME CMD... -> "NAME reqs cpu_s"
    name=$1
    shift
    /usr/bin/time -f '%U %S' -o "$B_DIR/time" taskset -c 1 "$@" >"$B_DIR/out" 2>&1 || true
    case $name in
    wrk) reqs=$(awk '/requests in/ {print $1}' "$B_DIR/out") ;;
    *) reqs=$(python3 -c "import json;print(int(json.load(open('$B_DIR/s.json'))['metrics']['http_reqs']['count']))") ;;
    esac
    read -r u s <"$B_DIR/time"
    echo "$name $reqs $(echo "$u + $s" | bc)" >>"$B_DIR/results"
}
for i in $(seq "$REPS"); do
    run script "$TG" run -q --no-summary -t 1 --summary-export "$B_DIR/s.json" "$B_DIR/get.lua"
    run cli "$TG" run -q --no-summary -t 1 -c 50 -d "${D}s" --summary-export "$B_DIR/s.json" "$url"
    run wrk wrk -t1 -c50 -d"${D}s" "$url"
done
echo "== one GET per iteration, 50 VUs / connections, ${D}s, median of $REPS"
python3 - "$B_DIR/results" "$D" <<'PY'
import statistics, sys
rows = {}
for l in open(sys.argv[1]):
    n, r, c = l.split()
    rows.setdefault(n, []).append((int(r), float(c)))
d = float(sys.argv[2])
med = {n: (statistics.median(r / d for r, _ in v), statistics.median(c * 1e6 / r for r, c in v)) for n, v in rows.items()}
cli = med["cli"][1]
for n, (rps, us) in med.items():
    print(f"{n:8} {rps:10.0f} req/s  {us:6.2f} us CPU/request  {us / cli:.2f}x the command line  {us / med['wrk'][1]:.2f}x wrk")
PY
rss() { VUS=$1 /usr/bin/time -f '%M' -o "$B_DIR/rss" taskset -c 1 "$TG" run -q --no-summary -t 1 "$B_DIR/idle.lua" >/dev/null 2>&1 || true; cat "$B_DIR/rss"; }
r50=$(rss 50)
r2k=$(rss 2000)
echo "== memory: RSS $((r50 / 1024)) MiB at 50 VUs, $((r2k / 1024)) MiB at 2,000 VUs: $(( (r2k - r50) / 1950 )) KiB per extra VU (with its connection)"
