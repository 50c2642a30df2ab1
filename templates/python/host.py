"""ignite runtime host: the HTTP server that wraps the user's handler(payload, ctx).

Baked into every image at /opt/ignite/host/host.py and started as
    /usr/bin/python3 -I /opt/ignite/host/host.py
It imports handler.py from the app directory (IGNITE_APP_DIR, default /app), listens on PORT
(default 8080), answers the readiness probe GET /_ignite/ready itself and hands every other
request's raw body to handler(payload, ctx). The contract, the environment variables, the exit
codes and the log format are in README.md beside this file.

Standard library only: the image holds the stdlib and the user's requirements, nothing else. One
file on purpose: under -I the script's directory is not on sys.path, so a sibling module would
need a path entry that user code could then see and shadow.
"""

import contextlib
import http.server
import importlib.util
import inspect
import json
import os
import re
import signal
import site
import socket
import socketserver
import sys
import threading
import time
import traceback

READY_PATH = "/_ignite/ready"
EXECUTION_ID_HEADER = "X-Ignite-Execution-Id"

EXIT_CONFIG = 2  # an environment variable is invalid
EXIT_HANDLER = 3  # handler.py is missing, does not import, or has no usable handler
EXIT_LISTEN = 4  # the port could not be bound

_LOG_LOCK = threading.Lock()
_THIS_FILE = sys._getframe().f_code.co_filename  # as frames spell it, to trim them off tracebacks


def log(message):
    """Writes one line to stderr, whole, even when request threads log at once."""
    with _LOG_LOCK:
        sys.stderr.write(f"ignite-host: {message}\n")
        sys.stderr.flush()


def log_block(text):
    """Writes a multi-line block (a traceback) to stderr without other lines interleaving."""
    with _LOG_LOCK:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
        sys.stderr.flush()


# --- execution ids -----------------------------------------------------------------------------
# A ULID: 48-bit Unix time in milliseconds, then 80 random bits, as 26 characters of Crockford
# base32 (most significant first; the first character is 0-7 because 26*5 = 130 > 128 bits).

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


def new_ulid():
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def execution_id_for(headers):
    """Returns (id, replaced): the gateway's id when it sent one valid ULID, else a new one.

    The gateway's id is accepted in either case (ULIDs are case-insensitive) and upper-cased to
    the canonical form. A malformed or repeated header is replaced rather than refused: the id is
    for tracing, and failing the user's request over the gateway's header would cost more than a
    fresh id (which the response header still reports). `replaced` is logged with the request.
    """
    values = headers.get_all(EXECUTION_ID_HEADER) or []
    if not values:
        return new_ulid(), False
    candidate = values[0].strip().upper()
    if len(values) == 1 and _ULID_RE.fullmatch(candidate):
        return candidate, False
    return new_ulid(), True


# --- configuration ------------------------------------------------------------------------------


class ConfigError(Exception):
    pass


class Config:
    """The host's settings, read once from the environment at start."""

    def __init__(self, environ):
        self.app_dir = os.path.abspath(environ.get("IGNITE_APP_DIR") or "/app")
        self.bind_address = environ.get("IGNITE_BIND_ADDRESS") or "0.0.0.0"
        self.port = _parse_port(environ.get("PORT", ""))
        self.function_id = environ.get("IGNITE_FUNCTION_ID", "")
        self.organization_id = environ.get("IGNITE_ORGANIZATION_ID", "")
        self.grace_seconds = _parse_grace(environ.get("IGNITE_SHUTDOWN_GRACE_SECONDS", ""))
        self.site_dirs = [d for d in environ.get("IGNITE_SITE_DIRS", "").split(":") if d]
        for d in self.site_dirs:
            if not os.path.isdir(d):
                raise ConfigError(f"IGNITE_SITE_DIRS entry {d!r} is not a directory")


def _parse_port(text):
    if text == "":
        return 8080
    if not re.fullmatch(r"[0-9]{1,5}", text) or int(text) > 65535:
        raise ConfigError(f"PORT={text!r} is not a port number (0-65535; 0 picks a free port)")
    return int(text)


