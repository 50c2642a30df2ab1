#!/usr/bin/env python3
"""A PEP 503 / PEP 691 simple index over a directory of wheels, for tests and the benchmark.

Serves on 127.0.0.1 (a free port unless --port is given) and prints "PORT <n>" on stdout
once it listens. Stops on SIGTERM, SIGINT, or when its standard input closes (the test
that started it went away).

  /simple/                      the project list
  /simple/<project>/            JSON (application/vnd.pypi.simple.v1+json) or HTML,
                                chosen by the Accept header as PEP 691 says
  /files/<wheel>                the wheel
  /files/<wheel>.metadata       its METADATA (PEP 658), unless --no-metadata

Options: --auth USER:PASS (Basic auth on every request), --yank FILE[=REASON] (repeatable),
--corrupt FILE (serve other bytes than the hash says), --html-only, --no-metadata,
--log FILE (append each request path, for tests that count requests), --flaky N (the first N
requests for each path answer 503 with Retry-After: 0), --drop N (the first N requests for each
path get their connection closed with no answer).
"""
import argparse
import base64
import hashlib
import html
import json
import os
import re
import signal
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def read_metadata(path):
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            parts = n.split("/")
            if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
                return z.read(n)
    raise SystemExit(f"no METADATA in {path}")


def requires_python(metadata):
    head = metadata.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    for line in head.splitlines():
        if line.lower().startswith("requires-python:"):
            return line.split(":", 1)[1].strip()
    return None


def load(dirs, yanked):
    projects = {}
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if not name.endswith(".whl"):
                continue
            path = os.path.join(d, name)
            data = open(path, "rb").read()
            md = read_metadata(path)
            projects.setdefault(canonical(name.split("-")[0]), []).append({
                "filename": name,
                "path": path,
                "sha256": hashlib.sha256(data).hexdigest(),
                "metadata": md,
                "metadata_sha256": hashlib.sha256(md).hexdigest(),
                "requires_python": requires_python(md),
                "yanked": yanked.get(name),
            })
    return projects


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheelhouse", action="append", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--auth")
    ap.add_argument("--yank", action="append", default=[])
    ap.add_argument("--corrupt", action="append", default=[])
    ap.add_argument("--html-only", action="store_true")
    ap.add_argument("--no-metadata", action="store_true")
    ap.add_argument("--log")
    ap.add_argument("--flaky", type=int, default=0)
    ap.add_argument("--drop", type=int, default=0)
    args = ap.parse_args()

    yanked = {}
    for y in args.yank:
        name, _, reason = y.partition("=")
        yanked[name] = reason
    projects = load(args.wheelhouse, yanked)
    files = {f["filename"]: f for fs in projects.values() for f in fs}
    expected_auth = None
    if args.auth:
        expected_auth = "Basic " + base64.b64encode(args.auth.encode()).decode()
    log_lock = threading.Lock()
    seen = {}  # path -> requests so far, for --flaky and --drop

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes

        def log_message(self, *a):
            pass

        def send(self, status, body, content_type="text/plain"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="test index"')
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            with log_lock:
                if args.log:
                    with open(args.log, "a") as f:
                        f.write(self.path + "\n")
                n = seen[self.path] = seen.get(self.path, 0) + 1
            if n <= args.drop:
                self.close_connection = True
                return
            if n <= args.drop + args.flaky:
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if expected_auth and self.headers.get("Authorization") != expected_auth:
                return self.send(401, b"unauthorized\n")
            path = self.path.split("?", 1)[0]
            if path in ("/simple", "/simple/"):
                links = "".join(f'<a href="{p}/">{p}</a>\n' for p in sorted(projects))
                return self.send(200, f"<!DOCTYPE html><html><body>\n{links}</body></html>\n".encode(),
                                 "text/html")
            m = re.fullmatch(r"/simple/([^/]+)/?", path)
            if m:
                if not m.group(1) == canonical(m.group(1)) or m.group(1) not in projects:
                    return self.send(404, b"not found\n")
                return self.project(m.group(1))
            m = re.fullmatch(r"/files/([^/]+)", path)
            if m:
                name = m.group(1)
                if name.endswith(".metadata") and not args.no_metadata and name[:-9] in files:
                    return self.send(200, files[name[:-9]]["metadata"], "application/octet-stream")
                if name in files:
                    data = open(files[name]["path"], "rb").read()
                    if name in args.corrupt:
                        data = data[:-1] + bytes([data[-1] ^ 0xFF])
                    return self.send(200, data, "application/octet-stream")
            return self.send(404, b"not found\n")

        def project(self, name):
            accept = self.headers.get("Accept", "")
            if "application/vnd.pypi.simple.v1+json" in accept and not args.html_only:
                out = {"meta": {"api-version": "1.1"}, "name": name, "files": []}
                for f in projects[name]:
                    entry = {"filename": f["filename"], "url": "../../files/" + f["filename"],
                             "hashes": {"sha256": f["sha256"]}}
                    if f["requires_python"]:
                        entry["requires-python"] = f["requires_python"]
                    if not args.no_metadata:
                        entry["core-metadata"] = {"sha256": f["metadata_sha256"]}
                    entry["yanked"] = f["yanked"] if f["yanked"] else (f["yanked"] is not None)
                    out["files"].append(entry)
                return self.send(200, json.dumps(out).encode(), "application/vnd.pypi.simple.v1+json")
            links = []
            for f in projects[name]:
                attrs = f'href="../../files/{f["filename"]}#sha256={f["sha256"]}"'
                if f["requires_python"]:
                    attrs += f' data-requires-python="{html.escape(f["requires_python"])}"'
                if not args.no_metadata:
                    attrs += f' data-dist-info-metadata="sha256={f["metadata_sha256"]}"'
                    attrs += f' data-core-metadata="sha256={f["metadata_sha256"]}"'
                if f["yanked"] is not None:
                    attrs += f' data-yanked="{html.escape(f["yanked"])}"'
                links.append(f'    <a {attrs}>{f["filename"]}</a><br/>\n')
            body = ("<!DOCTYPE html>\n<html>\n  <head><meta name=\"pypi:repository-version\" "
                    f"content=\"1.1\"><title>Links for {name}</title></head>\n  <body>\n"
                    + "".join(links) + "  </body>\n</html>\n")
            ctype = "application/vnd.pypi.simple.v1+html" if "vnd.pypi.simple.v1+html" in accept else "text/html"
            return self.send(200, body.encode(), ctype)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(1024):
                pass
        except Exception:
            pass
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
