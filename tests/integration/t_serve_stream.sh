#!/bin/sh
# t_serve_stream.sh — `tailgate serve`'s stream endpoints, GET /ws/ticks (WebSocket) and
# GET /sse/ticks (SSE), driven by tests/integration/wsclient.py (python3 stdlib, no pip):
# tick rate and sequence, echo, ping/pong, the close handshake, Last-Event-ID resumption,
# handshake errors, hostile clients (close 1002/1007/1009, counted, never a crash), slow
# subscribers dropped, and --handshake-cost slowing acceptance and, in a reconnect storm,
# the fan-out for everyone. Exact counts from /__stats. Three servers on loopback; ~25 s.
. "$(dirname "$0")/lib.sh"

WS="$(dirname "$0")/wsclient.py"
ws() { # ws PORT COMMAND ARGS... -> JSON on stdout (saved as $T_DIR/last.json too)
    timeout 60 python3 "$WS" "$@" >"$T_DIR/last.json" 2>"$T_DIR/last.err"
    rc=$?
    cat "$T_DIR/last.json"
    [ $rc -eq 0 ] || sed 's/^/    wsclient: /' "$T_DIR/last.err" >&2
    return $rc
}
# jq_true FILE EXPR — the Python expression on the JSON in FILE (bound to j) is true
jq_true() {
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"
}
stats() { # stats PORT -> $T_DIR/stats-PORT.json
    curl -s "http://127.0.0.1:$1/__stats" >"$T_DIR/stats-$1.json"
}

# --- flags -------------------------------------------------------------------------------
flag_error() { # FLAG ARGS... -> exits 104 and stderr names FLAG
    flag=$1
    shift
    "$TG_BIN" serve "$@" 2>"$T_DIR/err"
    [ $? -eq 104 ] && grep -q -- "$flag" "$T_DIR/err"
}
check "--tick-rate 0 exits 104 and is named" flag_error --tick-rate --tick-rate 0
check "--tick-rate 20000 exits 104 and is named" flag_error --tick-rate --tick-rate 20000
check "--tick-rate abc exits 104 and is named" flag_error --tick-rate --tick-rate abc
check "bad --handshake-cost exits 104 and is named" flag_error --handshake-cost --handshake-cost uniform:5ms

# --- server A: default tick rate (10/s) ---------------------------------------------------
PA=$(free_port)
start_serve "$PA"
check "start line shows tick-rate and handshake-cost" \
    grep -q "tick-rate=10, handshake-cost=0)" "$T_DIR/serve-$PA.log"

ws "$PA" rate 3 >"$T_DIR/rate.json"
check "WebSocket: 30 ticks in 3 s at --tick-rate 10 (+-10%)" \
    jq_true "$T_DIR/rate.json" "27 <= j['ws_count'] <= 33"
check "SSE: 30 ticks in 3 s at --tick-rate 10 (+-10%)" \
    jq_true "$T_DIR/rate.json" "27 <= j['sse_count'] <= 33"
check "WebSocket and SSE seqs go up by exactly 1" \
    jq_true "$T_DIR/rate.json" "j['ws_contiguous'] and j['sse_contiguous']"
check "WebSocket close 1000 is answered with 1000" jq_true "$T_DIR/rate.json" "j['ws_close'] == 1000"

ws "$PA" echo >"$T_DIR/echo.json"
check "text (UTF-8) and binary messages are echoed" jq_true "$T_DIR/echo.json" "j['text'] and j['binary']"
check "a fragmented text with a ping between fragments: pong at once, then the whole echo" \
    jq_true "$T_DIR/echo.json" "j['pong_mid'] and j['fragmented']"
check "ping is answered with a pong carrying its payload" jq_true "$T_DIR/echo.json" "j['pong']"
check "close 4001 'bye' is answered with 4001 'bye', then the server closes" \
    jq_true "$T_DIR/echo.json" "j['close_code'] == 4001 and j['close_reason'] == 'bye' and j['eof']"

ws "$PA" resume >"$T_DIR/resume.json"
check "Last-Event-ID: the history replays from the next seq, nothing older, no gap" \
    jq_true "$T_DIR/resume.json" \
    "j['replay'] == list(range(j['last'] - 2, j['last'] + 6))"
check "Last-Event-ID ahead of the feed: nothing until the feed passes it" \
    jq_true "$T_DIR/resume.json" \
    "j['after_ahead'] == list(range(j['ahead'] + 1, j['ahead'] + 4))"

# Handshake errors (curl), each counted under GET /ws/ticks.
curl -s -o "$T_DIR/426.body" -D "$T_DIR/426.head" "http://127.0.0.1:$PA/ws/ticks"
check "GET /ws/ticks without Upgrade: 426 with Sec-WebSocket-Version: 13" \
    sh -c "grep -q '^HTTP/1.1 426 ' '$T_DIR/426.head' && grep -qi '^Sec-WebSocket-Version: 13' '$T_DIR/426.head'"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Upgrade: websocket' -H 'Connection: Upgrade' \
    -H 'Sec-WebSocket-Version: 8' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
    "http://127.0.0.1:$PA/ws/ticks")
