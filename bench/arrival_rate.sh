#!/bin/sh
# ramping-arrival-rate at 20,000 iterations/s: a script ramps 0 -> RATE over 5 s and
# holds RATE for HOLD seconds, one GET per iteration, generator on CPU 1 (one thread),
# nginx (1 worker, logging each request's $msec) on CPU 0. Reports the iterations run
# against the plan, dropped iterations, and the requests nginx saw in each whole second
# of the hold against RATE (worst deviation), i.e. whether the planned rate is achieved.
# Usage: bench/arrival_rate.sh [RATE=20000] [HOLD=10]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
RATE=${1:-20000}
HOLD=${2:-10}
port=18487
start_nginx $port 1
url="http://127.0.0.1:$port/"
cat >"$B_DIR/rar.lua" <<LUA
local http = require "tailgate.http"
options = { scenarios = { hold = {
  executor = "ramping-arrival-rate", startRate = 0, timeUnit = "1s",
  preAllocatedVUs = 200, maxVUs = 2000,
  stages = { { target = $RATE, duration = "5s" }, { target = $RATE, duration = "${HOLD}s" } } } } }
function default() http.get("$url") end
LUA
kill -USR1 "$(cat "$B_DIR/ngx/nginx.pid")"
sleep 0.5
: >"$B_DIR/ngx/access.log"
/usr/bin/time -f '%U %S' -o "$B_DIR/time" taskset -c 1 "$TG" run -q --no-summary -t 1 \
    --summary-export "$B_DIR/s.json" "$B_DIR/rar.lua"
kill -USR1 "$(cat "$B_DIR/ngx/nginx.pid")"
sleep 0.5
read -r u s <"$B_DIR/time"
python3 - "$B_DIR/s.json" "$B_DIR/ngx/access.log" "$RATE" "$HOLD" "$u" "$s" <<'PY'
import json, math, sys
m = json.load(open(sys.argv[1]))["metrics"]
rate, hold = int(sys.argv[3]), int(sys.argv[4])
planned = rate * 5 // 2 + rate * hold
it = int(m["iterations"]["count"])
dropped = int(m.get("dropped_iterations", {}).get("count", 0))
ts = sorted(float(l) for l in open(sys.argv[2]) if l.strip())
t0 = ts[0]
# the hold starts 5 s after the first arrival (the ramp starts at 0/s)
secs = [0] * hold
for t in ts:
    i = math.floor(t - t0 - 5.0)
    if 0 <= i < hold:
        secs[i] += 1
worst = max(abs(c - rate) for c in secs[:-1]) / rate  # the last second may be cut
cpu = (float(sys.argv[5]) + float(sys.argv[6])) * 1e6 / max(it, 1)
print(f"== ramping-arrival-rate 0 -> {rate}/s in 5 s, hold {hold} s")
print(f"   iterations {it} of {planned} planned ({it / planned:.2%}), dropped {dropped}, nginx saw {len(ts)}")
ramp = [0] * 5
for t in ts:
    i = int(t - t0)
    if 0 <= i < 5:
        ramp[i] += 1
print(f"   per second of the ramp: {ramp} (planned {[rate * (2 * k + 1) // 10 for k in range(5)]})")
print(f"   per second of the hold: {secs}")
print(f"   worst second {worst:.2%} off {rate}/s; CPU {cpu:.1f} us per iteration")
PY
