#!/bin/sh
# t_script_ws.sh — tailgate.ws and tailgate.sse in scripts (tests/data/scripts/streams.lua)
# against `tailgate serve` (/ws/ticks, /sse/ticks) and hostile.py's broken WebSocket and
# SSE servers: ticks in order with their latency, echo, ping/pong, the close handshake;
# SSE ids and Last-Event-ID resumption; the synthetic header in the handshake bytes a
# server received; an off-list host never connected to; 200 VUs holding sessions under a
# bounded RSS; wss:// and https:// through nginx (TLS; an untrusted certificate is 1310);
# sessions closed when iterations end or VUs are aborted; malformed frames
# and events counted by error code, never a crash; script mistakes named. Client counts
# are compared with the server's /__stats. About 25 s.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
H="$(dirname "$0")/hostile.py"
port=$(free_port)
start_serve "$port" --tick-rate 20
export BASE_URL="http://127.0.0.1:$port"
stat() { curl -s "$BASE_URL/__stats" | python3 -c "import json,sys; j=json.load(sys.stdin); print(j$1)"; }
stat_sum() { curl -s "$BASE_URL/__stats" | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
reset() { curl -s -X POST "$BASE_URL/__stats/reset" >/dev/null; }
m() { json_get "$1" "$2"; } # m FILE EXPR on the summary export
fails() { m "$1" 'j["metrics"]["checks"]["fails"]'; }
passes() { m "$1" 'j["metrics"]["checks"]["passes"]'; }
run() { # run NAME MODE [flags...] -> $T_DIR/NAME.json, .out; sets rc
    name=$1
    shift
    mode=$1
    shift
    MODE=$mode timeout 120 "$TG_BIN" run -q "$@" --summary-export "$T_DIR/$name.json" \
        "$S/streams.lua" >"$T_DIR/$name.out" 2>&1
    rc=$?
}
show_fails() { grep -i 'fail\|✗\|error' "$T_DIR/$1.out" | head -20 >&2; }

# --- WebSocket against /ws/ticks ---------------------------------------------------------
reset
run ticks ticks
[ "$(fails "$T_DIR/ticks.json")" = 0 ] || show_fails ticks
check "ws: 2 sessions of ticks, echo, pings, close: every check passes ($(passes "$T_DIR/ticks.json") passed), thresholds hold (exit $rc)" \
    [ $rc -eq 0 -a "$(fails "$T_DIR/ticks.json")" = 0 ]
check "ws: 20 ticks read, their seq went up by exactly 1" \
    [ "$(m "$T_DIR/ticks.json" 'int(j["metrics"]["ticks_seen"]["count"])')" -eq 20 \
    -a "$(m "$T_DIR/ticks.json" 'j["metrics"].get("tick_gaps",{}).get("count",0)')" = 0 ]
check "ws: a tick latency trend from ts_us (20 samples, 0 <= p(95) < 1 s)" \
    python3 -c "import json,sys; t=json.load(open('$T_DIR/ticks.json'))['metrics']['tick_latency']; sys.exit(0 if t['min'] >= 0 and t['p(95)'] < 1000 else 1)"
c_sess=$(m "$T_DIR/ticks.json" 'int(j["metrics"]["ws_sessions"]["count"])')
c_sent=$(m "$T_DIR/ticks.json" 'int(j["metrics"]["ws_msgs_sent"]["count"])')
c_recv=$(m "$T_DIR/ticks.json" 'int(j["metrics"]["ws_msgs_received"]["count"])')
s_sess=$(stat '["ws"]["sessions_accepted"]')
s_recv=$(stat '["ws"]["msgs_received"]')
s_out=$(stat_sum 'j["ws"]["ticks_sent"] + j["ws"]["msgs_echoed"]')
check "ws: client = server: sessions $c_sess = $s_sess, sent $c_sent = $s_recv, received $c_recv = $s_out" \
    [ "$c_sess" -eq 2 -a "$c_sess" -eq "$s_sess" -a "$c_sent" -eq 4 -a "$c_sent" -eq "$s_recv" \
    -a "$c_recv" -eq "$s_out" ]
check "ws: 4 pings, each answered: ws_ping has $(m "$T_DIR/ticks.json" 'int(j["metrics"]["ws_ping"]["count"])') round trips, the server saw $(stat '["ws"]["pings_received"]')" \
    [ "$(stat '["ws"]["pings_received"]')" -eq 4 -a "$(m "$T_DIR/ticks.json" 'int(j["metrics"]["ws_ping"]["count"])')" -eq 4 ]
check "ws: both closes reached the server, no session left open" \
    [ "$(stat '["ws"]["closes_received"]')" -eq 2 -a "$(stat '["ws"]["sessions_open"]')" -eq 0 ]
check "ws: the summary lists ws_connecting and ws_session_duration" \
    sh -c "grep -q 'ws_connecting' '$T_DIR/ticks.out' && grep -q 'ws_session_duration' '$T_DIR/ticks.out'"

# --- SSE against /sse/ticks ---------------------------------------------------------------
reset
run sse sse
[ "$(fails "$T_DIR/sse.json")" = 0 ] || show_fails sse
check "sse: ids, Last-Event-ID resumption (skips old ids, replays after an older one), 404 and non-SSE answers: all checks pass ($(passes "$T_DIR/sse.json"), exit $rc)" \
    [ $rc -eq 0 -a "$(fails "$T_DIR/sse.json")" = 0 -a "$(passes "$T_DIR/sse.json")" -eq 32 ]
check "sse: client sse_sessions = server streams_accepted = 3; sse_errors 1404 and 1725 counted" \
    [ "$(m "$T_DIR/sse.json" 'int(j["metrics"]["sse_sessions"]["count"])')" -eq 3 \
    -a "$(stat '["sse"]["streams_accepted"]')" -eq 3 \
    -a "$(m "$T_DIR/sse.json" 'int(j["metrics"]["sse_errors"]["count"])')" -eq 2 ]
check "sse: the server replayed history for the resumed streams" [ "$(stat '["sse"]["ticks_replayed"]')" -ge 3 ]

# --- the synthetic header in the handshake bytes (hostile.py echoes them) ------------------
pe=$(free_port)
ps=$(free_port)
python3 "$H" "$pe" ws_echo_head &
T_PIDS="$T_PIDS $!"
python3 "$H" "$ps" sse_echo_head &
T_PIDS="$T_PIDS $!"
wait_port "$pe"
wait_port "$ps"
ECHO_WS="ws://127.0.0.1:$pe/echo" ECHO_SSE="http://127.0.0.1:$ps/echo" \
    run syn synthetic --synthetic-header 'X-Synthetic-Tenant: loadtest'
[ "$(fails "$T_DIR/syn.json")" = 0 ] || show_fails syn
check "the synthetic header is in the WebSocket handshake and the SSE request the servers received; chunked, CRLF SSE parsed ($(passes "$T_DIR/syn.json") checks, exit $rc)" \
    [ $rc -eq 0 -a "$(fails "$T_DIR/syn.json")" = 0 -a "$(passes "$T_DIR/syn.json")" -eq 9 ]

# --- the allow-list: an off-list host is never connected to -------------------------------
reset
run off offlist --allow-host "127.0.0.1:$port"
[ "$(fails "$T_DIR/off.json")" = 0 ] || show_fails off
# connections since the reset: the listed session's and the one asking for the stats
check "off the allow-list: 1710 for ws and sse, counted; only the listed session reached the server" \
    [ $rc -eq 0 -a "$(fails "$T_DIR/off.json")" = 0 \
    -a "$(m "$T_DIR/off.json" 'int(j["metrics"]["ws_errors"]["count"])')" -eq 1 \
    -a "$(m "$T_DIR/off.json" 'int(j["metrics"]["sse_errors"]["count"])')" -eq 1 \
    -a "$(stat '["connections_accepted"]')" -eq 2 -a "$(stat '["ws"]["sessions_accepted"]')" -eq 1 ]

# --- wss:// and https:// through nginx (TLS, a real proxy in front of serve) -------------
if command -v nginx >/dev/null 2>&1; then
    nd="$T_DIR/ngx"
    tls_port=$(free_port)
    mkdir -p "$nd/logs" "$nd/tmp"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$nd/key.pem" -out "$nd/cert.pem" -days 2 \
        -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1
    cat >"$nd/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $nd/nginx.pid;
error_log $nd/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $nd/tmp;
    proxy_temp_path $nd/tmp;
    fastcgi_temp_path $nd/tmp;
    uwsgi_temp_path $nd/tmp;
    scgi_temp_path $nd/tmp;
    server {
        listen 127.0.0.1:$tls_port ssl;
        ssl_certificate $nd/cert.pem;
        ssl_certificate_key $nd/key.pem;
        location /ws/ {
            proxy_pass http://127.0.0.1:$port;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection "upgrade";
        }
        location /sse/ {
            proxy_pass http://127.0.0.1:$port;
            proxy_http_version 1.1;
            proxy_buffering off;
        }
    }
}
NGX
    nginx -p "$nd" -c "$nd/nginx.conf" 2>"$nd/logs/start.log" &
    T_PIDS="$T_PIDS $!"
    wait_port "$tls_port"
    reset
    WSS_URL="wss://127.0.0.1:$tls_port/ws/ticks" HTTPS_SSE="https://127.0.0.1:$tls_port/sse/ticks" \
        run tls tls --insecure
    [ "$(fails "$T_DIR/tls.json")" = 0 ] || show_fails tls
    check "wss:// and https:// through nginx: ticks in order, echo, close 1000, SSE ids ($(passes "$T_DIR/tls.json") checks, exit $rc)" \
        [ $rc -eq 0 -a "$(fails "$T_DIR/tls.json")" = 0 -a "$(passes "$T_DIR/tls.json")" -eq 10 ]
    check "... the sessions reached serve through the proxy ($(stat '["ws"]["sessions_accepted"]') ws, $(stat '["sse"]["streams_accepted"]') sse)" \
        [ "$(stat '["ws"]["sessions_accepted"]')" -eq 1 -a "$(stat '["sse"]["streams_accepted"]')" -eq 1 ]
    EXPECT_TLS_ERROR=1 WSS_URL="wss://127.0.0.1:$tls_port/ws/ticks" run tlsv tls
    check "wss:// to an untrusted certificate without --insecure: error 1310, counted" \
        [ $rc -eq 0 -a "$(passes "$T_DIR/tlsv.json")" -eq 1 -a "$(fails "$T_DIR/tlsv.json")" -eq 0 \
        -a "$(m "$T_DIR/tlsv.json" 'int(j["metrics"]["ws_errors"]["count"])')" -eq 1 ]
