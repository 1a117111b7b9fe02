#!/usr/bin/env python3
"""A deliberately broken HTTP server for tailgate's integration tests.

Usage: hostile.py PORT MODE   (listens on 127.0.0.1 only; exits after 120 s)
Modes:
  malformed      answers "HTTP/1.1 OK\r\n\r\n" (no status code)
  bigheader      a 64 KiB header line
  infinite       a chunked body that never ends (a chunk every ms)
  reset          headers + half the body, then RST
  badchunk       a chunked body with a non-hex size
  eof            closes right after the status line
  closebody      close-delimited body (no length), valid
  slow           never answers (for timeouts)
  keepclose      valid response, then closes the idle keep-alive connection
  redirectloop   every request is answered "302 Found" with "Location: /loop"
WebSocket and SSE modes (the client's request head is what they answer to):
  ws_echo_head   a valid 101, then a text message holding the client's request head; then
                 echoes text messages and answers a close frame with the same code
  ws_bad_accept  101 with a wrong Sec-WebSocket-Accept
  ws_masked      a valid 101, then a masked text frame (a server must not mask)
  ws_rsv         a valid 101, then a text frame with RSV1 set (no extension was agreed)
  ws_bad_utf8    a valid 101, then a text frame that is not UTF-8
  ws_too_big     a valid 101, then a frame header announcing a 2 MiB message
  ws_garbage     a valid 101, then 256 bytes of noise
  ws_eof         a valid 101, one text message, then the TCP connection closes (no close frame)
  ws_flood       a valid 101, then 20,000 text messages "N:xxx..." of 1,000 bytes, N from 1,
                 as fast as the socket takes them, then a close frame 1000
  sse_echo_head  200 text/event-stream, chunked: an event whose data lines are the client's
                 request head, then events id 1..3 with CRLF lines split across chunks; ends
  sse_big        200 text/event-stream: an event with 2 MiB of data
  sse_badchunk   200 text/event-stream, chunked: one event, then (0.2 s later) a chunk size
                 that is not hex
  sse_flood      200 text/event-stream, chunked: 20,000 events "id: N" of 1,000 bytes, then ends
Every mode answers GET /__count with the number of requests it read before (not counted).
"""
import base64
import hashlib
import socket
import struct
import sys
import threading
import time

PORT = int(sys.argv[1])
MODE = sys.argv[2]
DEADLINE = time.time() + 120


COUNT = [0]
LOCK = threading.Lock()


def read_request(c):
    """Reads one request head (returned); answers /__count itself. None at EOF."""
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            chunk = c.recv(65536)
            if not chunk:
                return None
            data += chunk
        if not data.startswith(b"GET /__count "):
            with LOCK:
                COUNT[0] += 1
            return data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
        with LOCK:
            body = b"%d" % COUNT[0]
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        data = data.split(b"\r\n\r\n", 1)[1]


GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(op, payload, fin=True, rsv=0, mask=None):
    """A server frame (unmasked unless mask is given)."""
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, m | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, m | 126, n)
    else:
        head = struct.pack("!BBQ", b0, m | 127, n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return head + mask + payload
    return head + payload


def accept_101(c, head, bad=False):
    key = b""
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-key:"):
            key = line.split(b":", 1)[1].strip()
    acc = base64.b64encode(hashlib.sha1(key + (b"x" if bad else GUID)).digest())
    c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")


def read_frame(c, buf):
    """One client frame: (opcode, payload, rest of buf); None at EOF."""
    while True:
        if len(buf) >= 2:
            n = buf[1] & 0x7F
            off = 2
            if n == 126 and len(buf) >= 4:
                n = struct.unpack("!H", buf[2:4])[0]
                off = 4
            elif n == 127 and len(buf) >= 10:
                n = struct.unpack("!Q", buf[2:10])[0]
                off = 10
            if (buf[1] & 0x7F) < 126 or off > 2:
                if len(buf) >= off + 4 + n:
                    mask = buf[off:off + 4]
                    p = bytes(b ^ mask[i % 4] for i, b in enumerate(buf[off + 4:off + 4 + n]))
                    return buf[0] & 0x0F, p, buf[off + 4 + n:]
        d = c.recv(65536)
        if not d:
            return None
        buf += d


def ws_serve_echo(c):
    buf = b""
    while True:
        f = read_frame(c, buf)
        if f is None:
            return
        op, p, buf = f
        if op == 1:
            c.sendall(frame(1, p))
        elif op == 8:
            c.sendall(frame(8, p))
            return


def ws_mode(c, head):
    if MODE == "ws_bad_accept":
        accept_101(c, head, bad=True)
        time.sleep(1)
        return
    accept_101(c, head)
    if MODE == "ws_echo_head":
        c.sendall(frame(1, head))
        ws_serve_echo(c)
    elif MODE == "ws_masked":
        c.sendall(frame(1, b"masked", mask=b"\x01\x02\x03\x04"))
    elif MODE == "ws_rsv":
        c.sendall(frame(1, b"rsv", rsv=4))
    elif MODE == "ws_bad_utf8":
        c.sendall(frame(1, b"\xff\xfe bad"))
    elif MODE == "ws_too_big":
        c.sendall(struct.pack("!BBQ", 0x82, 127, 2 << 20) + b"x" * 1000)
    elif MODE == "ws_garbage":
        c.sendall(bytes((i * 37 + 11) % 256 for i in range(256)))
    elif MODE == "ws_eof":
        c.sendall(frame(1, b"last words"))
        return
    elif MODE == "ws_flood":
        for i in range(1, 20001):
            t = b"%d:" % i
            c.sendall(frame(1, t + b"x" * (1000 - len(t))))
        c.sendall(frame(8, struct.pack("!H", 1000)))
    ws_serve_echo(c)


def chunk(b):
    return b"%x\r\n%s\r\n" % (len(b), b)


def sse_mode(c, head):
    if MODE == "sse_big":
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        c.sendall(b"data: " + b"y" * (2 << 20) + b"\n\n")
        time.sleep(1)
        return
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    if MODE == "sse_badchunk":
        c.sendall(chunk(b"data: one\n\n"))
        time.sleep(0.2)
        c.sendall(b"zz\r\ndata: two\n\n\r\n")
        time.sleep(1)
        return
    if MODE == "sse_echo_head":
        lines = head.rstrip(b"\r\n").split(b"\r\n")
        c.sendall(chunk(b"".join(b"data: " + l + b"\n" for l in lines) + b"\n"))
        body = b"id: 1\r\nevent: tick\r\ndata: one\r\n\r\nid: 2\r\ndata: two\r\n\r\n: c\r\nid: 3\r\ndata: three\r\n\r\n"
        for i in range(0, len(body), 7):
            c.sendall(chunk(body[i:i + 7]))
            time.sleep(0.001)
    elif MODE == "sse_flood":
        out = []
        for i in range(1, 20001):
            t = b"id: %d\ndata: " % i
            out.append(chunk(t + b"z" * (1000 - len(t) - 2) + b"\n\n"))
            if len(out) == 100:
                c.sendall(b"".join(out))
                out = []
    c.sendall(b"0\r\n\r\n")
    time.sleep(0.5)


def handle(c):
    try:
        while True:
            head = read_request(c)
            if not head:
                break
            if MODE.startswith("ws_"):
                ws_mode(c, head)
                return
            if MODE.startswith("sse_"):
                sse_mode(c, head)
                return
            if MODE == "malformed":
                c.sendall(b"HTTP/1.1 OK\r\n\r\n")
            elif MODE == "bigheader":
                c.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 65536 + b"\r\nContent-Length: 0\r\n\r\n")
            elif MODE == "infinite":
                c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                while time.time() < DEADLINE:
                    c.sendall(b"400\r\n" + b"x" * 1024 + b"\r\n")
            elif MODE == "reset":
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 500)
                time.sleep(0.01)
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                c.close()
                return
            elif MODE == "badchunk":
                c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
            elif MODE == "eof":
                c.sendall(b"HTTP/1.1 200 OK\r\n")
                c.close()
                return
            elif MODE == "closebody":
                c.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello, closed")
                c.close()
                return
            elif MODE == "slow":
                time.sleep(max(0, DEADLINE - time.time()))
                return
            elif MODE == "redirectloop":
                c.sendall(b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n")
            elif MODE == "keepclose":
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                c.settimeout(0.05)
                try:
                    if not read_request(c):
                        return
                except socket.timeout:
                    c.close()
                    return
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                c.close()
                return
    except OSError:
        pass
    finally:
        try:
            c.close()
        except OSError:
            pass


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", PORT))
    s.listen(512)
    s.settimeout(1)
    while time.time() < DEADLINE:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(c,), daemon=True).start()


main()
