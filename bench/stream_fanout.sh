#!/bin/sh
# Tick fan-out of `tailgate serve` at N subscribers: the server's CPU per tick and per
# delivery (one tick to one subscriber), and the tick latency (receive time - the tick's
# due time) of the first and the last subscriber in fan-out order, for WebSocket and SSE.
# The server is pinned to CPU 0, the python subscribers (bench/fanout_client.py) to CPU 1;
# the window starts once every subscriber has received a tick.
# Usage: bench/stream_fanout.sh [SUBSCRIBERS=2000] [TICK_RATE=10] [SECONDS=10]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-2000}
RATE=${2:-10}
SECS=${3:-10}
port=18585
ulimit -n 20000 2>/dev/null || true
for kind in ws sse; do
    taskset -c 0 "$TG" serve --listen "127.0.0.1:$port" --tick-rate "$RATE" 2>"$B_DIR/serve.log" &
    pid=$!
    B_PIDS="$B_PIDS $pid"
    sleep 0.3
    taskset -c 1 python3 bench/fanout_client.py "$port" "$pid" "$kind" "$N" "$SECS"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    B_PIDS="" # stopped here: lib.sh's exit trap (under set -e) must not meet a reaped pid
done
