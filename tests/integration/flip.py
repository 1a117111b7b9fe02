"""A kill-switch endpoint for the tests: answers 200 until the file FLAG exists,
then 503. Usage: python3 flip.py PORT FLAG (runs until killed)."""
import http.server
import os
import sys

PORT, FLAG = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 503 if os.path.exists(FLAG) else 200
        body = b"stop\n" if code == 503 else b"go\n"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
