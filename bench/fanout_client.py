#!/usr/bin/env python3
"""Subscribers for bench/stream_fanout.sh (python3 stdlib only).

Usage: fanout_client.py PORT SERVE_PID ws|sse N SECONDS
Opens N subscribers to tailgate serve's /ws/ticks or /sse/ticks, waits until every one has
received a tick, then for SECONDS: drains every socket (one selector, no parsing) and parses
the ticks of the first and the last subscriber (the first and last in the server's fan-out
order), and reads the server's CPU time (utime + stime, /proc/SERVE_PID/stat) and
/__stats at both ends of the window. Prints one JSON object.
"""
import base64
import json
import os
import resource
import selectors
import socket
import sys
import time

PORT, PID, KIND, N, SECONDS = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
HZ = os.sysconf("SC_CLK_TCK")
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def cpu_s():
    """(user, system) CPU seconds of the server."""
    f = open(f"/proc/{PID}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) / HZ, int(f[12]) / HZ


def stats():
    s = socket.create_connection(("127.0.0.1", PORT))
    s.sendall(b"GET /__stats HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    return json.loads(data.split(b"\r\n\r\n", 1)[1])


def subscribe():
    s = socket.create_connection(("127.0.0.1", PORT))
    if KIND == "ws":
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /ws/ticks HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
    else:
        s.sendall(b"GET /sse/ticks HTTP/1.1\r\nHost: b\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    s.setblocking(False)
    return s, buf.split(b"\r\n\r\n", 1)[1]


class Parser:
    """Tick latencies (receive time - ts_us) of one subscriber."""

    def __init__(self, rest):
        self.buf, self.lat = rest, []

    def feed(self, data, t_us):
        self.buf += data
        while True:
            if KIND == "ws":
                if len(self.buf) < 2 or len(self.buf) < 2 + (self.buf[1] & 0x7F):
                    return
                n = self.buf[1] & 0x7F
                body, self.buf = self.buf[2:2 + n], self.buf[2 + n:]
            else:
                if b"\n\n" not in self.buf:
                    return
                ev, self.buf = self.buf.split(b"\n\n", 1)
                body = ev.split(b"data: ", 1)[1]
            self.lat.append((t_us - json.loads(body)["ts_us"]) / 1000)


def pct(xs, q):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 3) if xs else None


socks = []
for i in range(N):
    socks.append(subscribe())
sel = selectors.DefaultSelector()
parsers = {}
got = set()
for i, (s, _) in enumerate(socks):
    sel.register(s, selectors.EVENT_READ, i)


def pump(until, record):
    while time.time() < until:
        for key, _ in sel.select(0.05):
            i = key.data
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                raise SystemExit(f"subscriber {i} closed")
            got.add(i)
            if record and i in parsers:
                parsers[i].feed(data, time.time_ns() // 1000)


deadline = time.time() + 30
while len(got) < N and time.time() < deadline:
    pump(time.time() + 0.5, False)
pump(time.time() + 0.5, False)
first_stats, first_cpu = stats(), cpu_s()
# The two parsers start between reads. The server writes each tick with one send() and a
# subscriber that keeps up never has a partial tick pending, so reads end on tick
# boundaries; a misaligned start would fail json.loads loudly, not skew the figures.
parsers = {0: Parser(b""), N - 1: Parser(b"")}
pump(time.time() + SECONDS, True)
last_stats, last_cpu = stats(), cpu_s()
ticks = last_stats["ticks_produced"] - first_stats["ticks_produced"]
sent = (last_stats[KIND]["ticks_sent"] - first_stats[KIND]["ticks_sent"])
user = last_cpu[0] - first_cpu[0]
cpu = user + last_cpu[1] - first_cpu[1]
print(json.dumps({
    "kind": KIND, "subscribers": N, "connected": len(got), "seconds": SECONDS,
    "ticks": ticks, "deliveries": sent,
    "dropped": last_stats[KIND]["dropped_slow"],
    "server_cpu_s": round(cpu, 3), "server_user_s": round(user, 3),
    "cpu_us_per_tick": round(cpu * 1e6 / ticks, 1) if ticks else None,
    "cpu_ns_per_delivery": round(cpu * 1e9 / sent, 0) if sent else None,
    "first_sub_latency_ms": {"p50": pct(parsers[0].lat, 0.5), "p99": pct(parsers[0].lat, 0.99)},
    "last_sub_latency_ms": {"p50": pct(parsers[N - 1].lat, 0.5), "p99": pct(parsers[N - 1].lat, 0.99)},
}))
