#!/bin/sh
# t_serve.sh — `tailgate serve`, the built-in target: routes, keep-alive, pipelining, error
# paths, exact /__stats counts, the capacity model (queueing), error injection, stalls,
# SIGTERM and flag errors. Real binary on loopback, curl and python3 as clients; ~10 s.
. "$(dirname "$0")/lib.sh"

H="$T_DIR/h.py"
cat >"$H" <<'PY'
import json, socket, sys, threading, time

PORT = int(sys.argv[2])


def conn():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Reads Content-Length framed responses (the server's normal framing) off one socket."""

    def __init__(self, s):
        self.s, self.buf = s, b""

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def response(self):
        while b"\r\n\r\n" not in self.buf:
            self.fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
        n = int(hdrs.get("content-length", 0))
        while len(self.buf) < n:
            self.fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, hdrs, body

    def closed(self):
        try:
            self.s.settimeout(2)
            return self.s.recv(1) == b""
        except OSError:
            return True


def req(path, method="GET", extra=""):
    return f"{method} {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode()


def pipeline():
    s = conn()
    s.sendall(req("/status/201") + req("/health") + req("/nope") + req("/"))
    r = Reader(s)
    got = [r.response() for _ in range(4)]
    statuses = [g[0] for g in got]
    assert statuses == [201, 200, 404, 200], statuses
    assert got[1][2] == b'{"status":"ok"}' and got[3][2] == b"ok\n", got


def raw(kind):
    """Error paths: answer status, then the server closes."""
    cases = {
        "400": (b"\x16\x03\x01\x02\x00garbage\r\n\r\n", 400),
        "nohost": (b"GET / HTTP/1.1\r\n\r\n", 400),
        "431": (b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
        "413": (req("/communities/a/posts", "POST", "Content-Length: 2000000\r\n") + b"x" * 65536,
                413),
        "413chunked": (req("/communities/a/posts", "POST", "Transfer-Encoding: chunked\r\n")
                       + b"100000\r\n" + b"x" * 0x100000 + b"\r\n100\r\n" + b"x" * 256, 413),
        "badchunk": (req("/communities/a/posts", "POST", "Transfer-Encoding: chunked\r\n")
                     + b"zz\r\n", 400),
    }
    data, want = cases[kind]
    s = conn()
    try:
        s.sendall(data)
    except OSError:
        pass  # the server may answer and stop reading before all of a large body is sent
    r = Reader(s)
    status, hdrs, _ = r.response()
    assert status == want, (status, want)
    assert hdrs.get("connection") == "close", hdrs
    assert r.closed()


def chunked_post():
    """A chunked request body with an extension and a trailer, then a pipelined request."""
    s = conn()
    body = b"5;x=1\r\n{\"a\":\r\n2\r\n1}\r\n0\r\nX-Trailer: y\r\n\r\n"
    s.sendall(req("/communities/go/posts", "POST", "Transfer-Encoding: chunked\r\n") + body
              + req("/"))
    r = Reader(s)
    status, _, b = r.response()
    assert status == 201 and json.loads(b)["community"] == "go", (status, b)
    assert r.response()[0] == 200


def burst(n):
    """n requests over 5 keep-alive connections, mixed routes; all must be answered."""
    paths = ["/", "/health", "/communities/c1/posts?limit=3", "/status/404", "/bytes/10"]
    socks = [conn() for _ in range(5)]
    readers = [Reader(s) for s in socks]
    for i in range(n):
        socks[i % 5].sendall(req(paths[i % len(paths)]))
        readers[i % 5].response()


def errors(n):
    s = conn()
    r = Reader(s)
    count = 0
    for _ in range(n):
        s.sendall(req("/"))
        count += r.response()[0] == 500
    print(count)


def queue():
    """5 concurrent requests against one worker: completions are one service time apart."""
    socks = [conn() for _ in range(5)]
    done = []
    t0 = time.perf_counter()
    for s in socks:
        s.sendall(req("/"))

    def wait(s):
        Reader(s).response()
        done.append((time.perf_counter() - t0) * 1000)

    ts = [threading.Thread(target=wait, args=(s,)) for s in socks]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print(" ".join("%.1f" % d for d in sorted(done)))


def stall():
    """Closed loop of GET / for 2.3 s against --stall 1s/2s; /__stats polled alongside."""
    stats_max = [0.0]
    stop = time.perf_counter() + 2.3

    def poll():
        s = conn()
        r = Reader(s)
        while time.perf_counter() < stop:
            t = time.perf_counter()
            s.sendall(req("/__stats"))
            r.response()
            stats_max[0] = max(stats_max[0], time.perf_counter() - t)
            time.sleep(0.05)

    th = threading.Thread(target=poll)
    th.start()
    s = conn()
    r = Reader(s)
    worst = 0.0
    while time.perf_counter() < stop:
        t = time.perf_counter()
        s.sendall(req("/"))
        r.response()
        worst = max(worst, time.perf_counter() - t)
        time.sleep(0.02)
    th.join()
    print("%.3f %.3f" % (worst, stats_max[0]))


cmd = sys.argv[1]
arg = sys.argv[3] if len(sys.argv) > 3 else None
if cmd in ("raw",):
    raw(arg)
elif cmd in ("burst", "errors"):
    globals()[cmd](int(arg))
else:
    globals()[cmd]()
PY
py() { timeout 20 python3 "$H" "$@"; }

# --- flags -------------------------------------------------------------------------------
# flag_error FLAG ARGS... -> ok when `serve ARGS` exits 104 and stderr names FLAG
flag_error() {
    flag=$1
    shift
    "$TG_BIN" serve "$@" 2>"$T_DIR/err"
    rc=$?
    [ "$rc" -eq 104 ] && grep -q -- "$flag" "$T_DIR/err"
}
check "unknown flag exits 104 and is named" flag_error --bogus --bogus
check "bad --workers exits 104 and is named" flag_error --workers --workers many
check "bad --service-time exits 104 and is named" flag_error --service-time --service-time lognormal:2ms
check "bad --stall exits 104 and is named" flag_error --stall --stall 5s/1s
check "bad --error-rate exits 104 and is named" flag_error --error-rate --error-rate 1.5
check "non-loopback --listen refused without --public" flag_error --public --listen 0.0.0.0:1
"$TG_BIN" serve --help >"$T_DIR/help"
check "--help prints usage and exits 0" grep -q -- --service-time "$T_DIR/help"

# --- routes --------------------------------------------------------------------------------
PORT=$(free_port)
start_serve "$PORT"
MAIN_PID=$SERVE_PID
U="http://127.0.0.1:$PORT"
check "start line names the address" grep -q "listening on 127.0.0.1:$PORT (workers=unlimited" \
    "$T_DIR/serve-$PORT.log"

B="$T_DIR/body"
get() { # get PATH [curl args] -> status on stdout, body in $B
    p=$1
    shift
    curl -s -o "$B" -w '%{http_code}' "$@" "$U$p"
}
body_is() { [ "$(cat "$B")" = "$1" ]; }
pyj() { python3 -c "import json; j=json.load(open('$B')); assert $1, j"; }

check "GET / is 200" [ "$(get /)" = 200 ]
check "GET / body is ok" body_is ok
check "GET /health is 200" [ "$(get /health)" = 200 ]
check "GET /health body" body_is '{"status":"ok"}'
check "GET feed limit=5 is 200" [ "$(get '/communities/golang/posts?limit=5')" = 200 ]
check "feed has 5 posts of community golang" pyj "j['community'] == 'golang' and len(j['posts']) == 5"
check "feed posts have id/title/body/score" \
    pyj "all(set(p) == {'id', 'title', 'body', 'score'} for p in j['posts'])"
get /communities/golang/posts >/dev/null
check "feed default is 20 posts" pyj "len(j['posts']) == 20"
cp "$B" "$T_DIR/feed1"
get /communities/golang/posts >/dev/null
check "feed is deterministic" cmp -s "$B" "$T_DIR/feed1"
check "feed limit=1000 is 200" [ "$(get '/communities/g/posts?limit=1000')" = 200 ]
check "feed limit=1000 has 1000 posts" pyj "len(j['posts']) == 1000"
check "feed limit=1001 is 400" [ "$(get '/communities/g/posts?limit=1001')" = 400 ]
check "feed limit=abc is 400" [ "$(get '/communities/g/posts?limit=abc')" = 400 ]
check "POST creates a post (201)" \
    [ "$(get /communities/rust/posts -X POST -H 'Content-Type: application/json' -d '{"t":1}')" = 201 ]
check "POST answer has id and community" pyj "j['community'] == 'rust' and j['id'] >= 1"
check "POST with empty body is 400" [ "$(get /communities/rust/posts -X POST -d '')" = 400 ]
check "GET /status/503" [ "$(get /status/503)" = 503 ]
check "GET /status/99 is 400" [ "$(get /status/99)" = 400 ]
check "GET /bytes/100000 is 200" [ "$(get /bytes/100000)" = 200 ]
check "GET /bytes/100000 has 100000 bytes" [ "$(wc -c <"$B")" -eq 100000 ]
check "GET /bytes pattern" [ "$(head -c 28 "$B")" = abcdefghijklmnopqrstuvwxyzab ]
check "GET /bytes over 64 MiB is 400" [ "$(get /bytes/67108865)" = 400 ]
check "GET /bytes/67108864 streams 64 MiB" [ "$(curl -s "$U/bytes/67108864" | wc -c)" -eq 67108864 ]
check "GET /chunked/5 is 200" [ "$(get /chunked/5 -D "$T_DIR/hdr")" = 200 ]
check "GET /chunked/5 is chunked" grep -qi 'transfer-encoding: chunked' "$T_DIR/hdr"
check "GET /chunked/5 has 5 chunks" [ "$(wc -l <"$B")" -eq 5 ]
t=$(curl -s -o /dev/null -w '%{time_total}' "$U/delay/200")
check "GET /delay/200 waits 200 ms ($t s)" float_cmp "$t" ">=" 0.195
check "unknown path is 404" [ "$(get /nope)" = 404 ]
check "wrong method is 404" [ "$(get / -X DELETE)" = 404 ]

# --- answers built from the request: echo, redirects, cookies ------------------------------
check "PUT /echo is 200" [ "$(get '/echo?a=1' -X PUT -H 'X-Token: t1' -H 'Cookie: s=1' -d 'abcd')" = 200 ]
check "/echo shows method, target, headers and body bytes" \
    pyj "j['method'] == 'PUT' and j['target'] == '/echo?a=1' and j['headers']['x-token'] == 't1' and j['headers']['cookie'] == 's=1' and j['body_bytes'] == 4"
check "/redirect/3 is 302" [ "$(get /redirect/3 -D "$T_DIR/hdr")" = 302 ]
check "/redirect/3 points to /redirect/2" grep -q '^Location: /redirect/2' "$T_DIR/hdr"
curl -s -X POST "$U/__stats/reset" >/dev/null
check "curl -L follows /redirect/3 to an echo" [ "$(get /redirect/3?status=307 -L -X POST -d xy)" = 200 ]
check "307 kept the method and body" pyj "j['method'] == 'POST' and j['body_bytes'] == 2"
curl -s "$U/__stats" >"$T_DIR/rstats.json"
check "a chain of 3 redirects is 4 requests" \
    [ "$(json_get "$T_DIR/rstats.json" 'j["by_route"]["ANY /redirect/:n"], j["by_status"]["307"], j["by_status"]["200"]')" = "4 3 1" ]
check "/redirect/1?abs=1 is absolute" sh -c "curl -s -D - -o /dev/null '$U/redirect/1?abs=1' | grep -q '^Location: http://127.0.0.1:$PORT/redirect/0?abs=1'"
check "/redirect/2?status=304 is 400" [ "$(get '/redirect/2?status=304')" = 400 ]
check "/redirect-to?url= is 302 to the decoded URL" \
    sh -c "curl -s -D - -o /dev/null '$U/redirect-to?url=http%3A%2F%2Fexample.test%2Fx%3Fy%3D1' | grep -q '^Location: http://example.test/x?y=1'"
check "/redirect-to refuses a line break" [ "$(get '/redirect-to?url=%0d%0aX:%201')" = 400 ]
check "/cookies/set sets each c" \
    sh -c "curl -s -D - -o /dev/null '$U/cookies/set?c=a%3D1%3B%20Path%3D%2F&c=b%3D2' | grep -c '^Set-Cookie: ' | grep -qx 2"
check "curl's jar round-trips the cookies to /echo" \
    sh -c "curl -s -c '$T_DIR/jar' -o /dev/null '$U/cookies/set?c=a%3D1%3B%20Path%3D%2F&c=b%3D2%3B%20Path%3D%2F' && curl -s -b '$T_DIR/jar' '$U/echo' | grep -q 'a=1; b=2'"

# --- connections -------------------------------------------------------------------------
stats() { curl -s "$U/__stats" >"$T_DIR/stats.json" && json_get "$T_DIR/stats.json" "$1"; }
curl -s -X POST "$U/__stats/reset" >/dev/null
curl -s -o /dev/null -o /dev/null "$U/" "$U/health"
check "curl reuses one keep-alive connection" [ "$(stats 'j["connections_accepted"]')" -eq 2 ]
check "pipelined requests answered in order" py pipeline "$PORT"
check "chunked request body, then the next request" py chunked_post "$PORT"
for k in 400 nohost 431 413 413chunked badchunk; do
    check "error path $k answers and closes" py raw "$PORT" "$k"
done

# --- exact counts --------------------------------------------------------------------------
curl -s -X POST "$U/__stats/reset" >/dev/null
py burst "$PORT" 50
check "/__stats counts 50 requests" [ "$(stats 'j["requests"]')" -eq 50 ]
check "/__stats counts 50 responses" [ "$(stats 'j["responses"]')" -eq 50 ]
check "/__stats by_route sums to requests" \
    [ "$(json_get "$T_DIR/stats.json" 'sum(j["by_route"].values())')" -eq 50 ]
check "/__stats by_status" [ "$(json_get "$T_DIR/stats.json" 'j["by_status"]["200"], j["by_status"]["404"]')" = "40 10" ]

# --- SIGTERM -------------------------------------------------------------------------------
kill -TERM "$MAIN_PID"
wait "$MAIN_PID"
rc=$?
check "SIGTERM exits 0" [ "$rc" -eq 0 ]
tail -n 1 "$T_DIR/serve-$PORT.log" >"$T_DIR/final.json"
check "SIGTERM prints the stats line" [ "$(json_get "$T_DIR/final.json" 'j["requests"]')" -eq 50 ]

# --- error injection -----------------------------------------------------------------------
PORT=$(free_port)
start_serve "$PORT" --error-rate 0.2 --seed 7
n500=$(py errors "$PORT" 500)
check "error-rate 0.2 gives 20% +- 6% 500s ($n500/500)" float_cmp "abs($n500 - 100)" "<=" 30
U="http://127.0.0.1:$PORT"
check "server counts the same 500s" [ "$(stats 'j["by_status"]["500"]')" -eq "$n500" ]
stop_pid "$SERVE_PID"

# --- capacity model: queueing --------------------------------------------------------------
PORT=$(free_port)
start_serve "$PORT" --workers 1 --service-time 20ms
U="http://127.0.0.1:$PORT"
done_ms=$(py queue "$PORT")
check "1 worker x 20 ms: completions at 20,40,60,80,100 ms ($done_ms)" python3 -c "
d=[float(x) for x in '$done_ms'.split()]
assert all(20*(i+1)-1 <= v <= 20*(i+1)+8 for i,v in enumerate(d)), d"
check "queue_max is 4" [ "$(stats 'j["queue_max"]')" -eq 4 ]
stop_pid "$SERVE_PID"

# --- stall ---------------------------------------------------------------------------------
PORT=$(free_port)
start_serve "$PORT" --stall 1s/2s
res=$(py stall "$PORT")
worst=${res% *}
stats_worst=${res#* }
check "stall 1s/2s holds a request (worst ${worst}s)" float_cmp "$worst" ">=" 0.5
check "a stall lasts at most its window (worst ${worst}s)" float_cmp "$worst" "<=" 1.2
check "stall spares /__stats (worst ${stats_worst}s)" float_cmp "$stats_worst" "<" 0.2
stop_pid "$SERVE_PID"
