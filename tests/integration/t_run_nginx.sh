# tailgate run against nginx (an independent real server) on loopback, HTTP and HTTPS.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
tls_port=$(free_port)
start_nginx "$port" "$tls_port" || { not_ok "nginx did not start"; exit 0; }
wait_port "$tls_port"
base="http://127.0.0.1:$port"

served() { curl -s "$base/nginx_status" | awk '/^ *[0-9]+ +[0-9]+ +[0-9]+/ {print $3}'; }

# 1. Client count equals server count.
before=$(served)
"$TG_BIN" run -q --no-summary -c 10 -n 5000 --summary-export "$T_DIR/a.json" "$base/"
rc=$?
after=$(served)
reqs=$(json_get "$T_DIR/a.json" 'int(j["metrics"]["http_reqs"]["count"])')
fails=$(json_get "$T_DIR/a.json" 'j["metrics"]["http_req_failed"]["passes"]')
# the second status fetch itself is one request
check "-n 5000: client counted $reqs, nginx served $((after - before - 1))" \
    [ $rc -eq 0 -a "$reqs" -eq 5000 -a $((after - before - 1)) -eq 5000 -a "$fails" -eq 0 ]

# 2. Open model: -r 2000 for 5 s achieves 2000/s within 1 %.
before=$(served)
"$TG_BIN" run -q --no-summary -r 2000 -c 50 -d 5s --summary-export "$T_DIR/r.json" "$base/"
after=$(served)
n=$((after - before - 1))
check "-r 2000 -d 5s: nginx served $n (want 10000 +-1%)" [ $n -ge 9900 -a $n -le 10100 ]
dropped=$(json_get "$T_DIR/r.json" 'j["metrics"].get("dropped_iterations",{}).get("count",0)')
check "-r 2000: no dropped iterations ($dropped)" float_cmp "$dropped" == 0
unc=$(json_get "$T_DIR/r.json" 'j["metrics"]["http_req_duration_uncorrected"]["p(99)"] > 0')
check "-r 2000: uncorrected duration exported beside the corrected one" [ "$unc" = True ]

# 3. Error statuses count as failed with k6's error_code (1000 + status).
"$TG_BIN" run -q --no-summary -c 2 -n 100 --result "$T_DIR/404.json" \
    --summary-export "$T_DIR/404s.json" "$base/status/404"
rate=$(json_get "$T_DIR/404s.json" 'j["metrics"]["http_req_failed"]["value"]')
codes=$(json_get "$T_DIR/404.json" \
    'sorted(set(s["tags"].get("error_code") for s in j["series"] if s["metric"]=="http_reqs"))')
check "404s: http_req_failed rate 1 and error_code 1404 ($rate, $codes)" \
    [ "$rate" = "1.0" -a "$codes" = "['1404']" ]

# 4. Connection: close on every response: each request reconnects, none fails.
"$TG_BIN" run -q --no-summary -c 4 -n 400 --summary-export "$T_DIR/close.json" "$base/close"
fails=$(json_get "$T_DIR/close.json" 'j["metrics"]["http_req_failed"]["passes"]')
conn=$(json_get "$T_DIR/close.json" 'j["metrics"]["http_req_connecting"]["max"] > 0')
check "Connection: close: 400 requests, $fails failed, connecting measured" \
    [ "$fails" -eq 0 -a "$conn" = True ]

# 5. A 64 KiB body is received whole.
"$TG_BIN" run -q --no-summary -c 2 -n 50 --summary-export "$T_DIR/big.json" "$base/big"
bytes=$(json_get "$T_DIR/big.json" 'int(j["metrics"]["data_received"]["count"])')
check "64 KiB bodies: data_received $bytes >= 50*65536" [ "$bytes" -ge 3276800 ]

# 6. HTTPS with a self-signed certificate: trusted via --cacert, refused without, --insecure ok.
tls="https://127.0.0.1:$tls_port/"
"$TG_BIN" run -q --no-summary -c 4 -n 200 --cacert "$T_DIR/nginx/cert.pem" \
    --summary-export "$T_DIR/tls.json" "$tls"
fails=$(json_get "$T_DIR/tls.json" 'j["metrics"]["http_req_failed"]["passes"]')
hs=$(json_get "$T_DIR/tls.json" 'j["metrics"]["http_req_tls_handshaking"]["max"] > 0')
check "HTTPS with --cacert: 200 requests, $fails failed, handshake timed" \
    [ "$fails" -eq 0 -a "$hs" = True ]
"$TG_BIN" run -q --no-summary -c 1 -n 5 --result "$T_DIR/tlsbad.json" "$tls"
codes=$(json_get "$T_DIR/tlsbad.json" \
    'sorted(set(s["tags"].get("error_code") for s in j["series"] if s["metric"]=="http_reqs"))')
check "HTTPS without trust: verification fails with 1310 ($codes)" [ "$codes" = "['1310']" ]
"$TG_BIN" run -q --no-summary -c 1 -n 5 -k --summary-export "$T_DIR/tlsk.json" "$tls"
fails=$(json_get "$T_DIR/tlsk.json" 'j["metrics"]["http_req_failed"]["passes"]')
check "HTTPS with --insecure: no failures" [ "$fails" -eq 0 ]

# 7. Thresholds: pass -> 0, fail -> 99; the export marks failures true (k6's quirk).
"$TG_BIN" run -q --no-summary -c 2 -n 200 --threshold 'http_req_duration: p(99)<1000' \
    --threshold 'http_req_failed: rate<0.01' "$base/"
check "passing thresholds exit 0" [ $? -eq 0 ]
"$TG_BIN" run -q --no-summary -c 2 -n 200 --threshold 'http_req_duration: p(99)<0.000001' \
    --summary-export "$T_DIR/th.json" "$base/"
rc=$?
flag=$(json_get "$T_DIR/th.json" 'j["metrics"]["http_req_duration"]["thresholds"]["p(99)<0.000001"]')
check "failing threshold exits 99 and is exported as true ($rc, $flag)" [ $rc -eq 99 -a "$flag" = True ]
