# Bad flags and configuration: exit 104 with a message naming the flag; --help exits 0.
. "$(dirname "$0")/lib.sh"

expect_104() { # expect_104 "needle in stderr" args...
    needle=$1
    shift
    "$TG_BIN" run "$@" >"$T_DIR/out" 2>"$T_DIR/err"
    rc=$?
    if [ $rc -eq 104 ] && grep -qF -- "$needle" "$T_DIR/err"; then
        ok "run $* -> 104 naming '$needle'"
    else
        not_ok "run $* -> 104 naming '$needle' (got $rc: $(cat "$T_DIR/err"))"
    fi
}

U=http://127.0.0.1:9/
expect_104 "--connections" -c abc "$U"
expect_104 "--connections" -c 0 "$U"
expect_104 "--duration" -d 10x "$U"
expect_104 "--rate" -r -5 "$U"
expect_104 "--timeout" --timeout soon "$U"
expect_104 "--threads" -t 4 -c 2 "$U"
expect_104 "--threshold" --threshold 'http_req_duration: avg<' "$U"
expect_104 "unknown metric" --threshold 'nope: p(99)<1' "$U"
expect_104 "http_reqs is a counter" --threshold 'http_reqs: p(99)<1' "$U"
expect_104 "--threshold" --threshold 'http_req_duration p(99)<1' "$U"
expect_104 "--summary-trend-stats" --summary-trend-stats 'avg,p(101)' "$U"
expect_104 "--max-body" --max-body lots "$U"
expect_104 "--body-file" --body-file /nonexistent/body "$U"
expect_104 "expected http:// or https://" ftp://127.0.0.1/
expect_104 "invalid port" http://127.0.0.1:99999/
expect_104 "missing URL" -c 1
expect_104 "--bogus" --bogus "$U"
expect_104 "method" -m 'GE T' "$U"
expect_104 "header" -H 'NoColon' "$U"
expect_104 "--resolve" --resolve 'other:80:127.0.0.1' "$U"
expect_104 "--resolve" --resolve '127.0.0.1:9:not-an-ip' "$U"

"$TG_BIN" run --help >"$T_DIR/help" 2>&1
check "run --help exits 0 and documents --rate" grep -q -- "--rate" "$T_DIR/help"
"$TG_BIN" frobnicate >/dev/null 2>&1
rc=$?
check "unknown command exits 104" [ $rc -eq 104 ]
