# tailgate.http beyond single requests: redirects, the cookie jar, expected statuses,
# http.client and http.batch, against tailgate serve (exact /__stats counts), nginx and a
# hostile server. The scripts check the responses themselves (tg.check); this file
# checks that every check passed and that client and server counts agree.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
p1=$(free_port)
start_serve "$p1"
p2=$(free_port) # asked for once the first one listens: free_port may give a port twice
start_serve "$p2"
B="http://127.0.0.1:$p1"
B2="http://localhost:$p2"
B3="http://127.0.0.1:$p2"

stats() { curl -s "$1/__stats" >"$T_DIR/stats.json" && json_get "$T_DIR/stats.json" "$2"; }
reset() { curl -s -X POST "$B/__stats/reset" >/dev/null && curl -s -X POST "$B3/__stats/reset" >/dev/null; }

# checks RESULT -> "PASSED/TOTAL failing-names" from the checks series of a result file
checks() {
    python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
n = ok = 0
bad = []
for s in j["series"]:
    if s["metric"] == "checks":
        n += s["count"]
        ok += s["nonzero"]
        if s["nonzero"] < s["count"]:
            bad.append(s["tags"]["check"])
print("%d/%d %s" % (ok, n, ";".join(sorted(bad)) or "-"))
PY
}
# series RESULT METRIC PYTHON-PREDICATE-ON-t -> sum of the count of the matching series
series() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
f = eval("lambda t: " + sys.argv[3])
print(int(sum(s["count"] for s in j["series"] if s["metric"] == sys.argv[2] and f(s["tags"]))))
PY
}
run() { # run NAME SCRIPT [args...] -> result in $T_DIR/NAME.json, summary in NAME.sum.json
    name=$1
    script=$2
    shift 2
    "$TG_BIN" run -q --no-summary --result "$T_DIR/$name.json" --summary-export "$T_DIR/$name.sum.json" \
        -e B="$B" -e B2="$B2" -e B3="$B3" "$@" "$S/$script" 2>"$T_DIR/$name.err"
}

# --- redirects ------------------------------------------------------------------------------
reset
run redir http_redirects.lua
rc=$?
c=$(checks "$T_DIR/redir.json")
check "redirects: every check passed ($c, exit $rc)" sh -c "[ $rc -eq 0 ] && echo '$c' | grep -q '^\([0-9]*\)/\1 -$'"
check "redirects: the checks ran (19)" [ "${c%%/*}" -eq 19 ]
n=$(stats "$B" 'j["by_route"]["ANY /redirect/:n"], j["by_route"]["ANY /redirect-to"]')
check "redirects: serve 1 saw 23 redirect-route and 2 redirect-to requests ($n)" [ "$n" = "23 2" ]
n=$(stats "$B3" 'j["by_route"]["ANY /echo"], j["connections_accepted"]')
check "redirects: serve 2 answered both cross-origin hops on its own connections ($n)" [ "$n" = "2 3" ]
n=$(json_get "$T_DIR/redir.sum.json" 'int(j["metrics"]["http_reqs"]["count"])')
check "redirects: every hop is a request sample (27 = 23 + 2 + 2: $n)" [ "$n" -eq 27 ]
n=$(series "$T_DIR/redir.json" http_reqs 't.get("name") == "chain"')
check "redirects: a chain of 3 records 4 requests ($n)" [ "$n" -eq 4 ]
n=$(series "$T_DIR/redir.json" http_reqs 't.get("name") == "limit" and t.get("error_code") == "1706"')
m=$(series "$T_DIR/redir.json" http_reqs 't.get("name") == "limit"')
check "redirects: a limit of 2 stops at the third hop with 1706 ($n of $m)" [ "$n" -eq 1 -a "$m" -eq 3 ]
n=$(series "$T_DIR/redir.json" http_req_failed 't.get("error_code") == "1706" and t.get("expected_response") == "false"')
check "redirects: the 1706 hop counts as failed ($n)" [ "$n" -eq 1 ]

