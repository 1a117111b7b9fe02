#!/bin/sh
# Side-by-side benchmark of HTTP/1.1 load generators against one nginx worker, as
# ../shared/BENCHMARKING.md describes: nginx pinned to CPU 0, the generator to CPU 1,
# 50 keep-alive connections, DURATION seconds, REPS repetitions interleaved (A B C A B C),
# median reported. CPU µs per request = (user + sys) / requests the tool reports.
# Usage: bench/closed_model.sh [DURATION=10] [REPS=3]     (needs: scripts/deps.sh bench)
set -eu
cd "$(dirname "$0")/.."
DURATION=${1:-10}
REPS=${2:-3}
. bench/lib.sh
out=$B_DIR
port=18481
start_nginx $port
url="http://127.0.0.1:$port/"

# run NAME CMD... -> appends "NAME reqs cpu_s rss_kib" to $out/results
run() {
    name=$1
    shift
    /usr/bin/time -f '%U %S %M' -o "$out/time" taskset -c 1 "$@" >"$out/stdout" 2>&1 || true
    case "$name" in
    tailgate*) reqs=$(python3 -c "import json;print(int(json.load(open('$out/s.json'))['metrics']['http_reqs']['count']))") ;;
    wrk) reqs=$(awk '/requests in/ {print $1}' "$out/stdout") ;;
    h2load) reqs=$(awk '/^requests:/ {print $8}' "$out/stdout") ;;
    hey) reqs=$(awk '/\[200\]/ {print $2}' "$out/stdout") ;;
    esac
    read -r u s m <"$out/time"
    echo "$name ${reqs:-0} $(echo "$u + $s" | bc) $m" >>"$out/results"
}

for i in $(seq "$REPS"); do
    run tailgate "$TG" run -q --no-summary -t 1 -c 50 -d "${DURATION}s" --summary-export "$out/s.json" "$url"
    run wrk wrk -t1 -c50 -d"${DURATION}s" "$url"
    command -v h2load >/dev/null && run h2load h2load --h1 -c50 -t1 -D "$DURATION" "$url"
    command -v hey >/dev/null && run hey hey -c 50 -z "${DURATION}s" "$url"
done

echo "== closed model, 50 connections, ${DURATION}s, median of $REPS (generator on 1 core)"
python3 - "$out/results" "$DURATION" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, reqs, cpu, rss = line.split()
    rows.setdefault(name, []).append((int(reqs), float(cpu), int(rss)))
dur = float(sys.argv[2])
med = {}
for name, rs in rows.items():
    rps = statistics.median(r[0] / dur for r in rs)
    us = statistics.median(r[1] * 1e6 / r[0] for r in rs if r[0])
    rss = statistics.median(r[2] for r in rs)
    med[name] = (rps, us, rss)
w = med.get("wrk")
print(f"{'tool':10} {'req/s':>10} {'CPU us/req':>11} {'RSS MiB':>8} {'req/s vs wrk':>13} {'CPU vs wrk':>11}")
for name, (rps, us, rss) in med.items():
    r1 = f"{rps / w[0]:.2f}x" if w else "-"
    r2 = f"{us / w[1]:.2f}x" if w else "-"
    print(f"{name:10} {rps:10.0f} {us:11.2f} {rss / 1024:8.1f} {r1:>13} {r2:>11}")
PY
