# lib.sh — shared helpers for integration tests (sourced by tests/integration/t_*.sh).
# Tests print TAP-style lines: "ok - what" / "not ok - what"; tests/run.sh counts them.
# Every server a test starts is recorded by PID and stopped on exit; every run is bounded.
# Only loopback addresses are ever used.

TG_BIN=${TG_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/release/tailgate}
T_DIR=$(mktemp -d /tmp/tg-test.XXXXXX)
T_PIDS=""

t_cleanup() {
    for pid in $T_PIDS; do
        kill "$pid" 2>/dev/null
    done
    for pid in $T_PIDS; do
        wait "$pid" 2>/dev/null
    done
    rm -rf "$T_DIR"
}
trap t_cleanup EXIT INT TERM

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# check "description" command...   -> ok/not ok by the command's status
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# A free TCP port on 127.0.0.1 (asks the kernel, then releases it).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT [HOST] — waits up to 5 s for a listener.
wait_port() {
    host=${2:-127.0.0.1}
    i=0
    while [ $i -lt 100 ]; do
        if python3 -c "import socket,sys; s=socket.create_connection(('$host',$1),0.2); s.close()" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    echo "wait_port: nothing listens on $host:$1" >&2
    return 1
}

# start_serve PORT [flags...] — starts the built-in target in the background; sets SERVE_PID.
start_serve() {
    port=$1
    shift
    "$TG_BIN" serve --listen "127.0.0.1:$port" "$@" >"$T_DIR/serve-$port.log" 2>&1 &
    SERVE_PID=$!
    T_PIDS="$T_PIDS $SERVE_PID"
    wait_port "$port"
}

# stop_pid PID — stops one process this test started and waits for it.
stop_pid() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# json_get FILE EXPR — evaluates a Python expression on the parsed JSON file (bound to j).
json_get() {
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

# float_cmp A OP B — numeric comparison on floats (OP is a Python operator).
float_cmp() {
    python3 -c "import sys; sys.exit(0 if ($1) $2 ($3) else 1)"
}

# start_nginx PORT [TLS_PORT] — an nginx of our own on loopback (1 worker), config in $T_DIR.
# Sets NGINX_PID. Routes: / (hello), /big (64 KiB), /close, /status/404, /status/500, /nginx_status;
# redirects /r1 -302-> /r2 -301 (absolute)-> /r3 -307-> /final, /p307 -307-> /final, and /login
# (Set-Cookie: sess=abc; Path=/) -302-> /final, which answers "final <method> <Cookie>\n".
start_nginx() {
    port=$1
    tls_port=${2:-}
    nd="$T_DIR/nginx"
    mkdir -p "$nd/logs" "$nd/tmp" "$nd/html"
    head -c 65536 /dev/zero | tr '\0' 'x' >"$nd/html/big"
    chmod 755 "$T_DIR" "$nd" "$nd/html" # nginx's workers run as an unprivileged user
    chmod 644 "$nd/html/big"
    tls_server=""
    if [ -n "$tls_port" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$nd/key.pem" -out "$nd/cert.pem" \
            -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
            >/dev/null 2>&1
        tls_server="server { listen 127.0.0.1:$tls_port ssl; ssl_certificate $nd/cert.pem;
            ssl_certificate_key $nd/key.pem; location / { return 200 \"hello tls\n\"; } }"
    fi
    cat >"$nd/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $nd/nginx.pid;
error_log $nd/logs/error.log;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $nd/tmp;
    proxy_temp_path $nd/tmp;
    fastcgi_temp_path $nd/tmp;
    uwsgi_temp_path $nd/tmp;
    scgi_temp_path $nd/tmp;
    server {
        listen 127.0.0.1:$port;
        root $nd/html;
        location = / { return 200 "hello world\n"; }
        location = /big { default_type text/plain; }
        location = /close { keepalive_timeout 0; return 200 "bye\n"; }
        location = /status/404 { return 404; }
        location = /status/500 { return 500; }
        location = /nginx_status { stub_status; }
        location = /r1 { return 302 /r2; }
        location = /r2 { return 301 http://127.0.0.1:$port/r3; }
        location = /r3 { return 307 /final; }
        location = /p307 { return 307 /final; }
        location = /login { add_header Set-Cookie "sess=abc; Path=/"; return 302 /final; }
        location = /final { return 200 "final \$request_method \$http_cookie\n"; }
    }
    $tls_server
}
NGX
    nginx -p "$nd" -c "$nd/nginx.conf" 2>"$nd/logs/start.log" &
    NGINX_PID=$!
    T_PIDS="$T_PIDS $NGINX_PID"
    wait_port "$port"
}
