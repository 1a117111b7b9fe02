# examples/ci/loadtest.yml: valid YAML with the jobs docs/ci.md describes, and every
# tailgate command in it runs here as written (against the built-in target on a free
# port, with the soak scaled down), so the workflow cannot rot.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W="$ROOT/examples/ci/loadtest.yml"
shape=$(python3 - "$W" <<'PY'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
on = w[True] if True in w else w["on"]   # YAML 1.1 reads the key "on" as true
jobs = w["jobs"]
print(sorted(on), sorted(jobs), jobs["smoke"]["if"], jobs["soak"]["if"])
PY
)
check "the workflow parses: triggers and jobs ($shape)" \
    [ "$shape" = "['pull_request', 'push', 'schedule'] ['smoke', 'soak'] github.event_name != 'schedule' github.event_name == 'schedule'" ]

# every `tailgate` command of every step, joined across continuation lines
python3 - "$W" >"$T_DIR/cmds" <<'PY'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
for job in w["jobs"].values():
    for step in job["steps"]:
        text = step.get("run", "").replace("\\\n", " ")
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("tailgate ") and not line.startswith("tailgate serve"):
                print(" ".join(line.split()))
PY
check "the workflow runs tailgate run, plan and compare ($(wc -l <"$T_DIR/cmds") commands)" \
    sh -c "grep -q '^tailgate run' '$T_DIR/cmds' && grep -q '^tailgate plan' '$T_DIR/cmds' && grep -q '^tailgate compare' '$T_DIR/cmds'"

port=$(free_port)
start_serve "$port" --service-time 5ms
mkdir -p "$T_DIR/ws/baseline"
cd "$T_DIR/ws" || exit 1
n=0
bad=0
while IFS= read -r cmd; do
    n=$((n + 1))
    # this machine's port; the soak and the smoke scaled down
    cmd=$(echo "$cmd" | sed "s|127.0.0.1:8080|127.0.0.1:$port|g; s|-d 30s|-d 2s|; s|^tailgate |\"\$TG_BIN\" |; s|examples/|$ROOT/examples/|g")
    case "$cmd" in
    *feed-smoke-soak.lua) cmd="$cmd -e TIME_SCALE=0.002 -e RATE_SCALE=0.1" ;;
    esac
    [ -f result.json ] && cp result.json baseline/result.json
    sh -c "$cmd" >"$T_DIR/out$n" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        bad=$((bad + 1))
        echo "# $cmd -> exit $rc" >&2
        tail -5 "$T_DIR/out$n" >&2
    fi
done <"$T_DIR/cmds"
check "each of the workflow's $n tailgate commands runs here and passes" [ $bad -eq 0 -a $n -ge 5 ]
check "they wrote the files the workflow uploads" sh -c "[ -s result.json ] && [ -s junit.xml ] && [ -s summary.json ]"
