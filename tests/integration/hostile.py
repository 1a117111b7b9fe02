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
Every mode answers GET /__count with the number of requests it read before (not counted).
"""
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
    """Reads one request head; answers /__count itself. False at EOF."""
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            chunk = c.recv(65536)
            if not chunk:
                return False
            data += chunk
        if not data.startswith(b"GET /__count "):
            with LOCK:
                COUNT[0] += 1
            return True
        with LOCK:
            body = b"%d" % COUNT[0]
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        data = data.split(b"\r\n\r\n", 1)[1]


def handle(c):
    try:
        while read_request(c):
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
