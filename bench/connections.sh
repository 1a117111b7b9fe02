#!/bin/sh
# Memory per connection: RSS of the generator with 10,000 open keep-alive connections
# against nginx, minus its RSS with 50, divided by the difference; tailgate beside wrk.
# (ulimit -n is capped at 20,000 on these machines, so 10,000 is the largest test.)
# Usage: bench/connections.sh [CONNS=10000]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-10000}
port=18484
ulimit -n 20000 2>/dev/null || true
start_nginx $port
url="http://127.0.0.1:$port/"
rss() { # CMD... -> peak RSS in KiB
    /usr/bin/time -f '%M' -o "$B_DIR/rss" taskset -c 1 "$@" >/dev/null 2>&1 || true
    cat "$B_DIR/rss"
}
t50=$(rss "$TG" run -q --no-summary -t 1 -c 50 -d 5s "$url")
tN=$(rss "$TG" run -q --no-summary -t 1 -c "$N" -d 5s "$url")
w50=$(rss wrk -t1 -c50 -d5s "$url")
wN=$(rss wrk -t1 -c"$N" -d5s "$url")
python3 - "$t50" "$tN" "$w50" "$wN" "$N" <<'PY'
import sys
t50, tN, w50, wN, n = map(int, sys.argv[1:])
tp = (tN - t50) / (n - 50)
wp = (wN - w50) / (n - 50)
print(f"tailgate: {t50/1024:.1f} MiB at 50, {tN/1024:.1f} MiB at {n}: {tp:.2f} KiB per extra connection")
print(f"wrk:      {w50/1024:.1f} MiB at 50, {wN/1024:.1f} MiB at {n}: {wp:.2f} KiB per extra connection")
print(f"ratio tailgate/wrk per connection: {tp/wp:.2f}x")
PY
