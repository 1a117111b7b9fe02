# bench/lib.sh — shared set-up for the benchmarks: an nginx of our own on loopback with
# one worker pinned to CPU 0, stopped by PID on exit. Sourced by bench/*.sh.
TG=${TG_BIN:-build/release/tailgate}
B_DIR=$(mktemp -d /tmp/tg-bench.XXXXXX)
B_PIDS=""
trap 'for p in $B_PIDS; do kill $p 2>/dev/null; wait $p 2>/dev/null; done; rm -rf "$B_DIR"' EXIT INT TERM

# start_nginx PORT [LOG]: LOG=1 logs "$msec" per request to $B_DIR/ngx/access.log
start_nginx() {
    mkdir -p "$B_DIR/ngx"
    log="access_log off;"
    if [ "${2:-0}" = 1 ]; then
        log="log_format t '\$msec'; access_log $B_DIR/ngx/access.log t buffer=256k;"
    fi
    cat >"$B_DIR/ngx/nginx.conf" <<NGX
worker_processes 1;
worker_cpu_affinity 01;
worker_rlimit_nofile 30000;
daemon off;
pid $B_DIR/ngx/nginx.pid;
error_log $B_DIR/ngx/error.log;
events { worker_connections 25000; }
http {
    $log
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$1 backlog=16384;
        location / { return 200 "hello world\n"; }
        location = /nginx_status { stub_status; }
    }
}
NGX
    taskset -c 0 nginx -p "$B_DIR/ngx" -c "$B_DIR/ngx/nginx.conf" &
    B_PIDS="$B_PIDS $!"
    sleep 0.5
}

# cpu_of PID -> utime+stime in clock ticks
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