check "Sec-WebSocket-Version 8: 426" [ "$code" = 426 ]
code=$(curl -s -o "$T_DIR/400.body" -w '%{http_code}' -H 'Upgrade: websocket' \
    -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: short' \
    "http://127.0.0.1:$PA/ws/ticks")
check "a bad Sec-WebSocket-Key: 400 naming it" \
    sh -c "[ '$code' = 400 ] && grep -q Sec-WebSocket-Key '$T_DIR/400.body'"
code=$(curl -s -o "$T_DIR/400b.body" -w '%{http_code}' -H 'Last-Event-ID: x1' \
    "http://127.0.0.1:$PA/sse/ticks")
check "a Last-Event-ID that is not a seq: 400 naming it" \
    sh -c "[ '$code' = 400 ] && grep -q Last-Event-ID '$T_DIR/400b.body'"
code=$(curl -s -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$PA/sse/ticks")
check "HEAD /sse/ticks: 404 (stream routes are GET only)" [ "$code" = 404 ]

# Hostile clients: each session is closed with the decoder's code; the server goes on.
hostile() { # CASE CODE
    ws "$PA" hostile "$1" >"$T_DIR/h.json" &&
        jq_true "$T_DIR/h.json" "j['code'] == $2 and j['eof']"
}
for c in unmasked rsv1 opcode3 ping_fragmented ping_too_long cont_first text_in_text \
    close_1005 close_one_byte len64_top_bit garbage; do
    check "hostile $c: close 1002, then the connection ends" hostile "$c" 1002
done
check "hostile bad_utf8: close 1007" hostile bad_utf8 1007
check "hostile too_big (9000 > 8192 bytes): close 1009" hostile too_big 1009
check "the server still answers after the hostile clients" \
    sh -c "[ \"\$(curl -s http://127.0.0.1:$PA/health)\" = '{\"status\":\"ok\"}' ]"

sleep 0.3 # the last sessions' lingering closes end
stats "$PA"
S="$T_DIR/stats-$PA.json"
check "/__stats: 15 WebSocket sessions accepted (101), none open" \
    jq_true "$S" "j['ws']['sessions_accepted'] == 15 and j['by_status']['101'] == 15 and j['ws']['sessions_open'] == 0"
check "/__stats: 18 requests to /ws/ticks (15 upgraded, two 426, one 400)" \
    jq_true "$S" "j['by_route']['GET /ws/ticks'] == 18 and j['by_status']['426'] == 2"
check "/__stats: 3 messages received and echoed, 2 pings, 2 closes" \
    jq_true "$S" "(j['ws']['msgs_received'], j['ws']['msgs_echoed'], j['ws']['pings_received'], j['ws']['closes_received']) == (3, 3, 2, 2)"
check "/__stats: 11 protocol errors, 1 invalid UTF-8, 1 too big" \
    jq_true "$S" "(j['ws']['protocol_errors'], j['ws']['invalid_utf8'], j['ws']['too_big']) == (11, 1, 1)"
check "/__stats: 5 SSE streams accepted, none open, at least 3 ticks replayed" \
    jq_true "$S" "j['sse']['streams_accepted'] == 5 and j['sse']['streams_open'] == 0 and j['sse']['ticks_replayed'] >= 3"
check "/__stats: ticks were fanned out and none dropped" \
    jq_true "$S" "j['ticks_produced'] >= 30 and j['ws']['ticks_sent'] >= 30 and j['sse']['ticks_sent'] >= 30 and j['ws']['dropped_slow'] == 0 and j['sse']['dropped_slow'] == 0"
ws "$PA" handshakes 10 >"$T_DIR/hs0.json"
stop_pid "$SERVE_PID"
check "SIGTERM prints the stream counters" grep -q '"ws":{"sessions_open":' "$T_DIR/serve-$PA.log"

# --- server B: 5000 ticks/s, slow subscribers ------------------------------------------------
PB=$(free_port)
start_serve "$PB" --tick-rate 5000
ws "$PB" slow ws 2 >"$T_DIR/slow_ws.json"
check "a WebSocket subscriber that stops reading is closed with 1008 after its backlog" \
    jq_true "$T_DIR/slow_ws.json" "j['code'] == 1008 and j['eof']"
ws "$PB" slow sse 2 >"$T_DIR/slow_sse.json"
check "an SSE subscriber that stops reading is closed" jq_true "$T_DIR/slow_sse.json" "j['eof']"
stats "$PB"
check "/__stats: one WebSocket and one SSE subscriber dropped as slow" \
    jq_true "$T_DIR/stats-$PB.json" "j['ws']['dropped_slow'] == 1 and j['sse']['dropped_slow'] == 1"
stop_pid "$SERVE_PID"

# --- server C: --handshake-cost 20ms ---------------------------------------------------------
PC=$(free_port)
start_serve "$PC" --handshake-cost 20ms
ws "$PC" handshakes 10 >"$T_DIR/hs.json"
check "without a handshake cost, a handshake takes < 5 ms (median of 10)" \
    jq_true "$T_DIR/hs0.json" "j['median_ms'] < 5"
check "--handshake-cost 20ms: every one of 10 handshakes takes >= 19 ms" \
    jq_true "$T_DIR/hs.json" "min(j['ms']) >= 19"
ws "$PC" storm 20 2 >"$T_DIR/storm.json"
check "a reconnect storm (20 clients, 20 ms each) delays every subscriber's ticks: p99 > 100 ms and > 3x before" \
    jq_true "$T_DIR/storm.json" "j['during_p99_ms'] > 100 and j['during_p99_ms'] > 3 * j['before_p99_ms']"
stats "$PC"
check "/__stats: handshake_cpu_us = 20 ms per accepted session (+5%)" \
    jq_true "$T_DIR/stats-$PC.json" \
    "20000 * j['ws']['sessions_accepted'] <= j['handshake_cpu_us'] <= 21000 * j['ws']['sessions_accepted']"
stop_pid "$SERVE_PID"
