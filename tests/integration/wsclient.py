#!/usr/bin/env python3
"""A small WebSocket and SSE client for tailgate's stream tests (stdlib only).

Usage: wsclient.py PORT COMMAND [ARGS]   (127.0.0.1 only; every command is bounded in time)
Commands print one JSON object on stdout:
  rate SECONDS         a WebSocket and an SSE subscriber side by side for SECONDS: tick counts,
                       whether seqs went up by exactly 1, tick latency (receive - ts_us)
  echo                 text, binary, a fragmented text with a ping between its fragments, a
                       ping, then close 4001 "bye": what came back
  resume               SSE Last-Event-ID: a recent id (replay) and an id in the future
  handshakes N         N WebSocket handshakes one after another: each one's time to the 101
  storm N SECONDS      one subscriber measures tick latency while N clients reconnect in a
                       loop for SECONDS (each reconnect is a new TCP connection + handshake)
  hostile CASE         a WebSocket session that breaks the protocol; the close code received
  slow ws|sse SECONDS  a subscriber with a tiny receive buffer that does not read for SECONDS,
                       then reads everything: how the stream ended
"""
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time

PORT = int(sys.argv[1])
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
DEADLINE = time.time() + 60


def now_us():
    return time.time_ns() // 1000


def connect(rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(10)
    s.connect(("127.0.0.1", PORT))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Conn:
    """Buffered reads over one socket."""

    def __init__(self, s, buf=b""):
        self.s, self.buf = s, buf

    def need(self, n):
        while len(self.buf) < n:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d

    def take(self, n):
        self.need(n)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def until(self, sep):
        while sep not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        out, self.buf = self.buf.split(sep, 1)
        return out

    def eof(self, timeout=3):
        """True when the peer closes (after whatever is still buffered)."""
        self.s.settimeout(timeout)
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    return True
        except OSError:
            return False


def ws_open(extra="", rcvbuf=None):
    """Handshake; returns (Conn, seconds to the 101). Checks the accept key."""
    s = connect(rcvbuf)
    key = base64.b64encode(os.urandom(16)).decode()
    t0 = time.perf_counter()
    s.sendall((f"GET /ws/ticks HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\n{extra}\r\n").encode())
    c = Conn(s)
    head = c.until(b"\r\n\r\n").decode()
    took = time.perf_counter() - t0
    want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    assert head.startswith("HTTP/1.1 101 "), head
    assert f"Sec-WebSocket-Accept: {want}" in head, head
    return c, took


def frame(op, payload=b"", fin=True, mask=True, rsv=0):
    b = bytes([(0x80 if fin else 0) | (rsv << 4) | op])
    m = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        b += bytes([m | n])
    elif n < 65536:
        b += bytes([m | 126]) + struct.pack(">H", n)
    else:
        b += bytes([m | 127]) + struct.pack(">Q", n)
    if mask:
        k = os.urandom(4)
        b += k
        payload = bytes(x ^ k[i % 4] for i, x in enumerate(payload))
    return b + payload


def read_frame(c):
    """(opcode, payload) of the next server frame; server frames must be unmasked and final."""
    b0, b1 = c.take(2)
    assert b1 & 0x80 == 0, "server frame is masked"
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", c.take(2))[0]
    elif n == 127:
        n = struct.unpack(">Q", c.take(8))[0]
    return b0 & 0x0F, c.take(n)


def read_close(c, skip_ticks=True):
    """Reads frames up to the close frame; returns (code or None, reason)."""
    while True:
        op, p = read_frame(c)
        if op == 8:
            return (struct.unpack(">H", p[:2])[0] if len(p) >= 2 else None), p[2:].decode()
        assert skip_ticks and op == 1 and p.startswith(b'{"seq"'), (op, p)


def sse_open(last_id=None, rcvbuf=None):
    s = connect(rcvbuf)
    extra = f"Last-Event-ID: {last_id}\r\n" if last_id is not None else ""
    s.sendall(f"GET /sse/ticks HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode())
    c = Conn(s)
    head = c.until(b"\r\n\r\n").decode()
    assert head.startswith("HTTP/1.1 200 ") and "text/event-stream" in head, head
    return c


def sse_event(c):
    """(id, data dict) of the next event."""
    lines = c.until(b"\n\n").decode().split("\n")
    fields = dict(line.split(": ", 1) for line in lines)
    return int(fields["id"]), json.loads(fields["data"])


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else None


# ---- commands -----------------------------------------------------------------------------


def cmd_rate(seconds):
    seconds = float(seconds)
    out = {}

    def ws():
        c, _ = ws_open()
        seqs, lat = [], []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            op, p = read_frame(c)
            assert op == 1
            t = json.loads(p)
            seqs.append(t["seq"])
            lat.append((now_us() - t["ts_us"]) / 1000)
        out["ws"] = seqs
        out["ws_lat_ms_max"] = max(lat)
        c.s.sendall(frame(8, struct.pack(">H", 1000)))
        out["ws_close"] = read_close(c)[0]

    def sse():
        c = sse_open()
        seqs = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            i, d = sse_event(c)
            assert i == d["seq"]
            seqs.append(i)
        out["sse"] = seqs
        c.s.close()

    ts = [threading.Thread(target=ws), threading.Thread(target=sse)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    res = {"ws_close": out["ws_close"], "ws_lat_ms_max": round(out["ws_lat_ms_max"], 2)}
    for k in ("ws", "sse"):
        s = out[k]
        res[k + "_count"] = len(s)
        res[k + "_contiguous"] = all(b == a + 1 for a, b in zip(s, s[1:]))
    print(json.dumps(res))


def cmd_echo():
    c, _ = ws_open()
    s = c.s
    s.sendall(frame(1, "héllo ✓".encode()))
    s.sendall(frame(2, bytes(range(256)) * 20))  # 5120 bytes, 16-bit length
    s.sendall(frame(1, b"frag", fin=False) + frame(9, b"mid") + frame(0, b"men", fin=False)
              + frame(0, "ted €".encode()))
    s.sendall(frame(9, b"ping!"))
    got = []
    while len(got) < 5:
        op, p = read_frame(c)
        if op == 1 and p.startswith(b'{"seq"'):
            continue
        got.append([op, p.decode("latin-1")])
    s.sendall(frame(8, struct.pack(">H", 4001) + b"bye"))
    code, reason = read_close(c)
    print(json.dumps({
        "text": got[0] == [1, "héllo ✓".encode().decode("latin-1")],
        "binary": got[1] == [2, (bytes(range(256)) * 20).decode("latin-1")],
        "pong_mid": got[2] == [10, "mid"],
        "fragmented": got[3] == [1, "fragmented €".encode().decode("latin-1")],
        "pong": got[4] == [10, "ping!"],
        "close_code": code, "close_reason": reason, "eof": c.eof(),
    }))


def cmd_resume():
    c = sse_open()
    first, _ = sse_event(c)
    while True:
        last, _ = sse_event(c)
        if last >= first + 5:
            break
    c.s.close()
    # A recent id: the history replays from id + 1, nothing older, no gap.
    time.sleep(0.25)
    c = sse_open(last_id=last - 3)
    replay = [sse_event(c)[0] for _ in range(8)]
    c.s.close()
    # An id ahead of the feed: nothing until the feed passes it.
    c = sse_open()
    cur, _ = sse_event(c)
    c.s.close()
    ahead = cur + 4
    c = sse_open(last_id=ahead)
    nxt = [sse_event(c)[0] for _ in range(3)]
    c.s.close()
    print(json.dumps({"last": last, "replay": replay, "ahead": ahead, "after_ahead": nxt}))


def cmd_handshakes(n):
    times = []
    for _ in range(int(n)):
        c, took = ws_open()
        times.append(took * 1000)
        c.s.close()
    print(json.dumps({"ms": [round(t, 2) for t in times], "median_ms": round(pct(times, 0.5), 2)}))


def cmd_storm(n, seconds):
    n, seconds = int(n), float(seconds)
    lat = []
    stop = [False]

    def watch():
        c, _ = ws_open()
        while not stop[0]:
            op, p = read_frame(c)
            t = json.loads(p)
            lat.append((time.perf_counter(), (now_us() - t["ts_us"]) / 1000))
        c.s.close()

    reconnects = [0]

    def churn():
        while not stop[0]:
            c, _ = ws_open()
            c.s.close()
            reconnects[0] += 1

    w = threading.Thread(target=watch)
    w.start()
    time.sleep(seconds)  # baseline
    t_storm = time.perf_counter()
    ts = [threading.Thread(target=churn) for _ in range(n)]
    [t.start() for t in ts]
    time.sleep(seconds)
    stop[0] = True
    [t.join() for t in ts]
    w.join()
    before = [l for t, l in lat if t < t_storm]
    during = [l for t, l in lat if t >= t_storm]
    print(json.dumps({"reconnects": reconnects[0],
                      "before_p99_ms": round(pct(before, 0.99), 2),
                      "during_p99_ms": round(pct(during, 0.99), 2),
                      "before_n": len(before), "during_n": len(during)}))


HOSTILE = {
    "unmasked": frame(1, b"hello", mask=False),
    "rsv1": frame(1, b"hello", rsv=4),
    "opcode3": frame(3, b""),
    "ping_fragmented": frame(9, b"", fin=False),
    "ping_too_long": frame(9, b"x" * 126),
    "cont_first": frame(0, b"x"),
    "text_in_text": frame(1, b"a", fin=False) + frame(1, b"b"),
    "bad_utf8": frame(1, b"ok \xff"),
    "close_1005": frame(8, struct.pack(">H", 1005)),
    "close_one_byte": frame(8, b"\x03"),
    "too_big": frame(2, b"x" * 9000),
    "len64_top_bit": b"\x82\xff\x80\x00\x00\x00\x00\x00\x00\x01abcd",
    "garbage": b"\xff" * 64,
}


def cmd_hostile(case):
    c, _ = ws_open()
    c.s.sendall(HOSTILE[case])
    code, reason = read_close(c)
    print(json.dumps({"code": code, "reason": reason, "eof": c.eof()}))


def cmd_slow(kind, seconds):
    seconds = float(seconds)
    if kind == "ws":
        c, _ = ws_open(rcvbuf=4096)
    else:
        c = sse_open(rcvbuf=4096)
    time.sleep(seconds)
    c.s.settimeout(10)
    res = {"ticks": 0}
    try:
        if kind == "ws":
            code, reason = read_close(c)
            res.update(code=code, reason=reason)
        else:
            while True:
                sse_event(c)
                res["ticks"] += 1
    except EOFError:
        res["eof"] = True
    res["eof"] = res.get("eof") or c.eof()
    print(json.dumps(res))


cmd = sys.argv[2]
globals()["cmd_" + cmd](*sys.argv[3:])
