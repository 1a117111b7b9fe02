#!/bin/sh
# Memory per virtual user: tailgate with VUS (default 10,000) VUs, each with its own
# keep-alive connection, requesting once a second for DURATION seconds, beside
# Locust (FastHttpUser, Debian's python3-locust) with LUSERS (default 1,000) users
# doing the same. Peak RSS of the whole process (GNU time %M), per VU, and the
# requests each made (so a generator that cannot keep up is visible).
# Usage: bench/vu_memory.sh [DURATION=30] [VUS=10000] [LUSERS=1000]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
D=${1:-30}
VUS=${2:-10000}
LUSERS=${3:-1000}
port=18486
start_nginx $port
url="http://127.0.0.1:$port"
ulimit -n "$(ulimit -Hn)"
cat >"$B_DIR/idle.lua" <<LUA
local http = require "tailgate.http"
local tg = require "tailgate"
options = { vus = tonumber(tg.env.VUS), duration = "${D}s" }
function default() http.get("$url/") tg.sleep(1) end
LUA
tg_rss() { # VUS -> "rss_kib requests"
    VUS=$1 /usr/bin/time -f '%M' -o "$B_DIR/rss" taskset -c 1 "$TG" run -q --no-summary -t 1 \
        --summary-export "$B_DIR/s.json" "$B_DIR/idle.lua" >/dev/null 2>&1 || true
    echo "$(cat "$B_DIR/rss") $(python3 -c "import json;print(int(json.load(open('$B_DIR/s.json'))['metrics']['http_reqs']['count']))")"
}
set -- $(tg_rss 1)
base=$1
set -- $(tg_rss "$VUS")
rss=$1
reqs=$2
echo "== tailgate: $VUS VUs, each a keep-alive connection, 1 request/s, ${D}s"
echo "   peak RSS $((rss / 1024)) MiB = $((rss / VUS)) KiB per VU;" \
    "$(((rss - base) / (VUS - 1))) KiB per VU above a 1-VU run ($((base / 1024)) MiB);" \
    "$reqs requests ($((reqs / D))/s)"
if command -v locust >/dev/null 2>&1; then
    cat >"$B_DIR/locustfile.py" <<PY
from locust import FastHttpUser, task, constant
class U(FastHttpUser):
    wait_time = constant(1)
    @task
    def get(self):
        self.client.get("/")
PY
    /usr/bin/time -f '%M' -o "$B_DIR/lrss" taskset -c 1 locust -f "$B_DIR/locustfile.py" \
        --headless -u "$LUSERS" -r "$LUSERS" -t "${D}s" -H "$url" --only-summary \
        --csv "$B_DIR/l" >"$B_DIR/lout" 2>&1 || true
    lrss=$(cat "$B_DIR/lrss")
    lreqs=$(awk -F, '$2=="Aggregated" {print $3}' "$B_DIR/l_stats.csv")
    echo "== locust (FastHttpUser): $LUSERS users, 1 request/s, ${D}s"
    echo "   peak RSS $((lrss / 1024)) MiB = $((lrss / LUSERS)) KiB per user; $lreqs requests"
    echo "== ratio: tailgate's KiB per VU / locust's KiB per user =" \
        "$(echo "scale=3; ($rss / $VUS) / ($lrss / $LUSERS)" | bc)"
else
    echo "== locust not installed (scripts/deps.sh bench installs python3-locust)"
fi
