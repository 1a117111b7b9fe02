#!/bin/sh
# The README's first command (make demo): starts the built-in target on
# loopback, runs two short load tests against it (closed model, then open
# model at a fixed rate with thresholds), shows what the server counted, and
# stops the server by PID. Everything is bounded in time.
set -eu
bin=${1:-build/release/tailgate}
# 18080, or the next free port if something already listens there
port=${TG_DEMO_PORT:-$(python3 -c '
import socket
for p in range(18080, 18180):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        print(p)
        break
    except OSError:
        pass
    finally:
        s.close()
')}
out=$(mktemp -d /tmp/tailgate-demo.XXXXXX)

"$bin" serve --listen "127.0.0.1:$port" --workers 64 --service-time lognormal:2ms:0.5 \
    --error-rate 0.002 2>"$out/serve.log" &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null; rm -rf "$out"' EXIT INT TERM
i=0
until grep -q listening "$out/serve.log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 $serve_pid 2>/dev/null; then
        cat "$out/serve.log" >&2
        exit 1
    fi
    sleep 0.05
done
url="http://127.0.0.1:$port/communities/abc/posts?limit=20"

echo "== 1. closed model: 50 connections for 5 s against the built-in target's feed"
echo "   tailgate run -c 50 -d 5s '$url'"
"$bin" run -c 50 -d 5s "$url"

echo "== 2. open model: 2,000 requests/s for 5 s, with thresholds (exit 99 if one fails)"
echo "   tailgate run -r 2000 -c 100 -d 5s --threshold 'http_req_duration: p(99)<50' \\"
echo "       --threshold 'http_req_failed: rate<0.01' --summary-export $out/summary.json '$url'"
rc=0
"$bin" run -r 2000 -c 100 -d 5s --threshold 'http_req_duration: p(99)<50' \
    --threshold 'http_req_failed: rate<0.01' --summary-export "$out/summary.json" "$url" || rc=$?
echo "   exit code: $rc"

echo "== 3. what the server counted"
curl -s "http://127.0.0.1:$port/__stats"
echo
exit $rc
