# Methods, bodies and response framings against tailgate serve: POST with --body and
# --body-file, HEAD (no body), chunked and large responses, custom headers.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
start_serve "$port"
base="http://127.0.0.1:$port"
stat_of() { curl -s "$base/__stats" | python3 -c "import json,sys; print($1)"; }

printf '{"title":"from a file","body":"x"}' >"$T_DIR/post.json"
"$TG_BIN" run -q --no-summary -c 2 -n 50 -H 'Content-Type: application/json' \
    --body-file "$T_DIR/post.json" --result "$T_DIR/post.result.json" "$base/communities/abc/posts"
codes=$(json_get "$T_DIR/post.result.json" \
    'sorted(set((s["tags"]["method"], s["tags"]["status"]) for s in j["series"] if s["metric"]=="http_reqs"))')
check "--body-file POSTs (method defaults to POST) and gets 201: $codes" [ "$codes" = "[('POST', '201')]" ]
posts=$(stat_of 'json.load(sys.stdin)["by_route"]["POST /communities/:id/posts"]')
check "the server received 50 POSTs ($posts)" [ "$posts" -eq 50 ]

"$TG_BIN" run -q --no-summary -c 2 -n 20 -m PUT --body 'x' --summary-export "$T_DIR/put.json" \
    "$base/communities/abc/posts"
fails=$(json_get "$T_DIR/put.json" 'j["metrics"]["http_req_failed"]["passes"]')
check "PUT to a GET/POST route is counted as failed (404/405): $fails of 20" [ "$fails" -eq 20 ]

"$TG_BIN" run -q --no-summary -c 2 -n 100 -m HEAD --summary-export "$T_DIR/head.json" \
    "$base/bytes/100000"
fails=$(json_get "$T_DIR/head.json" 'j["metrics"]["http_req_failed"]["passes"]')
rx=$(json_get "$T_DIR/head.json" 'int(j["metrics"]["data_received"]["count"])')
check "HEAD: no body read (100 responses, $rx bytes, $fails failed)" [ "$fails" -eq 0 -a "$rx" -lt 50000 ]

"$TG_BIN" run -q --no-summary -c 2 -n 100 --summary-export "$T_DIR/ch.json" "$base/chunked/20"
fails=$(json_get "$T_DIR/ch.json" 'j["metrics"]["http_req_failed"]["passes"]')
check "chunked responses (20 chunks each): $fails of 100 failed" [ "$fails" -eq 0 ]

"$TG_BIN" run -q --no-summary -c 2 -n 20 --summary-export "$T_DIR/big.json" "$base/bytes/1000000"
rx=$(json_get "$T_DIR/big.json" 'int(j["metrics"]["data_received"]["count"])')
fails=$(json_get "$T_DIR/big.json" 'j["metrics"]["http_req_failed"]["passes"]')
check "1 MB bodies received whole ($rx bytes, $fails failed)" [ "$rx" -ge 20000000 -a "$fails" -eq 0 ]

"$TG_BIN" run -q --no-summary -c 1 -n 5 --max-body 1000 --result "$T_DIR/lim.json" "$base/bytes/1000000"
n=$(json_get "$T_DIR/lim.json" \
    'int(sum(s["sum"] for s in j["series"] if s["metric"]=="http_reqs" and s["tags"].get("error_code")=="1703"))')
check "--max-body 1000: 1 MB bodies counted as body_too_large ($n of 5)" [ "$n" -eq 5 ]

# --resolve: a name pinned to addresses; the first refuses (serve listens on 127.0.0.1
# only), the next one is tried and then preferred, as for a localhost that resolves to ::1 first.
"$TG_BIN" run -q --no-summary -c 4 -n 200 --resolve "api.test:$port:[::1],127.0.0.1" \
    --summary-export "$T_DIR/res.json" "http://api.test:$port/"
fails=$(json_get "$T_DIR/res.json" 'j["metrics"]["http_req_failed"]["passes"]')
check "--resolve with a refusing first address falls back: $fails of 200 failed" [ "$fails" -eq 0 ]
