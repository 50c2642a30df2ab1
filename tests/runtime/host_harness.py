"""Runs the runtime host (templates/python/host.py) as a real process and talks HTTP to it.

The host is started exactly as the image starts it, `/usr/bin/python3 -I host.py`, against a
temporary app directory, with PORT=0 so it binds a free port and reports it on its "listening on"
line. Every wait is bounded by WAIT, a generous limit that turns a hang into a failure; no test
asserts how long anything took.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import tempfile
import textwrap
import threading
import time

PYTHON = "/usr/bin/python3"  # Debian's 3.11, what the image carries
HOST_SCRIPT = os.environ.get("IGNITE_HOST_SCRIPT") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../templates/python/host.py"))
WAIT = 60.0
ULID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid_millis(ulid):
    """The 48-bit millisecond timestamp at the front of a ULID."""
    value = 0
    for c in ulid:
        value = value * 32 + _CROCKFORD.index(c)
    return value >> 80


def make_ulid(millis, random_bits):
    value = (millis << 80) | random_bits
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def write_tree(root, files):
    """Writes {relative path: text} under root (texts are dedented) and returns root."""
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
    return root


def make_app(add_cleanup, files):
    """A temporary app directory holding files, removed by add_cleanup (a test's addCleanup)."""
    tmp = tempfile.TemporaryDirectory(prefix="ignite-host-test-")
    add_cleanup(tmp.cleanup)
    return write_tree(tmp.name, files)


class _LineCollector:
    """Reads a pipe line by line on a thread so tests can wait for a line to appear."""

    def __init__(self, pipe):
        self.lines = []
        self._cond = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(pipe,), daemon=True)
        self._thread.start()

    def _run(self, pipe):
        for raw in pipe:
            with self._cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    def wait_for(self, pattern, timeout=WAIT):
        """The first match of pattern in a line, waiting for it; None if the pipe closed first."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    match = regex.search(line)
                    if match:
                        return match
                remaining = deadline - time.monotonic()
                if self._done or remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def join(self):
        self._thread.join(WAIT)

    def text(self):
        with self._cond:
            return "\n".join(self.lines)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # an http.client.HTTPMessage: case-insensitive get()
        self.body = body

    def json(self):
        return json.loads(self.body)


class Host:
    """One host process, killed if still running by add_cleanup (a test's addCleanup)."""

    def __init__(self, add_cleanup, app_dir, env=None, port="0"):
        self.port = None
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "IGNITE_APP_DIR": app_dir,
            "IGNITE_BIND_ADDRESS": "127.0.0.1",
            "PORT": port,
        }
        full_env.update(env or {})
        self.proc = subprocess.Popen([PYTHON, "-I", HOST_SCRIPT], env=full_env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.stderr = _LineCollector(self.proc.stderr)
        self.stdout = _LineCollector(self.proc.stdout)
        add_cleanup(self.close)

    def start(self):
        """Waits for the "listening on" line and returns self; fails with the log if it exits."""
        match = self.stderr.wait_for(r"listening on 127\.0\.0\.1:(\d+) ")
        if match is None:
            raise AssertionError(f"host did not start:\n{self.stderr.text()}")
        self.port = int(match.group(1))
        return self

    def wait_exit(self):
        """The exit code, waiting for the process (and its output) to end."""
        code = self.proc.wait(WAIT)
        self.stderr.join()
        self.stdout.join()
        return code

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(WAIT)
        self.stderr.join()
        self.stdout.join()
        self.proc.stdout.close()
        self.proc.stderr.close()

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)

    def request(self, method, path="/", body=None, headers=None):
        conn = self.connection()
        try:
            return send(conn, method, path, body, headers)
        finally:
            conn.close()

    def raw(self, data, method="POST"):
        """Sends raw request bytes and reads one response (for framing http.client won't make)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=WAIT) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            response = http.client.HTTPResponse(sock, method=method)
            response.begin()
            return Response(response.status, response.headers, response.read())


def send(conn, method, path="/", body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return Response(response.status, response.headers, response.read())
