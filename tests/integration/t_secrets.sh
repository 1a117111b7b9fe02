# Secrets never appear in any output: a --secret-env value and an Authorization header,
# used carelessly by a script and on the command line, are absent from stdout, stderr,
# --summary-export, --result, --junit and handleSummary's files (grep every one).
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
port=$(free_port)
start_serve "$port"
export BASE_URL="http://127.0.0.1:$port"
export API_TOKEN=tok-5ecret-4f3e2d1c

cd "$T_DIR" || exit 1
"$TG_BIN" run --secret-env API_TOKEN -e OUT="$T_DIR/hs.json" --summary-export s.json \
    --result r.json --junit j.xml "$S/secrets.lua" >out.txt 2>err.txt
rc=$?
check "the careless script runs (exit $rc)" [ $rc -eq 0 ]
check "the outputs exist" sh -c "[ -s s.json ] && [ -s r.json ] && [ -s j.xml ] && [ -s hs.json ] && [ -s out.txt ] && [ -s err.txt ]"
leaks=$(grep -l "$API_TOKEN" s.json r.json j.xml hs.json out.txt err.txt 2>/dev/null | tr '\n' ' ')
check "the secret is in no output file, log or report (${leaks:-none})" [ -z "$leaks" ]
check "where it was, *** stands instead" sh -c "grep -q 'summary for \*\*\*' out.txt && grep -q 'request with \*\*\* went wrong' err.txt && grep -q 'token=\*\*\*' r.json"

"$TG_BIN" run -c 2 -n 20 -H "Authorization: Bearer hdr-9a8b7c6d5e" -H "Cookie: sid=ck-1234567890" \
    --summary-export s2.json --result r2.json --junit j2.xml \
    --threshold 'http_reqs{url:hdr-9a8b7c6d5e}: count>=0' \
    "$BASE_URL/status/200?a=hdr-9a8b7c6d5e" >out2.txt 2>err2.txt
rc=$?
leaks=$(grep -l "hdr-9a8b7c6d5e\|ck-1234567890" s2.json r2.json j2.xml out2.txt err2.txt | tr '\n' ' ')
check "Authorization and Cookie values of -H never written (exit $rc, leaks: ${leaks:-none})" \
    [ $rc -eq 0 -a -z "$leaks" ]

"$TG_BIN" run -q --secret-env NOT_SET_ANYWHERE "$S/secrets.lua" 2>err3.txt >/dev/null
rc=$?
check "a --secret-env variable that is not set exits 104" sh -c "[ $rc -eq 104 ] && grep -q 'NOT_SET_ANYWHERE: no such environment variable' err3.txt"

API_TOKEN='abc&def"gh<1>' "$TG_BIN" run -q --no-summary --secret-env API_TOKEN \
    -e OUT="$T_DIR/hsx.json" --junit "$T_DIR/jx.xml" "$S/secrets.lua" >/dev/null 2>&1
check "a secret with XML's special characters stays out of the JUnit file" \
    sh -c "[ -s '$T_DIR/jx.xml' ] && ! grep -q 'abc&amp;def' '$T_DIR/jx.xml' && ! grep -q 'abc&def' '$T_DIR/jx.xml'"