# --- cookies --------------------------------------------------------------------------------
nport=$(free_port)
start_nginx "$nport" || not_ok "nginx did not start"
N="http://127.0.0.1:$nport"
nginx_served() { curl -s "$N/nginx_status" | awk '/^ *[0-9]+ +[0-9]+ +[0-9]+/ {print $3}'; }
reset
run cookies http_cookies.lua -e N="$N"
rc=$?
c=$(checks "$T_DIR/cookies.json")
check "cookies: every check passed ($c, exit $rc)" sh -c "[ $rc -eq 0 ] && echo '$c' | grep -q '^\([0-9]*\)/\1 -$'"
check "cookies: two iterations ran every check (18)" [ "${c%%/*}" -eq 18 ]
n=$(stats "$B" 'j["by_route"]["ANY /echo"], j["by_route"]["GET /cookies/set"]')
check "cookies: serve saw 6 echoes and 1 cookies/set per iteration ($n)" [ "$n" = "12 2" ]

before=$(nginx_served)
run nginx http_nginx.lua -e N="$N"
rc=$?
after=$(nginx_served)
c=$(checks "$T_DIR/nginx.json")
check "nginx: every check passed ($c, exit $rc)" sh -c "[ $rc -eq 0 ] && echo '$c' | grep -q '^3/3 -$'"
n=$(json_get "$T_DIR/nginx.sum.json" 'int(j["metrics"]["http_reqs"]["count"])')
check "nginx: 8 requests sent and served ($n, $((after - before - 1)))" [ "$n" -eq 8 -a $((after - before - 1)) -eq 8 ]

# --- expected statuses ----------------------------------------------------------------------
rcs=""
for mode in default set off; do
    run "exp-$mode" http_expected.lua -e MODE=$mode
    rcs="$rcs $?"
done
check "expected: the runs pass (exit$rcs)" [ "$rcs" = " 0 0 0" ]
f() { series "$T_DIR/exp-$1.json" http_req_failed "$2"; }
nz() { python3 -c "import json; j=json.load(open('$T_DIR/exp-$1.json')); print(int(sum(s['nonzero'] for s in j['series'] if s['metric'] == 'http_req_failed')))"; }
check "expected default: 404 and 500 failed, 200, 302 and the expected 503 did not ($(nz default) of $(f default True))" \
    [ "$(nz default)" -eq 2 -a "$(f default True)" -eq 5 ]
check "expected default: 404 is expected_response=false" \
    [ "$(series "$T_DIR/exp-default.json" http_reqs 't.get("status") == "404" and t.get("expected_response") == "false"')" -eq 1 ]
check "expected set: 500 and 302 failed ($(nz set))" [ "$(nz set)" -eq 2 ]
check "expected set: 404 is expected, 302 is not" \
    [ "$(series "$T_DIR/exp-set.json" http_reqs '(t.get("status"), t.get("expected_response")) in (("404", "true"), ("302", "false"))')" -eq 2 ]
check "expected set: the per-request 503 is expected" \
    [ "$(series "$T_DIR/exp-set.json" http_req_failed 't.get("status") == "503" and t.get("expected_response") == "true"')" -eq 1 ]
check "expected off: http_req_failed and expected_response only for the request with params.expected" \
    [ "$(f off True)" -eq 1 -a "$(series "$T_DIR/exp-off.json" http_reqs '"expected_response" in t and t.get("status") != "503"')" -eq 0 ]
run exp-late http_expected.lua -e MODE=late
n=$(json_get "$T_DIR/exp-late.sum.json" 'int(j["metrics"]["iteration_errors"]["count"])')
check "expected: set_expected during an iteration is an error ($n)" \
    sh -c "[ $n -eq 1 ] && grep -q 'http.set_expected can only be called in the init context' '$T_DIR/exp-late.err'"

# --- client ---------------------------------------------------------------------------------
reset
run client http_client.lua
rc=$?
c=$(checks "$T_DIR/client.json")
check "client: every check passed ($c, exit $rc)" sh -c "[ $rc -eq 0 ] && echo '$c' | grep -q '^13/13 -$'"
n=$(stats "$B" 'j["by_route"]["ANY /echo"], j["by_route"]["GET /status/:code"], j["by_route"]["GET /delay/:ms"]')
check "client: serve saw 3 echoes, 1 status, 2 delays ($n)" [ "$n" = "3 1 2" ]
n=$(series "$T_DIR/client.json" http_reqs 't.get("service") == "api"')
m=$(series "$T_DIR/client.json" http_reqs 't.get("name") == "post" and t.get("service") == "api"')
check "client: its tags go on its requests ($n), the request's beside them ($m)" [ "$n" -eq 4 -a "$m" -eq 1 ]

