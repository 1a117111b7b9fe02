# Every example in examples/ runs against tailgate serve, scaled down to 4 seconds,
# and must pass its own thresholds; the weighted example must show its 8:1 mix.
. "$(dirname "$0")/lib.sh"

EX=$(cd "$(dirname "$0")/../../examples" && pwd)
port=$(free_port)
start_serve "$port" --workers 64 --service-time 1ms
export BASE_URL="http://127.0.0.1:$port"

for f in "$EX"/*.lua; do
    name=$(basename "$f")
    "$TG_BIN" run -q --no-summary -d 4s --result "$T_DIR/$name.json" "$f" 2>"$T_DIR/$name.err"
    rc=$?
    check "example $name passes its thresholds (exit $rc)" [ $rc -eq 0 ]
done

mix=$(python3 - "$T_DIR/weighted-users.lua.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
n = {}
for s in j["series"]:
    if s["metric"] == "http_reqs":
        k = s["tags"].get("name", "")
        n[k] = n.get(k, 0) + s["sum"]
reads = n.get("/communities/:id/posts", 0)
posts = n.get("/communities/:id/posts:create", 0)
print(f"{reads / max(posts, 1):.2f} {int(reads)} {int(posts)}")
PY
)
ratio=${mix%% *}
# ~1,000 requests: the ratio's standard deviation is ~0.9, so +-3 is a 3-sigma check
check "weighted-users: read/write mix $mix is 8:1 (+-3)" float_cmp "abs($ratio - 8)" "<" 3
