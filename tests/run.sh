#!/bin/sh
# Runs every test tailgate has and prints one final line: "N passed, N failed".
#   unit binaries (cmocka, TAP output) given as arguments,
#   tests/integration/t_*.sh (TAP-ish "ok"/"not ok" lines from lib.sh),
#   examples via tests/integration/t_examples.sh.
# Env: TG_BIN (the tailgate binary), TG_BUILD (build dir), TG_ONLY (glob filter on test files).
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0
failed=0

count() { # file with TAP lines -> updates counters, prints failures
    p=$(grep -c '^ok ' "$1" || true)
    f=$(grep -c '^not ok ' "$1" || true)
    passed=$((passed + p))
    failed=$((failed + f))
    grep '^not ok ' "$1" | sed "s|^|  $2: |" || true
}

for bin in "$@"; do
    name=$(basename "$bin")
    case "$name" in ${TG_ONLY:-*}) ;; *) continue ;; esac
    CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$bin" >"$out/$name.tap" 2>"$out/$name.err"
    rc=$?
    if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out/$name.tap"; then
        echo "not ok - $name exited with status $rc" >>"$out/$name.tap"
        sed 's/^/    /' "$out/$name.err" | tail -20
    fi
    echo "unit: $name: $(grep -c '^ok ' "$out/$name.tap") ok"
    count "$out/$name.tap" "$name"
done

for t in tests/integration/t_*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    case "$name" in ${TG_ONLY:-*}) ;; *) continue ;; esac
    timeout 600 sh "$t" >"$out/$name.tap" 2>"$out/$name.err"
    rc=$?
    if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out/$name.tap"; then
        echo "not ok - $name exited with status $rc" >>"$out/$name.tap"
    fi
    if grep -q '^not ok ' "$out/$name.tap"; then
        sed 's/^/    /' "$out/$name.err" | tail -30
    fi
    echo "integration: $name: $(grep -c '^ok ' "$out/$name.tap") ok"
    count "$out/$name.tap" "$name"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
