# The production rails on scripts: --synthetic-header on every request (setup,
# iterations, redirect hops, batches, teardown), --allow-host (an off-list host is
# never sent to; strict aborts), --max-rps (5x the cap asked stays within 1 %).
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
port=$(free_port)
start_serve "$port"
export BASE_URL="http://127.0.0.1:$port"
stat() { curl -s "$BASE_URL/__stats" | python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
reset() { curl -s -X POST "$BASE_URL/__stats/reset" >/dev/null; }

reset
"$TG_BIN" run -q --no-summary -e RAIL=synthetic --synthetic-header 'x-synthetic-tenant: true' \
    --summary-export "$T_DIR/syn.json" "$S/rails.lua" 2>"$T_DIR/syn.err"
rc=$?
seen=$(json_get "$T_DIR/syn.json" 'int(j["metrics"]["synthetic_seen"]["count"])')
check "the synthetic header reached every request of 2 iterations: plain, redirect, batch ($seen of 8, exit $rc)" \
    [ $rc -eq 0 -a "$seen" -eq 8 ]
check "... and setup's and teardown's ($(stat '["by_status"].get("211",0)') / $(stat '["by_status"].get("214",0)'))" \
    [ "$(stat '["by_status"].get("211",0)')" -eq 1 -a "$(stat '["by_status"].get("214",0)')" -eq 1 ]

reset
"$TG_BIN" run -q --no-summary -e RAIL=allow --allow-host "127.0.0.1:$port" \
    --summary-export "$T_DIR/al.json" "$S/rails.lua" 2>/dev/null
rc=$?
c=$(json_get "$T_DIR/al.json" '"%d/%d" % (j["metrics"]["checks"]["passes"], j["metrics"]["checks"]["fails"])')
check "an off-list host: never sent (the target saw $(stat '["requests"]') = 2 listed requests), error 1710 ($c)" \
    [ $rc -eq 0 -a "$(stat '["requests"]')" -eq 2 -a "$c" = "2/0" ]
reset
"$TG_BIN" run -q --no-summary -e RAIL=allow --allow-host "127.0.0.1:$port" --allow-host-strict \
    "$S/rails.lua" 2>"$T_DIR/als.err"
rc=$?
check "--allow-host-strict aborts on the off-list host (exit $rc, $(stat '["by_status"].get("213",0)') sent)" \
    sh -c "[ $rc -eq 108 ] && [ $(stat '["by_status"].get("213",0)') -eq 0 ] && grep -q 'localhost:$port is not on the --allow-host list' '$T_DIR/als.err'"

reset
"$TG_BIN" run -q -t 2 -e RAIL=cap --max-rps 250 "$S/rails.lua" >"$T_DIR/cap.txt" 2>&1
n=$(stat '["requests"]')
# the 20 iterations waiting for a permit at the end finish in the graceful stop, at the
# cap's pace: up to 1,000 + 20
check "--max-rps 250 on 20 VUs that could do far more: the target saw $n of 1,000 (+1 %, +20 finishing)" \
    [ "$n" -ge 990 -a "$n" -le 1030 ]
check "the summary says the cap was hit" grep -q "rate cap: --max-rps 250 was hit" "$T_DIR/cap.txt"

reset
"$TG_BIN" run -q --no-summary "$S/rails_options.lua" 2>"$T_DIR/opt.err"
rc=$?
check "the rails as options (syntheticHeader, allowHosts, maxRPS): checks pass, exit $rc, $(stat '["requests"]') sent" \
    [ $rc -eq 0 -a "$(stat '["requests"]')" -eq 2 ]
printf 'options = { syntheticHeader = "no colon here" }\nfunction default() end\n' >"$T_DIR/bad.lua"
"$TG_BIN" run -q --no-summary "$T_DIR/bad.lua" 2>"$T_DIR/bad.err"
rc=$?
check "a malformed syntheticHeader exits 104 naming the option" \
    sh -c "[ $rc -eq 104 ] && grep -q 'options.syntheticHeader: expected' '$T_DIR/bad.err'"

reset
"$TG_BIN" run -q --no-summary -e RAIL=batch --max-rps 1000 "$S/rails.lua" 2>/dev/null
conns=$(stat '["connections_accepted"]')
check "a batch under --max-rps still keeps 6 requests per origin ($conns connections)" [ "$conns" -le 7 ]

reset
"$TG_BIN" run -q --no-summary -t 1 -e RAIL=lookup "$S/rails.lua" 2>"$T_DIR/lookup.err"
rc=$?
check "200 VUs waiting on one name lookup all get through (exit $rc, $(stat '["requests"]') requests)" \
    sh -c "[ $rc -eq 0 ] && [ $(stat '["requests"]') -eq 200 ] && ! grep -q 'iteration failed' '$T_DIR/lookup.err'"
