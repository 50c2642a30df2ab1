#!/usr/bin/env python3
"""An HTTP/1.1 server that says what it was sent, for the HTTP client's tests.

Serves on 127.0.0.1 (a free port) and prints "PORT <n>" on stdout once it listens. Stops on
SIGTERM, SIGINT, or when its standard input closes (the test that started it went away).
Connections are kept alive, as a registry keeps them.

  /echo              200, a JSON object of the request: method, path, headers (names
                     lowercased), body_length, body_sha256, body (when under 1 KiB), and
                     client_port (the same for requests over one kept-alive connection)
  /redirect?to=URL   302 to URL
  /bytes?n=N         200, N bytes "x" (Content-Type: text/plain; charset=utf-8)
  /status?code=N     N, body "status N"
  /gzip              200, "compressed text\\n", gzip-encoded when Accept-Encoding allows it

A connection that starts with a TLS handshake record is answered 400 and closed, as Go's
HTTP server (the registry's) does, so that a client speaking TLS to it fails at once.
"""
import gzip
import hashlib
import json
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TLS_HANDSHAKE = b"\x16"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def handle(self):
        if self.connection.recv(1, socket.MSG_PEEK) == TLS_HANDSHAKE:
            self.connection.sendall(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        super().handle()

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                chunk = self.rfile.read(size + 2)[:size]
                if size == 0:
                    return body
                body += chunk
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def serve(self):
        body = self.read_body()
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/echo":
            echo = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body_length": len(body),
                "body_sha256": hashlib.sha256(body).hexdigest(),
                "client_port": self.client_address[1],
            }
            if len(body) < 1024:
                echo["body"] = body.decode("latin-1")
            self.answer(200, json.dumps(echo).encode(), [("Content-Type", "application/json")])
        elif url.path == "/redirect":
            self.answer(302, headers=[("Location", query["to"])])
        elif url.path == "/bytes":
            self.answer(200, b"x" * int(query["n"]),
                        [("Content-Type", "text/plain; charset=utf-8")])
        elif url.path == "/status":
            code = int(query["code"])
            self.answer(code, f"status {code}".encode())
        elif url.path == "/gzip":
            text = b"compressed text\n"
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                self.answer(200, gzip.compress(text), [("Content-Encoding", "gzip")])
            else:
                self.answer(200, text)
        else:
            self.answer(404, b"no such path")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = serve


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        sys.stdin.read()  # returns when the test closes its end
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
