# tailgate run SCRIPT.lua against tailgate serve: k6-shaped scripts, exact iteration
# counts per executor, thresholds on custom metrics, and script/option errors.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
port=$(free_port)
start_serve "$port"
export BASE_URL="http://127.0.0.1:$port"
served() { curl -s "$BASE_URL/__stats" | python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

"$TG_BIN" run -q --summary-export "$T_DIR/basic.json" "$S/basic.lua" >"$T_DIR/basic.txt" 2>&1
rc=$?
check "basic script passes its thresholds (exit $rc)" [ $rc -eq 0 ]
reqs=$(json_get "$T_DIR/basic.json" 'int(j["metrics"]["http_reqs"]["count"])')
srv=$(served '["responses"]')
check "script requests counted $reqs = served $srv" [ "$reqs" -eq "$srv" -a "$reqs" -gt 50 ]
checks=$(json_get "$T_DIR/basic.json" 'j["metrics"]["checks"]["passes"]')
check "checks counted per predicate ($checks = 2 x $reqs)" [ "$checks" -eq $((2 * reqs)) ]
sub=$(json_get "$T_DIR/basic.json" '"api_latency_ms{endpoint:feed}" in j["metrics"]')
check "custom Trend submetric exported" [ "$sub" = True ]
check "summary names the script" grep -q "tailgate .*basic.lua  .* 4 VUs" "$T_DIR/basic.txt"

before=$(served '["by_route"]["POST /communities/:id/posts"]')
"$TG_BIN" run -q --no-summary --result "$T_DIR/it.json" "$S/iterations.lua"
rc=$?
n=$(python3 - "$T_DIR/it.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
c = {}
for s in j["series"]:
    if s["metric"] == "iterations":
        c[s["tags"]["scenario"]] = c.get(s["tags"]["scenario"], 0) + int(s["sum"])
print(c.get("each", 0), c.get("pool", 0))
PY
)
check "per-vu-iterations 3x4 and shared-iterations 7: iterations $n (exit $rc)" [ "$n" = "12 7" -a $rc -eq 0 ]
after=$(served '["by_route"]["POST /communities/:id/posts"]')
check "the shared scenario POSTed 7 times ($((after - before)))" [ $((after - before)) -eq 7 ]

"$TG_BIN" run -q --no-summary -u 3 -i 10 --summary-export "$T_DIR/ov.json" "$S/iterations.lua"
n=$(json_get "$T_DIR/ov.json" 'int(j["metrics"]["iterations"]["count"])')
check "-u 3 -i 10 replace the scenarios: $n iterations" [ "$n" -eq 10 ]

"$TG_BIN" run -q --no-summary "$S/broken_syntax.lua" 2>"$T_DIR/syn.err"
rc=$?
check "syntax error exits 107 naming file:line ($(head -c 120 "$T_DIR/syn.err"))" \
    sh -c "[ $rc -eq 107 ] && grep -q 'broken_syntax.lua:1:' '$T_DIR/syn.err'"

"$TG_BIN" run -q --no-summary --summary-export "$T_DIR/ie.json" "$S/iteration_error.lua" \
    2>"$T_DIR/ie.err"
rc=$?
errs=$(json_get "$T_DIR/ie.json" 'int(j["metrics"]["iteration_errors"]["count"])')
check "iteration errors are counted ($errs of 6), the run goes on (exit $rc)" [ "$errs" -eq 4 -a $rc -eq 0 ]
check "each distinct error is reported once with its count" \
    grep -q "iteration failed 4 times: .*iteration_error.lua:5: odd failure" "$T_DIR/ie.err"

"$TG_BIN" run -q --no-summary "$S/bad_option.lua" 2>"$T_DIR/bo.err"
rc=$?
check "bad option exits 104 naming its path" sh -c "[ $rc -eq 104 ] && grep -q 'options.scenarios.soak.stages\[2\].target: expected a number, got string' '$T_DIR/bo.err'"

"$TG_BIN" run -q --no-summary "$S/custom_threshold_fails.lua" 2>/dev/null
check "a failing threshold on a custom metric exits 99" [ $? -eq 99 ]

"$TG_BIN" run -q --no-summary -r 10 "$S/basic.lua" 2>"$T_DIR/r.err"
rc=$?
check "URL-only flags are refused for scripts (exit $rc)" sh -c "[ $rc -eq 104 ] && grep -q -- '--rate: not used with a script' '$T_DIR/r.err'"

"$TG_BIN" run -q --no-summary --threshold 'nosuch: count<1' "$S/iterations.lua" 2>"$T_DIR/th.err"
check "a threshold on an unknown metric exits 104" [ $? -eq 104 ]

# Shared iterations follow the VUs: exact whatever the number of threads.
for t in 1 3 7; do
    "$TG_BIN" run -q --no-summary -t $t -u 3 -i 10 --summary-export "$T_DIR/t$t.json" \
        "$S/iterations.lua"
    n=$(json_get "$T_DIR/t$t.json" 'int(j["metrics"]["iterations"]["count"])')
    check "-t $t -u 3 -i 10: exactly $n iterations" [ "$n" -eq 10 ]
done

# ramping-vus follows its stages: about 12 VU-seconds of 100 ms iterations.
for t in 1 2; do
    "$TG_BIN" run -q --no-summary -t $t --summary-export "$T_DIR/ramp$t.json" "$S/ramping.lua"
    n=$(json_get "$T_DIR/ramp$t.json" 'int(j["metrics"]["iterations"]["count"])')
    vmax=$(json_get "$T_DIR/ramp$t.json" 'int(j["metrics"]["vus_max"]["value"])')
    check "ramping-vus (-t $t): $n iterations (~120) with $vmax VUs at most" \
        [ "$n" -ge 90 -a "$n" -le 125 -a "$vmax" -eq 6 ]
done

# Arrival-rate executors: exact iteration counts; arrivals without a free VU are dropped,
# never lost (iterations + dropped = arrivals).
for t in 1 2; do
    "$TG_BIN" run -q --no-summary -t $t --result "$T_DIR/arr$t.json" "$S/arrivals.lua"
    counts=$(python3 - "$T_DIR/arr$t.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
c = {}
for s in j["series"]:
    if s["metric"] in ("iterations", "dropped_iterations"):
        k = (s["metric"], s["tags"]["scenario"])
        c[k] = c.get(k, 0) + int(s["sum"])
it = lambda n: c.get(("iterations", n), 0)
dr = lambda n: c.get(("dropped_iterations", n), 0)
print(it("steady"), dr("steady"), it("starved") + dr("starved"), dr("starved") > 100, it("ramp"))
PY
)
    check "arrival rates (-t $t): steady 100/0, starved 200 arrivals mostly dropped, ramp 100: $counts" \
        [ "$counts" = "100 0 200 True 100" ]
done

# The shape executor: closed (users with a spawn rate; ~8 VU-seconds of 100 ms iterations)
# and open (50 iterations/s for 2 s).
for t in 1 2; do
    "$TG_BIN" run -q --no-summary -t $t --result "$T_DIR/shape$t.json" "$S/shapes.lua"
    c=$(python3 - "$T_DIR/shape$t.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
c = {}
for s in j["series"]:
    if s["metric"] == "iterations":
        c[s["tags"]["scenario"]] = c.get(s["tags"]["scenario"], 0) + int(s["sum"])
print(c.get("closed", 0), c.get("open", 0))
PY
)
    closed=${c% *}
    open=${c#* }
    check "shape (-t $t): closed $closed (~80), open $open (~100)" \
        [ "$closed" -ge 65 -a "$closed" -le 85 -a "$open" -ge 95 -a "$open" -le 101 ]
done


"$TG_BIN" run -q --summary-export "$T_DIR/groups.json" "$S/groups.lua" >"$T_DIR/groups.txt" 2>&1
tree=$(python3 - "$T_DIR/groups.json" <<'PY'
import hashlib, json, sys
g = json.load(open(sys.argv[1]))["root_group"]
out = []
def walk(n):
    assert n["id"] == hashlib.md5(n["path"].encode()).hexdigest(), n["path"]
    for c in sorted(n["checks"].values(), key=lambda c: c["path"]):
        assert c["id"] == hashlib.md5(c["path"].encode()).hexdigest(), c["path"]
        out.append(f'{c["path"]}={c["passes"]}/{c["fails"]}')
    for k in sorted(n["groups"]):
        out.append(n["groups"][k]["path"])
        walk(n["groups"][k])
walk(g)
print(" ".join(out))
PY
)
check "the export's root_group holds the groups and checks the script ran ($tree)" \
    [ "$tree" = "::top=10/0 ::browse ::browse::is one=10/0 ::browse::odd iter=4/6 ::browse::inner ::browse::inner::deep=10/0 ::empty" ]
check "the summary lists checks by group, with a failing check's share" \
    sh -c "grep -q '█ browse' '$T_DIR/groups.txt' && grep -q '✗ odd iter' '$T_DIR/groups.txt' && grep -q '↳  40% — ✓ 4 / ✗ 6' '$T_DIR/groups.txt'"

"$TG_BIN" run -q --no-summary --summary-export "$T_DIR/shl.json" "$S/shapes_lib.lua"
v=$(json_get "$T_DIR/shl.json" '"%d %d %d" % (j["metrics"]["vus"]["min"], j["metrics"]["vus"]["max"], j["metrics"]["vus_max"]["max"])')
check "tailgate.shapes.spike in ramping-vus: vus from 2 up to 10 ($v)" [ "$v" = "2 10 10" ]
