# tailgate run with data files, scenario tags and env, and the vus gauges, against
# tailgate serve: a CSV drives exactly the requests the server counts, shared data is
# read-only, scenario tags and options.tags reach every sample (and thresholds on them),
# each scenario's env reaches only its VUs, and vus / vus_max add up the threads' VUs.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
port=$(free_port)
start_serve "$port"
export BASE_URL="http://127.0.0.1:$port"
stats() { curl -s "$BASE_URL/__stats"; }
reset() { curl -s -X POST "$BASE_URL/__stats/reset" >/dev/null; }

# Data files, on two threads (each loads its own copy).
reset
"$TG_BIN" run -q --no-summary -t 2 --summary-export "$T_DIR/data.json" "$S/data.lua" \
    2>"$T_DIR/data.err"
rc=$?
check "data.lua passes its checks (exit $rc)" [ $rc -eq 0 ]
st=$(stats | python3 -c 'import json,sys; j=json.load(sys.stdin); b=j["by_status"]; r=j["by_route"]
print(b.get("202"), b.get("203"), b.get("206"), r["GET /status/:code"], r["GET /communities/:id/posts"], r["POST /communities/:id/posts"])')
check "the 3-row CSV drove exactly 3 requests, one per row's status; JSON and text files too: $st" \
    [ "$st" = "1 1 1 3 1 1" ]
checks=$(json_get "$T_DIR/data.json" '"%d %d" % (j["metrics"]["checks"]["passes"], j["metrics"]["checks"]["fails"])')
check "checks on the CSV, JSON values all pass: $checks" [ "$checks" = "6 0" ]
errs=$(json_get "$T_DIR/data.json" 'int(j["metrics"]["iteration_errors"]["count"])')
check "each write to shared data fails its iteration ($errs of 2)" [ "$errs" -eq 2 ]
check "the write's error names the script line and says read-only" \
    grep -q 'iteration failed 2 times: .*data.lua:39: shared data is read-only: cannot set "code"' \
    "$T_DIR/data.err"

"$TG_BIN" run -q --no-summary "$S/bad_csv.lua" 2>"$T_DIR/bad.err"
rc=$?
check "a malformed CSV stops the run with exit 107 ($rc), naming file:line" sh -c \
    "[ $rc -eq 107 ] && grep -q 'tailgate.csv: .*data/ragged.csv:3: this record has more fields than the first one' '$T_DIR/bad.err'"

# Scenario tags, options.tags and env: -e CODE=203 is the process-wide value; core and
# edge override it with their env, so the server sees 201 x3, 202 x2 and 203 x1.
reset
"$TG_BIN" run -q --no-summary -t 2 -e CODE=203 --summary-export "$T_DIR/tags.json" \
    --result "$T_DIR/tags_res.json" "$S/scenario_tags.lua" 2>"$T_DIR/tags.err"
rc=$?
check "scenario_tags.lua: its thresholds on tag submetrics pass (exit $rc)" [ $rc -eq 0 ]
st=$(stats | python3 -c 'import json,sys; b=json.load(sys.stdin)["by_status"]; print(b.get("201"), b.get("202"), b.get("203"))')
check "each scenario's env reached only its VUs (server statuses 201/202/203: $st)" \
    [ "$st" = "3 2 1" ]
sub=$(python3 - "$T_DIR/tags.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
print(int(m["http_reqs{team:core}"]["count"]), int(m["http_reqs{team:platform}"]["count"]),
      int(m["iterations{run:nightly}"]["count"]), int(m["hits{team:core}"]["count"]),
      m["checks{team:platform}"]["passes"], m["checks"]["passes"], m["checks"]["fails"])
PY
)
check "submetrics on scenario and test-wide tags in --summary-export: $sub" [ "$sub" = "3 3 6 3 3 6 0" ]
tags=$(python3 - "$T_DIR/tags_res.json" <<'PY'
import json, sys
series = json.load(open(sys.argv[1]))["series"]
bad = []
seen = set()
for s in series:
    t = s["tags"]
    if s["metric"] in ("vus", "vus_max"):
        if t != {"team": "platform", "run": "nightly", "scenario": "not-a-scenario"}:
            bad.append("vus tags %s" % t)
        continue
    seen.add(s["metric"])
    want = {"core": "core", "edge": "platform", "plain": "platform"}.get(t.get("scenario"))
    if want is None or t.get("team") != want or t.get("run") != "nightly":
        bad.append("%s %s" % (s["metric"], t))
    if s["metric"] == "http_reqs" and not t["name"].startswith("http://"):
        bad.append("name replaced %s" % t)
    if s["metric"] == "iterations" and t["scenario"] == "core" and t.get("name") != "not-a-url":
        bad.append("core iterations %s" % t)
need = {"http_reqs", "http_req_duration", "data_sent", "iterations", "iteration_duration",
        "checks", "hits", "group_duration"}
print("ok" if not bad and need <= seen else "bad: %s missing: %s" % (bad, need - seen))
PY
)
check "every series carries its scenario's tags and options.tags, built-in tags intact: $tags" \
    [ "$tags" = ok ]

# vus / vus_max: sampled every second, the sum of both threads' VUs.
"$TG_BIN" run -q --no-summary -t 2 --summary-export "$T_DIR/vus.json" --result "$T_DIR/vus_res.json" \
    "$S/vus.lua"
v=$(python3 - "$T_DIR/vus.json" "$T_DIR/vus_res.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
n = [s["count"] for s in json.load(open(sys.argv[2]))["series"] if s["metric"] == "vus"]
print(int(m["vus"]["max"]), int(m["vus_max"]["min"]), int(m["vus_max"]["max"]), n[0] >= 3)
PY
)
check "ramping-vus to 6 next to 3 pre-allocated VUs (-t 2): vus max, vus_max min/max, samples: $v" \
    [ "$v" = "9 9 9 True" ]
"$TG_BIN" run -q --no-summary -t 2 --summary-export "$T_DIR/cvus.json" "$S/basic.lua"
v=$(json_get "$T_DIR/cvus.json" '"%d %d %d" % (j["metrics"]["vus"]["min"], j["metrics"]["vus"]["max"], j["metrics"]["vus_max"]["value"])')
check "constant 4 VUs on 2 threads: vus min/max and vus_max are 4, not one thread's 2: $v" \
    [ "$v" = "4 4 4" ]
