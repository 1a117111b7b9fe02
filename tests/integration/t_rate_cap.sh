# --max-rps: a hard ceiling across threads. Asking for 5x the cap (open model) or
# running a closed model that could go far faster stays within 1 % of the cap as the
# target counts it; the summary says the cap was hit.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
start_serve "$port"
base="http://127.0.0.1:$port"
served() { curl -s "$base/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
reset() { curl -s -X POST "$base/__stats/reset" >/dev/null; }

reset
"$TG_BIN" run -q -t 2 -c 40 -r 2500 -d 4s --max-rps 500 "$base/" >"$T_DIR/open.txt" 2>&1
rc=$?
n=$(served)
check "open model at 5x the cap: the target saw $n of 2,000 (+-1 %), exit $rc" \
    [ $rc -eq 0 -a "$n" -ge 1980 -a "$n" -le 2020 ]
check "the summary says the cap was hit" grep -q "rate cap: --max-rps 500 was hit" "$T_DIR/open.txt"

reset
"$TG_BIN" run -q -t 2 -c 20 -d 4s --max-rps 300 --summary-export "$T_DIR/c.json" "$base/" >/dev/null 2>&1
n=$(served)
check "closed model, 20 connections, cap 300/s: the target saw $n of 1,200 (+-1 %)" \
    [ "$n" -ge 1188 -a "$n" -le 1212 ]
capped=$(json_get "$T_DIR/c.json" 'int(j["metrics"]["rate_capped"]["count"])')
check "requests held back are counted in rate_capped ($capped)" [ "$capped" -gt 0 ]

reset
"$TG_BIN" run -q -c 2 -n 50 --max-rps 100000 "$base/" >"$T_DIR/low.txt" 2>&1
check "a cap never reached says so ($(served) requests)" \
    sh -c "[ $(served) -eq 50 ] && grep -q 'rate cap: --max-rps 100000 was never reached' '$T_DIR/low.txt'"

"$TG_BIN" run -q -c 2 -n 5 --max-rps 0 "$base/" 2>"$T_DIR/bad.err" >/dev/null
rc=$?
check "--max-rps 0 exits 104 naming the flag" sh -c "[ $rc -eq 104 ] && grep -q -- '--max-rps' '$T_DIR/bad.err'"

"$TG_BIN" run -q --no-summary -t 1 -c 200 -r 2000 -d 2s --max-rps 500 \
    --summary-export "$T_DIR/drop.json" "$base/delay/1" 2>/dev/null
sum=$(json_get "$T_DIR/drop.json" 'int(j["metrics"]["iterations"]["count"] + j["metrics"]["dropped_iterations"]["count"])')
check "every arrival is sent or counted dropped, also those waiting for a permit at the end ($sum of 4,000)" \
    [ "$sum" -ge 3999 -a "$sum" -le 4001 ]