else
    echo "ok - nginx is not installed: the TLS part is skipped # SKIP"
fi

# --- 200 VUs, each holding sessions, bounded RSS -------------------------------------------
reset
MODE=many timeout 120 /usr/bin/time -f '%M' -o "$T_DIR/rss" "$TG_BIN" run -q \
    --summary-export "$T_DIR/many.json" "$S/streams.lua" >"$T_DIR/many.out" 2>&1
rc=$?
rss=$(tail -1 "$T_DIR/rss")
c_sess=$(m "$T_DIR/many.json" 'int(j["metrics"]["ws_sessions"]["count"])')
sleep 0.3
check "200 VUs held $c_sess sessions (every VU at least one), no errors (exit $rc)" \
    [ $rc -eq 0 -a "$c_sess" -ge 200 ]
check "... client ws_sessions = server sessions_accepted ($(stat '["ws"]["sessions_accepted"]'))" \
    [ "$c_sess" -eq "$(stat '["ws"]["sessions_accepted"]')" ]
check "... each ended with a close frame (server closes_received $(stat '["ws"]["closes_received"]')), none left open" \
    [ "$(stat '["ws"]["closes_received"]')" -eq "$c_sess" -a "$(stat '["ws"]["sessions_open"]')" -eq 0 ]
# a session the iteration's end closes drops what is still in flight (a tick sent just
# before the server read our close): at most one tick per session at this rate
c_recv=$(m "$T_DIR/many.json" 'int(j["metrics"]["ws_msgs_received"]["count"])')
s_sent=$(stat '["ws"]["ticks_sent"]')
check "... the ticks the server sent were received: $c_recv of $s_sent (at most one in flight per session)" \
    [ "$c_recv" -le "$s_sent" -a "$c_recv" -ge $((s_sent - c_sess)) -a "$c_recv" -ge $((c_sess * 30)) ]
