"""A static HTTP server that answers range requests, as object storage
behind a plain URL does: HEAD and GET, `Range: bytes=a-b`, an ETag per
file, and `If-Match` (412 when the file is no longer that version).

Usage: range_server.py PORT DIR
"""

import hashlib
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    root = "."

    def log_message(self, *args):
        pass

    def target(self):
        path = os.path.normpath(os.path.join(self.root, self.path.lstrip("/")))
        if not path.startswith(os.path.abspath(self.root)) or not os.path.isfile(path):
            self.send_error(404)
            return None
        with open(path, "rb") as f:
            data = f.read()
        return data, '"%s"' % hashlib.sha256(data).hexdigest()[:32]

    def answer(self, body):
        found = self.target()
        if found is None:
            return
        data, etag = found
        match = self.headers.get("If-Match")
        if match and match != "*" and etag not in [m.strip() for m in match.split(",")]:
            self.send_error(412)
            return
        status, start, end = 200, 0, len(data)
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if wanted:
            start = int(wanted.group(1))
            end = min(len(data), int(wanted.group(2)) + 1) if wanted.group(2) else len(data)
            if start >= len(data):
                self.send_error(416)
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Length", str(end - start))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", "Wed, 15 Oct 2025 12:00:00 GMT")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
        self.end_headers()
        if body:
            self.wfile.write(data[start:end])

    def do_HEAD(self):
        self.answer(False)

    def do_GET(self):
        self.answer(True)


if __name__ == "__main__":
    Handler.root = os.path.abspath(sys.argv[2])
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