def _parse_grace(text):
    if text == "":
        return 10.0
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ConfigError(f"IGNITE_SHUTDOWN_GRACE_SECONDS={text!r} is not a number of seconds >= 0")
    return seconds


# --- loading the handler ------------------------------------------------------------------------


class LoadError(Exception):
    """Why handler.py cannot serve; `details` is a traceback to print before the summary line."""

    def __init__(self, message, details=""):
        super().__init__(message)
        self.details = details


def _describe(exc):
    """`Type: message`, with file and line for syntax errors (they may be in a sibling module)."""
    if isinstance(exc, SyntaxError):
        return f"{type(exc).__name__}: {exc.msg} ({exc.filename}, line {exc.lineno})"
    try:
        text = str(exc)
    except Exception:  # a user exception whose __str__ itself fails
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _user_traceback(exc):
    """The traceback without the host's and importlib's leading frames."""
    tb = exc.__traceback__
    while tb is not None and (
        tb.tb_frame.f_code.co_filename == _THIS_FILE
        or tb.tb_frame.f_code.co_filename.startswith("<frozen importlib")
    ):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def add_site_dirs(site_dirs):
    """Adds each directory like site-packages (its .pth files processed), right after the
    standard library and before any site-packages or dist-packages of the base image, so the
    function's locked dependencies win over whatever the base may have installed.
    """
    before = list(sys.path)
    for d in site_dirs:
        site.addsitedir(d)
    added = [p for p in sys.path if p not in before]
    if not added:
        return
    rest = [p for p in sys.path if p not in added]
    at = next((i for i, p in enumerate(rest)
               if os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages")), len(rest))
    sys.path[:] = rest[:at] + added + rest[at:]


def load_handler(app_dir, site_dirs):
    """Imports <app_dir>/handler.py as module `handler` and returns its handler function.

    The app directory goes first on sys.path so the tree's other modules import normally (and
    `import handler` elsewhere in it yields this same module); site_dirs go after the standard
    library, with their .pth files processed, like site-packages.
    """
    path = os.path.join(app_dir, "handler.py")
    if not os.path.isdir(app_dir):
        raise LoadError(f"cannot load {path}: the app directory {app_dir} does not exist")
    if not os.path.isfile(path):
        raise LoadError(f"cannot load {path}: no such file (handler.py must be at the source root)")
    sys.path.insert(0, app_dir)
    add_site_dirs(site_dirs)
    spec = importlib.util.spec_from_file_location("handler", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["handler"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # SystemExit and friends at import are load failures too
        del sys.modules["handler"]
        raise LoadError(f"cannot load {path}: {_describe(exc)}", _user_traceback(exc)) from None
    function = getattr(module, "handler", None)
    if function is None:
        raise LoadError(f"cannot load {path}: it defines no `handler` (def handler(payload, ctx))")
    if not callable(function):
        raise LoadError(f"cannot load {path}: `handler` is a {type(function).__name__}, "
                        "not a function (def handler(payload, ctx))")
    if inspect.iscoroutinefunction(function):
        raise LoadError(f"cannot load {path}: `handler` is `async def`; the host calls it "
                        "synchronously, in a thread per request (use def handler(payload, ctx))")
    try:
        inspect.signature(function).bind(b"", {})
    except TypeError as exc:
        raise LoadError(f"cannot load {path}: handler{inspect.signature(function)} cannot be "
                        f"called as handler(payload, ctx): {exc}") from None
    except ValueError:
        pass  # no signature to inspect (some builtins): let the call decide
    return function


# --- calling the handler ------------------------------------------------------------------------


class Function:
    """The loaded handler and the ctx values that do not change per request."""

    def __init__(self, handler, function_id, organization_id):
        self.handler = handler
        self.function_id = function_id
        self.organization_id = organization_id

    def invoke(self, payload, execution_id):
        """Calls the handler; returns (status, content type, body). Never raises."""
        ctx = {
            "execution_id": execution_id,
            "function_id": self.function_id,
            "organization_id": self.organization_id,
        }
        try:
            result = self.handler(payload, ctx)
        except BaseException as exc:  # a handler's SystemExit must not end the request thread
            log_block(f"ignite-host: handler raised (execution_id={execution_id}):\n"
                      + _user_traceback(exc))
            return _error(500, _describe(exc), execution_id)
        if isinstance(result, (bytes, bytearray)):
            return 200, "application/octet-stream", bytes(result)
        if isinstance(result, str):
            try:
                return 200, "text/plain; charset=utf-8", result.encode("utf-8")
            except UnicodeEncodeError as exc:
                return _refused("a str that is not valid UTF-8", exc, execution_id)
        try:
            # allow_nan=False: NaN and Infinity are not JSON, and the body claims to be JSON.
            return 200, "application/json", json.dumps(result, allow_nan=False).encode("ascii")
        except Exception as exc:  # TypeError, ValueError (cycles, NaN), RecursionError
            return _refused("a value json.dumps refuses", exc, execution_id)


def _error(status, message, execution_id):
    body = json.dumps({"error": message, "execution_id": execution_id}).encode("ascii")
    return status, "application/json", body


def _refused(what, exc, execution_id):
    message = f"handler returned {what}: {_describe(exc)}"
    log(f"{message} (execution_id={execution_id})")
    return _error(500, message, execution_id)


# --- HTTP ---------------------------------------------------------------------------------------

_METHOD_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token
_DIGITS_RE = re.compile(rb"[0-9]{1,18}")
_CHUNK_SIZE_RE = re.compile(rb"[0-9A-Fa-f]{1,15}")
_MAX_LINE = 65536
_MAX_TRAILER_LINES = 100
_READ_STEP = 1 << 20  # read bodies in steps: a huge declared length allocates nothing up front


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _printable(text):
    """Escapes control and non-ASCII characters so a request path cannot forge log lines."""
    return "".join(c if " " < c < "\x7f" else f"\\x{ord(c):02x}" for c in text)


class RequestHandler(http.server.BaseHTTPRequestHandler):
    """One connection; serves its requests one after another (HTTP/1.1 keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "ignite-host"
    # The stdlib's default, HTTP/0.9, answers a malformed request line with a bare body and no
    # status line; 0.9 is not served, so errors get a proper HTTP/1.0 response instead.
    default_request_version = "HTTP/1.0"
    # Headers and body go out in two writes; without TCP_NODELAY the second can wait for the
    # client's delayed ACK (about 40 ms) on a kept-alive connection.
    disable_nagle_algorithm = True

    def handle_one_request(self):
        # Replaces the stdlib's, which dispatches to do_<METHOD>: here every method is served.
        self.command = self.path = None
        self.execution_id = None
        self.status = None
        self.notes = []
        try:
            self.raw_requestline = self.rfile.readline(_MAX_LINE + 1)
        except OSError:  # reset or timed out while idle between requests
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        start = time.perf_counter()
        with self.server.tracking_request():
            try:
                if len(self.raw_requestline) > _MAX_LINE:
                    self.requestline = self.request_version = ""
                    self.send_error(414, "request line too long")
                elif self.parse_request():
                    self._serve()
                self.wfile.flush()
            except OSError as exc:  # the client went away mid-request
                self.close_connection = True
                self.notes.append(f"connection_error={type(exc).__name__}")
            if self.status is not None or self.notes:
                self._log_request(start)

    def _serve(self):
        self.execution_id, replaced = execution_id_for(self.headers)
        if replaced:
            self.notes.append("replaced_invalid_execution_id=1")
        if not _METHOD_RE.fullmatch(self.command):
            self.send_error(400, "invalid method")
            return
        try:
            payload = self._read_body()
        except BadRequest as exc:
            self.send_error(exc.status, str(exc))
            return
        if self.command == "GET" and self.path.split("?", 1)[0] == READY_PATH:
            self.respond(200, "text/plain; charset=utf-8", b"ready\n")
            return
        self.respond(*self.server.function.invoke(payload, self.execution_id))

    def _read_body(self):
        """The request body per its framing: chunked, Content-Length, or none (b"")."""
        encodings = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        if encodings:
            if lengths:  # ambiguous framing, the request-smuggling shape: refuse (RFC 9112 6.1)
                raise BadRequest(400, "both Transfer-Encoding and Content-Length are set")
            codings = [c.strip().lower() for v in encodings for c in v.split(",") if c.strip()]
            if codings != ["chunked"]:
                raise BadRequest(501, f"Transfer-Encoding {', '.join(codings)!r} is not "
                                 "supported (only chunked is)")
            return self._read_chunked()
        if not lengths:
            return b""
        values = {v.strip() for v in lengths}
        value = values.pop().encode("latin-1") if len(values) == 1 else b""
        if not _DIGITS_RE.fullmatch(value):
            raise BadRequest(400, f"invalid Content-Length {', '.join(lengths)!r}")
        return self._read_exact(int(value))

    def _read_exact(self, length):
        body = bytearray()
        while len(body) < length:
            data = self.rfile.read(min(length - len(body), _READ_STEP))
            if not data:
                raise BadRequest(400, f"request body ended after {len(body)} of {length} bytes")
            body += data
        return bytes(body)

    def _read_chunked(self):
        body = bytearray()
        while True:
            line = self.rfile.readline(_MAX_LINE + 1)
            if not line.endswith(b"\n"):
                raise BadRequest(400, "chunked body: chunk size line truncated or too long")
            size = line.split(b";", 1)[0].strip()  # chunk extensions are ignored
            if not _CHUNK_SIZE_RE.fullmatch(size):
                raise BadRequest(400, f"chunked body: invalid chunk size {size[:20]!r}")
            if int(size, 16) == 0:
                break
            body += self._read_exact(int(size, 16))
            if self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise BadRequest(400, "chunked body: chunk data not followed by CRLF")
        for _ in range(_MAX_TRAILER_LINES):  # trailer fields are read and dropped
            line = self.rfile.readline(_MAX_LINE + 1)
            if line in (b"\r\n", b"\n"):
                return bytes(body)
            if not line.endswith(b"\n"):
                raise BadRequest(400, "chunked body: trailer truncated or too long")
        raise BadRequest(400, f"chunked body: more than {_MAX_TRAILER_LINES} trailer lines")

    def respond(self, status, content_type, body):
        """Sends the whole response; HEAD gets the headers a GET would, without the body."""
        if self.server.draining:
            self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header(EXECUTION_ID_HEADER, self.execution_id)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.status = status
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code, message=None, explain=None):
        # Also called by the stdlib's parse_request: every error is JSON, like the handler's, and
        # ends the connection since the framing of what follows is unknown.
        self.close_connection = True
        if self.execution_id is None:  # the request failed before its headers were read
            self.execution_id = new_ulid()
        if message is None:
            message = http.HTTPStatus(code).phrase
        self.respond(*_error(code, message, self.execution_id))

    def _log_request(self, start):
        if self.status == 200 and self.command == "GET" and self.path.split("?")[0] == READY_PATH:
            return  # the kubelet probes every few seconds; those lines would bury the function's
        duration_ms = (time.perf_counter() - start) * 1000
        path = (self.path or "-").split("?", 1)[0]  # the query may carry tokens: not logged
        fields = [
            f"method={_printable(self.command or '-')}",
            f"path={_printable(path)}",
            f"status={self.status or '-'}",
            f"duration_ms={duration_ms:.3f}",
            f"execution_id={self.execution_id or '-'}",
        ]
        log("request " + " ".join(fields + self.notes))

    def version_string(self):
        return self.server_version  # no Python version in the Server header

    def log_request(self, code="-", size="-"):
        pass  # send_response calls this; handle_one_request logs the request once it is done

    def log_message(self, format, *args):
        log(_printable(format % args))


class Server(http.server.ThreadingHTTPServer):
    """A thread per connection, so slow handlers run concurrently; in-flight requests counted."""

    daemon_threads = True
    block_on_close = False  # shutdown waits for in-flight requests itself, bounded by the grace
    request_queue_size = 128  # the stdlib's 5 drops connections in a burst

    def __init__(self, address, function):
        self.function = function
        self.draining = False
        self._in_flight = 0
        self._idle = threading.Condition()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, RequestHandler)

    def server_bind(self):
        # HTTPServer.server_bind resolves the host's FQDN, a DNS query that can stall start-up.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @contextlib.contextmanager
    def tracking_request(self):
        with self._idle:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def in_flight(self):
        with self._idle:
            return self._in_flight

    def wait_idle(self, timeout):
        """Waits until no request is in flight or timeout passes; returns how many still are."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout)
            return self._in_flight

    def handle_error(self, request, client_address):
        log_block("ignite-host: internal error serving a request:\n" + traceback.format_exc())


# --- process ------------------------------------------------------------------------------------


def _signal_pipe():
    """Routes SIGTERM and SIGINT to a pipe the main thread reads.

    Python runs signal handlers only in the main thread, between bytecodes; a handler that took a
    lock could deadlock against the code it interrupted. The C-level handler instead writes the
    signal number to the wakeup fd, whichever thread the kernel picked. Installed before the
    user's module is imported, so a signal during a slow import is kept for after it.
    """
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    signal.set_wakeup_fd(write_fd)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)
    return read_fd


def _wait_for_stop(read_fd):
    while True:
        for signum in os.read(read_fd, 64):
            if signum in (signal.SIGTERM, signal.SIGINT):
                return signal.Signals(signum).name


def _line_buffered_stdio():
    # -I ignores PYTHONUNBUFFERED: make the handler's print() reach the log as it happens.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(line_buffering=True)


def _exit_now(message):
    """Ends the process with status 0 without interpreter shutdown (which would wait on threads)."""
    log(message)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    os._exit(0)


def shut_down(server, signal_name, grace_seconds):
    """Stops accepting, waits up to the grace for in-flight requests, and bounds the exit."""
    deadline = time.monotonic() + grace_seconds
    server.draining = True
    server.shutdown()  # the accept loop ends ...
    server.server_close()  # ... and the listening socket closes: new connections are refused
    log(f"{signal_name}: stopped accepting; waiting up to {grace_seconds:g}s for "
        f"{server.in_flight()} in-flight request(s)")
    left = server.wait_idle(grace_seconds)
    if left:
        _exit_now(f"stopped with {left} request(s) still running after {grace_seconds:g}s")
    log("stopped")
    # Interpreter shutdown joins every non-daemon thread the handler started; one that never ends
    # would hold the pod until SIGKILL. A daemon timer ends the process if the exit stalls.
    seconds = max(deadline - time.monotonic(), 0) + 1

    def stalled():
        names = sorted(t.name for t in threading.enumerate()
                       if not t.daemon and t is not threading.main_thread())
        _exit_now(f"exit blocked for {seconds:.1f}s by non-daemon thread(s) {', '.join(names)}; "
                  "exiting anyway")

    watchdog = threading.Timer(seconds, stalled)
    watchdog.daemon = True
    watchdog.start()


def main():
    _line_buffered_stdio()
    sys.dont_write_bytecode = True  # /app is read-only in the image; never write __pycache__
    host_dir = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0]) == host_dir:
        del sys.path[0]  # run without -I: keep the host's own directory out of the user's path
    try:
        config = Config(os.environ)
    except ConfigError as exc:
        log(f"error: {exc}")
        return EXIT_CONFIG
    stop_fd = _signal_pipe()
    try:
        handler = load_handler(config.app_dir, config.site_dirs)
    except LoadError as exc:
        if exc.details:
            log_block(exc.details)
        log(f"error: {exc}")
        return EXIT_HANDLER
    function = Function(handler, config.function_id, config.organization_id)
    try:
        server = Server((config.bind_address, config.port), function)
    except OSError as exc:
        log(f"error: cannot listen on {config.bind_address}:{config.port}: "
            f"{exc.strerror or exc}")
        return EXIT_LISTEN
    threading.Thread(target=server.serve_forever, name="ignite-accept", daemon=True).start()
    host, port = server.server_address[:2]
    log(f"listening on {host}:{port} (handler {config.app_dir}/handler.py, "
        f"function {config.function_id or '-'})")
    shut_down(server, _wait_for_stop(stop_fd), config.grace_seconds)
    return 0


if __name__ == "__main__":  # not when multiprocessing's spawn re-imports this as __mp_main__
    sys.exit(main())
