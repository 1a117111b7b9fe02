# --junit FILE: thresholds and checks as JUnit XML with the structure CI readers
# require (checked element by element), failures where they failed, escaping.
. "$(dirname "$0")/lib.sh"

S=$(cd "$(dirname "$0")/../data/scripts" && pwd)
"$TG_BIN" run -q --no-summary --threshold 'checks: rate>0.9' --threshold 'iterations: count>1' \
    --threshold 'iterations: count<1000' --junit "$T_DIR/j.xml" "$S/groups.lua"
rc=$?
check "a failing threshold still writes the file (exit $rc)" sh -c "[ $rc -eq 99 ] && [ -s '$T_DIR/j.xml' ]"
out=$(python3 - "$T_DIR/j.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
need = ["name", "package", "id", "hostname", "timestamp", "tests", "failures", "errors",
        "skipped", "time"]
rows = []
for s in root.findall("testsuite"):
    for a in need:
        assert a in s.attrib, (s.get("name"), a)
    assert [c.tag for c in s][0] == "properties" and [c.tag for c in s][-2:] == ["system-out", "system-err"]
    cases = s.findall("testcase")
    fails = [c for c in cases if c.find("failure") is not None]
    assert int(s.get("tests")) == len(cases) and int(s.get("failures")) == len(fails)
    for c in cases:
        assert c.get("classname") and c.get("name") and c.get("time") == "0"
    rows.append(f'{s.get("name")}:{len(cases)}/{len(fails)}')
    rows += [f'{c.get("classname")}|{c.get("name")}' for c in fails]
assert int(root.get("tests")) == 7 and int(root.get("failures")) == 2
print(" ".join(rows))
PY
)
check "thresholds and checks as test cases, failures where they failed ($out)" \
    [ "$out" = "thresholds:3/1 thresholds.checks|rate>0.9 checks:4/1 checks::browse|odd iter" ]
check "the failure says what was measured" grep -q 'message="failed: measured 0.85"' "$T_DIR/j.xml"
check "XML-escaped" grep -q 'name="rate&gt;0.9"' "$T_DIR/j.xml"

"$TG_BIN" run -q --no-summary --junit /nonexistent/dir/j.xml "$S/groups.lua" 2>"$T_DIR/e.err"
rc=$?
check "an unwritable --junit path exits 1 naming it ($(cat "$T_DIR/e.err"))" \
    sh -c "[ $rc -eq 1 ] && grep -q -- '--junit \"/nonexistent/dir/j.xml\": cannot write' '$T_DIR/e.err'"
