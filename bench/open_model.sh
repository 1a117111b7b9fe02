#!/bin/sh
# Open model, side by side with h2load --rps (the only Debian peer with a fixed-rate mode):
#  1. CPU per request at 5,000 requests/s (50 connections x 100/s);
#  2. pacing at 20,000 requests/s: nginx logs each request's arrival ($msec); requests per
#     10 ms slot between t=2 s and t=9 s -> coefficient of variation and share of empty slots.
# Generator on CPU 1, nginx (1 worker) on CPU 0. Usage: bench/open_model.sh
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
port=18482

measure() { # NAME RATE CMD... -> "NAME rate reqs cpu_s"
    name=$1
    shift
    /usr/bin/time -f '%U %S' -o "$B_DIR/time" taskset -c 1 "$@" >"$B_DIR/out" 2>&1 || true
    read -r u s <"$B_DIR/time"
    echo "$name $(echo "$u + $s" | bc)"
}

pacing() { # NAME -> CV and empty share of 10 ms slots in [2 s, 9 s) of the access log
    python3 - "$B_DIR/ngx/access.log" "$1" <<'PY'
import statistics, sys
ts = sorted(float(l) for l in open(sys.argv[1]) if l.strip())
t0 = ts[0]
slots = [0] * 700
for t in ts:
    i = int((t - t0 - 2.0) * 100)
    if 0 <= i < 700:
        slots[i] += 1
cv = statistics.pstdev(slots) / statistics.mean(slots)
empty = sum(1 for s in slots if s == 0) / len(slots)
print(f"{sys.argv[2]:10} requests={len(ts)} slot_mean={statistics.mean(slots):.1f} cv={cv:.4f} empty_slots={empty:.1%}")
PY
}

start_nginx $port 1
url="http://127.0.0.1:$port/"
echo "== 1. CPU per request at 5,000/s for 10 s (50 connections)"
for i in 1 2 3; do
    measure tailgate "$TG" run -q --no-summary -t 1 -c 50 -r 5000 -d 10s "$url"
    measure h2load h2load --h1 -t1 -c50 --rps 100 -D 10 "$url"
done | python3 -c '
import sys, statistics
rows = {}
for l in sys.stdin:
    n, cpu = l.split(); rows.setdefault(n, []).append(float(cpu) * 1e6 / 50000)
for n, v in rows.items():
    print(f"{n:10} CPU us/request (median of {len(v)}): {statistics.median(v):.2f}")
'

echo "== 2. pacing at 20,000/s for 10 s (100 connections)"
flush_log() { kill -USR1 "$(cat "$B_DIR/ngx/nginx.pid")"; sleep 0.5; }
flush_log
: >"$B_DIR/ngx/access.log"
taskset -c 1 "$TG" run -q --no-summary -t 1 -c 100 -r 20000 -d 10s "$url"
flush_log
pacing tailgate
: >"$B_DIR/ngx/access.log"
taskset -c 1 h2load --h1 -t1 -c100 --rps 200 -D 10 "$url" >/dev/null 2>&1
flush_log
pacing h2load