# --- batch ----------------------------------------------------------------------------------
down=$(free_port)
reset
t0=$(date +%s%N)
run batch http_batch.lua -e DOWN="http://127.0.0.1:$down"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
c=$(checks "$T_DIR/batch.json")
check "batch: every check passed ($c, exit $rc)" sh -c "[ $rc -eq 0 ] && echo '$c' | grep -q '^8/8 -$'"
n=$(stats "$B" 'j["by_route"]["ANY /echo"], j["by_route"]["ANY /redirect/:n"], j["by_route"]["GET /delay/:ms"], j["by_route"]["GET /status/:code"]')
check "batch: serve saw exactly 5+3+2 echoes, 3 redirect hops, 12 delays, 1 status ($n)" [ "$n" = "10 3 12 1" ]
n=$(json_get "$T_DIR/stats.json" 'j["connections_accepted"]')
check "batch: at most 6 connections to one origin ($n, one of them the stats request)" [ "$n" -eq 7 ]
check "batch: 12 x 150 ms at 6 at a time take two rounds ($ms ms)" [ "$ms" -ge 300 ]
n=$(json_get "$T_DIR/batch.sum.json" 'int(j["metrics"]["http_reqs"]["count"])')
check "batch: each request recorded (27: $n)" [ "$n" -eq 27 ]

# --- hostile --------------------------------------------------------------------------------
hport=$(free_port)
python3 "$(dirname "$0")/hostile.py" "$hport" redirectloop &
T_PIDS="$T_PIDS $!"
wait_port "$hport"
H="http://127.0.0.1:$hport"
run hostile http_hostile.lua -e H="$H" -i 3
rc=$?
c=$(checks "$T_DIR/hostile.json")
check "hostile: every check passed ($c, exit $rc)" sh -c "[ $rc -eq 0 ] && echo '$c' | grep -q '^30/30 -$'"
n=$(curl -s "$H/__count")
check "hostile: a redirect loop is 11 requests per call (33: $n)" [ "$n" -eq 33 ]
dropped() { python3 -c "import json; j=json.load(open('$T_DIR/hostile.json')); print(int(sum(s['sum'] for s in j['series'] if s['metric'] == 'http_cookies_dropped' and s['tags'].get('reason') == '$1')))"; }
check "hostile: cookies over the bounds dropped and counted (limit $(dropped limit), invalid $(dropped invalid), domain $(dropped domain))" \
    [ "$(dropped limit)" -eq 93 -a "$(dropped invalid)" -eq 3 -a "$(dropped domain)" -eq 3 ]
/usr/bin/time -f '%M' -o "$T_DIR/rss" "$TG_BIN" run -q --no-summary -u 20 -d 3s \
    -e B="$B" -e H="$H" "$S/http_hostile.lua" 2>"$T_DIR/flood.err"
rc=$?
rss=$(cat "$T_DIR/rss")
lim=65536
case "${TG_BUILD:-}" in */san) lim=262144 ;; esac # ASan's shadow memory and quarantine
check "hostile: 20 VUs flooding for 3 s stay bounded (exit $rc, rss $rss KiB < $lim)" [ $rc -eq 0 -a "$rss" -lt $lim ]

# --- allocations: the per-request path stays allocation-free with redirects and cookies -----
cat >"$T_DIR/alloc.lua" <<'LUA'
local http = require "tailgate.http"
local tg = require "tailgate"
options = { vus = 1, iterations = tonumber(tg.env.N) }
function default()
  http.get(tg.env.B .. "/cookies/set?c=sid%3D1%3B%20Path%3D%2F")
  http.get(tg.env.B .. "/redirect/2")
  http.batch { tg.env.B .. "/", tg.env.B .. "/echo" }
end
LUA
a1=$(TG_DEBUG_ALLOC_COUNT=1 "$TG_BIN" run -q --no-summary -t 1 -e B="$B" -e N=500 "$T_DIR/alloc.lua" 2>&1 |
    awk '/allocations:/ {print $3}')
a2=$(TG_DEBUG_ALLOC_COUNT=1 "$TG_BIN" run -q --no-summary -t 1 -e B="$B" -e N=2500 "$T_DIR/alloc.lua" 2>&1 |
    awk '/allocations:/ {print $3}')
# 2000 more iterations are 12000 more requests: an allocation per request, per iteration or
# per cookie would add 2000 to 12000. What remains (a few hundred: every hop URL is a series
# whose histograms take a page for each new latency range) are histogram pages (seen in gdb).
check "allocations: $a1 for 500 iterations, $a2 for 2500 (< 1 per 4 extra iterations)" \
    [ -n "$a1" -a -n "$a2" -a $((a2 - a1)) -lt 500 ]
