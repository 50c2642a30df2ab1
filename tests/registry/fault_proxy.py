#!/usr/bin/python3
"""A fault-injecting HTTP proxy for the registry client's tests, on loopback.

Forwards every request to --upstream (HOST:PORT) with its Host header unchanged, so the
registry's Location headers keep pointing at the proxy. Rules, set by the test with
POST /_fault/rules and a JSON body {"rules": [RULE, ...]} (replacing earlier ones and
clearing the stats), decide
which requests fail instead:

  {"method": "PUT", "path": "/blobs/uploads/", "times": 2, "action": "status",
   "status": 500, "retry_after": "3"}

  method   matches the request method ("" or absent: any)
  path     a substring of the request path ("" or absent: any)
  skip     let this many matching requests through first (default 0)
  times    how many matching requests then get the fault (-1: every one)
  action   "status":       answer `status` (with Retry-After when given), body read and dropped
           "drop_mid_body": read half the request body, then close the connection unanswered
           "drop_after_forward": forward the request, then close without passing the answer on
           "page_tags":    answer GET .../tags/list?n=N[&last=T] one page at a time, with a
                           Link rel="next" header, as newer registries do (distribution 2.8.2
                           ignores n and answers every tag at once)

GET /_fault/stats answers {"requests": N, "faults": N, "log": ["METHOD PATH -> what", ...]}.
The bound port is written to --ready-file once listening. Standard library only.
"""
import argparse
import http.client
import http.server
import json
import os
import socket
import threading
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate"}


class State:
    def __init__(self, upstream):
        self.upstream = upstream
        self.lock = threading.Lock()
        self.rules = []
        self.requests = 0
        self.faults = 0
        self.log = []

    def match(self, method, path):
        """The action for this request, or None; counts it against the rule that fired."""
        with self.lock:
            self.requests += 1
            for rule in self.rules:
                if rule.get("method") and rule["method"] != method:
                    continue
                if rule.get("path") and rule["path"] not in path:
                    continue
                if rule.get("skip", 0) > 0:
                    rule["skip"] -= 1
                    continue
                if rule.get("times", 1) == 0:
                    continue
                if rule.get("times", 1) > 0:
                    rule["times"] = rule.get("times", 1) - 1
                self.faults += 1
                return dict(rule)
            return None

    def record(self, line):
        with self.lock:
            self.log.append(line)


def make_handler(state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def body_length(self):
            return int(self.headers.get("Content-Length", "0") or "0")

        def read_body(self):
            length = self.body_length()
            return self.rfile.read(length) if length > 0 else b""

        def reply_json(self, status, obj, extra=()):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":  # a body would be read as the next answer's start
                self.wfile.write(data)

        def drop(self):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def control(self):
            if self.command == "POST" and self.path == "/_fault/rules":
                rules = json.loads(self.read_body() or b"{}").get("rules", [])
                with state.lock:
                    state.rules = rules
                    state.requests, state.faults, state.log = 0, 0, []
                self.reply_json(200, {"rules": len(rules)})
            elif self.command == "GET" and self.path == "/_fault/stats":
                with state.lock:
                    stats = {"requests": state.requests, "faults": state.faults, "log": state.log}
                self.reply_json(200, stats)
            else:
                self.reply_json(404, {"error": "unknown control path"})

        def forward(self, body):
            conn = http.client.HTTPConnection(state.upstream, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            return conn, response, data

        def page_tags(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            n = int(query.get("n", ["100"])[0])
            last = query.get("last", [""])[0]
            saved_path, self.path = self.path, url.path
            conn, response, data = self.forward(b"")
            self.path = saved_path
            conn.close()
            if response.status != 200:
                self.reply_json(response.status, json.loads(data or b"{}"))
                return
            listing = json.loads(data)
            tags = sorted(t for t in (listing.get("tags") or []) if t > last)
            page, rest = tags[:n], tags[n:]
            extra = []
            if rest:
                next_query = urllib.parse.urlencode({"last": page[-1], "n": n})
                extra.append(("Link", f"<{url.path}?{next_query}>; rel=\"next\""))
            state.record(f"GET {self.path} -> page of {len(page)} (injected)")
            self.reply_json(200, {"name": listing.get("name"), "tags": page}, extra)

        def handle_any(self):
            if self.path.startswith("/_fault/"):
                self.control()
                return
            rule = state.match(self.command, self.path)
            action = rule.get("action") if rule else None
            if action == "status":
                self.read_body()
                state.record(f"{self.command} {self.path} -> {rule['status']} (injected)")
                extra = [("Retry-After", rule["retry_after"])] if rule.get("retry_after") else []
                self.reply_json(rule["status"], {"errors": [
                    {"code": "UNAVAILABLE", "message": "injected fault"}]}, extra)
                return
            if action == "drop_mid_body":
                half = self.body_length() // 2
                if half > 0:
                    self.rfile.read(half)
                state.record(f"{self.command} {self.path} -> dropped mid-body (injected)")
                self.drop()
                return
            if action == "page_tags":
                self.page_tags()
                return
            body = self.read_body()
            conn, response, data = self.forward(body)
            if action == "drop_after_forward":
                conn.close()
                state.record(f"{self.command} {self.path} -> forwarded, answer dropped (injected)")
                self.drop()
                return
            state.record(f"{self.command} {self.path} -> {response.status}")
            self.send_response(response.status, response.reason)
            length_sent = False
            for k, v in response.getheaders():
                if k.lower() in HOP_BY_HOP:
                    continue
                if k.lower() == "content-length":
                    length_sent = True
                self.send_header(k, v)
            if not length_sent:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--ready-file", required=True)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(State(args.upstream)))
    server.daemon_threads = True
    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.ready_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
