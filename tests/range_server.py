"""A static HTTP server that answers range requests, as object storage
behind a plain URL does: HEAD and GET, `Range: bytes=a-b`, an ETag per
file, and `If-Match` (412 when the file is no longer that version).

With SIG, it answers only requests that carry it, as a presigned URL's
query (`sig=SIG`) or as basic credentials (`gate:SIG`): anything else is
403, and so is a HEAD with the query (a presigned URL is signed for GET
only).

Usage: range_server.py PORT DIR [SIG]
"""

import base64
import hashlib
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


class Handler(BaseHTTPRequestHandler):
    root = "."
    sig = None

    def log_message(self, *args):
        pass

    def allowed(self, head):
        if self.sig is None:
            return True
        query = parse_qs(urlsplit(self.path).query)
        basic = "Basic " + base64.b64encode(f"gate:{self.sig}".encode()).decode()
        if self.headers.get("Authorization") == basic:
            return True
        return query.get("sig") == [self.sig] and not head

    def target(self):
        relative = unquote(urlsplit(self.path).path).lstrip("/")
        path = os.path.normpath(os.path.join(self.root, relative))
        if not path.startswith(os.path.abspath(self.root)) or not os.path.isfile(path):
            self.send_error(404)
            return None
        with open(path, "rb") as f:
            data = f.read()
        return data, '"%s"' % hashlib.sha256(data).hexdigest()[:32]

    def answer(self, body):
        if not self.allowed(not body):
            self.send_error(403)
            return
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
    Handler.sig = sys.argv[3] if len(sys.argv) > 3 else None
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