case "${TG_BUILD:-}" in
*san*) rss_max=786432 ;; # ASan's shadow memory and quarantine
*) rss_max=65536 ;;
esac
check "... peak RSS ${rss} KiB < $((rss_max / 1024)) MiB" [ "$rss" -lt "$rss_max" ]

# --- aborted VUs: their sessions are closed ------------------------------------------------
reset
run abort abort
sleep 0.3
check "5 VUs aborted at the end of a 1 s scenario (gracefulStop 0): exit $rc, 5 closes reached the server, none open" \
    [ $rc -eq 0 -a "$(stat '["ws"]["closes_received"]')" -eq 5 -a "$(stat '["ws"]["sessions_open"]')" -eq 0 ]

# --- hostile servers -----------------------------------------------------------------------
hostile=""
for mode in ws_bad_accept ws_masked ws_rsv ws_garbage ws_bad_utf8 ws_too_big ws_eof ws_flood \
    sse_big sse_badchunk sse_flood; do
    hp=$(free_port)
    python3 "$H" "$hp" "$mode" &
    T_PIDS="$T_PIDS $!"
    wait_port "$hp"
    hostile="$hostile $mode=$hp"
done
HOSTILE="$hostile" run hostile hostile
[ "$(fails "$T_DIR/hostile.json")" = 0 ] || show_fails hostile
check "hostile servers: malformed frames close with 1002/1007/1009, a dropped connection is 1006, each counted by error code (thresholds hold); a flood of 20,000 messages and events arrives whole and in order through the bounded queue ($(passes "$T_DIR/hostile.json") checks, exit $rc)" \
    [ $rc -eq 0 -a "$(fails "$T_DIR/hostile.json")" = 0 -a "$(passes "$T_DIR/hostile.json")" -eq 27 ]

# --- script mistakes ------------------------------------------------------------------------
run errors errors
[ "$(fails "$T_DIR/errors.json")" = 0 ] || show_fails errors
check "bad input is a Lua error naming the function and the problem ($(passes "$T_DIR/errors.json") checks)" \
    [ $rc -eq 0 -a "$(fails "$T_DIR/errors.json")" = 0 -a "$(passes "$T_DIR/errors.json")" -eq 10 ]
printf 'local ws = require "tailgate.ws"\nlocal s = ws.connect("ws://127.0.0.1:1/")\nfunction default() end\n' \
    >"$T_DIR/init.lua"
"$TG_BIN" run -q "$T_DIR/init.lua" 2>"$T_DIR/init.err"
rc=$?
check "ws.connect in the init context: exit 107 naming it" \
    sh -c "[ $rc -eq 107 ] && grep -q 'ws.connect can only be called while an iteration runs' '$T_DIR/init.err'"
