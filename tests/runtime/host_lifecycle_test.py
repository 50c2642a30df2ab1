"""The host as a process: start-up failures, its environment, shutdown, and what it is made of."""

import ast
import os
import signal
import socket
import sys
import threading
import unittest

from host_harness import HOST_SCRIPT, Host, WAIT, make_app, write_tree

ECHO = {"handler.py": "def handler(payload, ctx):\n    return payload\n"}


class StartupFailureTest(unittest.TestCase):
    """A handler that cannot serve stops the host before it listens, with one clear line."""

    def assert_refused(self, files, expected_line, env=None, exit_code=3):
        app = make_app(self.addCleanup, files)
        host = Host(self.addCleanup, app, env)
        self.assertEqual(host.wait_exit(), exit_code, host.stderr.text())
        log = host.stderr.text()
        self.assertEqual(log.splitlines()[-1], expected_line.format(app=app), log)
        self.assertNotIn("listening on", log)
        return log

    def test_missing_handler_py(self):
        self.assert_refused({"main.py": "def handler(p, c): pass\n"},
                            "ignite-host: error: cannot load {app}/handler.py: no such file "
                            "(handler.py must be at the source root)")

    def test_missing_app_directory(self):
        missing = os.path.join(make_app(self.addCleanup, {}), "absent")
        host = Host(self.addCleanup, missing)
        self.assertEqual(host.wait_exit(), 3)
        self.assertEqual(host.stderr.lines[-1],
                         f"ignite-host: error: cannot load {missing}/handler.py: the app "
                         f"directory {missing} does not exist")

    def test_syntax_error(self):
        log = self.assert_refused(
            {"handler.py": "def handler(payload, ctx)\n    return 1\n"},
            "ignite-host: error: cannot load {app}/handler.py: SyntaxError: expected ':' "
            "({app}/handler.py, line 1)")
        self.assertIn("def handler(payload, ctx)\n", log)  # Python's excerpt with its caret

    def test_syntax_error_in_a_sibling_names_the_sibling(self):
        log = self.assert_refused(
            {"handler.py": "import util\ndef handler(payload, ctx):\n    return 1\n",
             "util.py": "x = = 1\n"},
            "ignite-host: error: cannot load {app}/handler.py: SyntaxError: invalid syntax "
            "({app}/util.py, line 1)")
        self.assertIn("line 1, in <module>\n    import util\n", log)

    def test_import_error(self):
        log = self.assert_refused(
            {"handler.py": "import not_installed_anywhere\n"},
            "ignite-host: error: cannot load {app}/handler.py: ModuleNotFoundError: "
            "No module named 'not_installed_anywhere'")
        self.assertIn("Traceback (most recent call last):", log)
        self.assertNotIn("host.py", log)  # the host's own frames are trimmed
        self.assertNotIn("<frozen importlib", log)

    def test_exception_at_import(self):
        self.assert_refused(
            {"handler.py": "raise RuntimeError('config file missing')\n"},
            "ignite-host: error: cannot load {app}/handler.py: RuntimeError: config file missing")

    def test_exit_at_import(self):
        self.assert_refused({"handler.py": "import sys\nsys.exit(0)\n"},
                            "ignite-host: error: cannot load {app}/handler.py: SystemExit: 0")

    def test_no_handler_function(self):
        self.assert_refused({"handler.py": "def handle(payload, ctx):\n    return 1\n"},
                            "ignite-host: error: cannot load {app}/handler.py: it defines no "
                            "`handler` (def handler(payload, ctx))")

    def test_handler_that_is_not_callable(self):
        self.assert_refused({"handler.py": "handler = 5\n"},
                            "ignite-host: error: cannot load {app}/handler.py: `handler` is a "
                            "int, not a function (def handler(payload, ctx))")

    def test_handler_with_the_wrong_parameters(self):
        self.assert_refused({"handler.py": "def handler(payload):\n    return 1\n"},
                            "ignite-host: error: cannot load {app}/handler.py: handler(payload) "
                            "cannot be called as handler(payload, ctx): too many positional "
                            "arguments")

    def test_async_handler(self):
        self.assert_refused({"handler.py": "async def handler(payload, ctx):\n    return 1\n"},
                            "ignite-host: error: cannot load {app}/handler.py: `handler` is "
                            "`async def`; the host calls it synchronously, in a thread per "
                            "request (use def handler(payload, ctx))")

    def test_invalid_port(self):
        for port in ("http", "65536", "-1", "80.0"):
            with self.subTest(port=port):
                self.assert_refused(ECHO, f"ignite-host: error: PORT={port!r} is not a port "
                                    "number (0-65535; 0 picks a free port)",
                                    {"PORT": port}, exit_code=2)

    def test_invalid_shutdown_grace(self):
        self.assert_refused(ECHO, "ignite-host: error: IGNITE_SHUTDOWN_GRACE_SECONDS='soon' is "
                            "not a number of seconds >= 0",
                            {"IGNITE_SHUTDOWN_GRACE_SECONDS": "soon"}, exit_code=2)

    def test_port_in_use(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            self.assert_refused(ECHO, f"ignite-host: error: cannot listen on 127.0.0.1:{port}: "
                                "Address already in use", {"PORT": str(port)}, exit_code=4)


class EnvironmentTest(unittest.TestCase):
    def test_port_is_respected(self):
        # A port free a moment ago may be taken by a parallel test before the host binds it:
        # then the host exits 4 ("Address already in use") and another port is tried.
        for _ in range(5):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            host = Host(self.addCleanup, make_app(self.addCleanup, ECHO), port=str(port))
            try:
                host.start()
                break
            except AssertionError:
                if host.wait_exit() != 4 or "Address already in use" not in host.stderr.text():
                    raise
        else:
            self.fail("five ports in a row were taken before the host could bind them")
        self.assertEqual(host.port, port)
        self.assertEqual(host.request("POST", "/", b"on my port").body, b"on my port")

    def test_ctx_ids_are_empty_when_the_environment_has_none(self):
        app = make_app(self.addCleanup, {"handler.py": "def handler(p, ctx):\n    return ctx\n"})
        host = Host(self.addCleanup, app).start()
        response = host.request("POST", "/", b"")
        self.assertEqual(response.json(), {
            "execution_id": response.headers["X-Ignite-Execution-Id"],
            "function_id": "",
            "organization_id": "",
        })

    def test_site_dirs_are_importable_with_their_pth_files(self):
        deps = make_app(self.addCleanup, {
            "site/dep_module.py": "NAME = 'dep'\n",
            "site/extra.pth": "../extra\n",
            "extra/extra_module.py": "NAME = 'extra'\n",
        })
        app = make_app(self.addCleanup, {"handler.py": """\
            import dep_module, extra_module
            def handler(payload, ctx):
                return [dep_module.NAME, extra_module.NAME]
            """})
        host = Host(self.addCleanup, app, {"IGNITE_SITE_DIRS": os.path.join(deps, "site")})
        self.assertEqual(host.start().request("GET", "/").json(), ["dep", "extra"])

    def test_site_dirs_come_after_the_standard_library_and_before_dist_packages(self):
        # A locked dependency must win over a package the base image installed, and must never
        # shadow the standard library.
        deps = make_app(self.addCleanup, {"site/json.py": "raise ImportError('shadowed')\n"})
        app = make_app(self.addCleanup, {"handler.py": """\
            import json, os, sys
            def handler(payload, ctx):
                site = os.environ["IGNITE_SITE_DIRS"]
                i = sys.path.index(site)
                later = [os.path.basename(p) for p in sys.path[i + 1:]]
                earlier = [os.path.basename(p) for p in sys.path[:i]]
                return {"json": json.__file__.startswith(sys.prefix) or "lib/python" in json.__file__,
                        "before_dist": all(n not in ("dist-packages", "site-packages") for n in earlier)}
            """})
        host = Host(self.addCleanup, app, {"IGNITE_SITE_DIRS": os.path.join(deps, "site")})
        result = host.start().request("GET", "/").json()
        self.assertTrue(result["json"])
        self.assertTrue(result["before_dist"])

    def test_a_missing_site_dir_is_a_configuration_error(self):
        app = make_app(self.addCleanup, ECHO)
        host = Host(self.addCleanup, app, {"IGNITE_SITE_DIRS": "/nonexistent/site"})
        self.assertEqual(host.wait_exit(), 2)
        self.assertEqual(host.stderr.lines[-1], "ignite-host: error: IGNITE_SITE_DIRS entry "
                         "'/nonexistent/site' is not a directory")

    def test_handler_output_reaches_stdout_line_by_line(self):
        # -I ignores PYTHONUNBUFFERED; the host line-buffers stdout itself, so a print shows up
        # while the process still runs rather than when a block buffer fills.
        app = make_app(self.addCleanup, {"handler.py": """\
            def handler(payload, ctx):
                print("handled", ctx["execution_id"])
                return b""
            """})
        host = Host(self.addCleanup, app).start()
        execution_id = host.request("POST", "/").headers["X-Ignite-Execution-Id"]
        self.assertIsNotNone(host.stdout.wait_for(f"^handled {execution_id}$"))
        self.assertIsNone(host.proc.poll())

    def test_no_bytecode_is_written_to_the_app_directory(self):
        app = make_app(self.addCleanup, {
            "handler.py": "import helper\ndef handler(p, c):\n    return helper.X\n",
            "helper.py": "X = 1\n",
        })
        host = Host(self.addCleanup, app).start()
        self.assertEqual(host.request("POST", "/").body, b"1")
        self.assertEqual(sorted(os.listdir(app)), ["handler.py", "helper.py"])


WAIT_FOR_RELEASE = """\
    import os, time
    def handler(payload, ctx):
        release = os.path.join(payload.decode(), "release")
        print("started", flush=True)
        for _ in range(6000):  # up to a minute; the test releases it or kills the host
            if os.path.exists(release):
                return "finished"
            time.sleep(0.01)
        return "never released"
    """


class ShutdownTest(unittest.TestCase):
    def test_sigterm_when_idle_exits_zero(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=signum.name):
                host = Host(self.addCleanup, make_app(self.addCleanup, ECHO)).start()
                host.proc.send_signal(signum)
                self.assertEqual(host.wait_exit(), 0, host.stderr.text())
                self.assertEqual(host.stderr.lines[-2],
                                 f"ignite-host: {signum.name}: stopped accepting; waiting up to "
                                 "10s for 0 in-flight request(s)")
                self.assertEqual(host.stderr.lines[-1], "ignite-host: stopped")

    def test_sigterm_lets_the_in_flight_request_finish(self):
        app = make_app(self.addCleanup, {"handler.py": WAIT_FOR_RELEASE})
        host = Host(self.addCleanup, app).start()
        results = []
        request = threading.Thread(
            target=lambda: results.append(host.request("POST", "/", app.encode())))
        request.start()
        self.assertIsNotNone(host.stdout.wait_for("^started$"))

        host.proc.send_signal(signal.SIGTERM)
        self.assertIsNotNone(host.stderr.wait_for(
            r"^ignite-host: SIGTERM: stopped accepting; waiting up to 10s for 1 in-flight "
            r"request\(s\)$"), host.stderr.text())
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", host.port), timeout=WAIT).close()
        self.assertIsNone(host.proc.poll())

        write_tree(app, {"release": ""})
        request.join(WAIT)
        self.assertEqual(len(results), 1)
        self.assertEqual((results[0].status, results[0].body), (200, b"finished"))
        self.assertEqual(results[0].headers["Connection"], "close")
        self.assertEqual(host.wait_exit(), 0)
        self.assertEqual(host.stderr.lines[-1], "ignite-host: stopped")

    def test_a_handlers_non_daemon_thread_does_not_hold_the_exit(self):
        app = make_app(self.addCleanup, {"handler.py": """\
            import threading
            threading.Thread(target=threading.Event().wait, name="forever").start()
            def handler(payload, ctx):
                return payload
            """})
        host = Host(self.addCleanup, app, {"IGNITE_SHUTDOWN_GRACE_SECONDS": "0"}).start()
        host.proc.send_signal(signal.SIGTERM)
        self.assertEqual(host.wait_exit(), 0, host.stderr.text())
        self.assertEqual(host.stderr.lines[-2:], [
            "ignite-host: stopped",
            "ignite-host: exit blocked for 1.0s by non-daemon thread(s) forever; exiting anyway",
        ])

    def test_sigterm_during_a_slow_import_is_kept_for_after_it(self):
        app = make_app(self.addCleanup, {"handler.py": """\
            import os, time
            print("importing", flush=True)
            for _ in range(6000):
                if os.path.exists(os.path.join(os.path.dirname(__file__), "release")):
                    break
                time.sleep(0.01)
            def handler(payload, ctx):
                return payload
            """})
        host = Host(self.addCleanup, app)
        self.assertIsNotNone(host.stdout.wait_for("^importing$"))
        host.proc.send_signal(signal.SIGTERM)
        write_tree(app, {"release": ""})
        self.assertEqual(host.wait_exit(), 0, host.stderr.text())
        self.assertEqual(host.stderr.lines[-1], "ignite-host: stopped")

    def test_sigterm_gives_up_on_a_request_after_the_grace(self):
        app = make_app(self.addCleanup, {"handler.py": WAIT_FOR_RELEASE})
        host = Host(self.addCleanup, app, {"IGNITE_SHUTDOWN_GRACE_SECONDS": "0.2"}).start()
        errors = []

        def call():
            try:
                host.request("POST", "/", app.encode())
            except OSError as exc:  # the connection dies with the process
                errors.append(exc)

        request = threading.Thread(target=call)
        request.start()
        self.assertIsNotNone(host.stdout.wait_for("^started$"))
        host.proc.send_signal(signal.SIGTERM)
        self.assertEqual(host.wait_exit(), 0)
        request.join(WAIT)
        self.assertEqual(len(errors), 1)
        self.assertEqual(host.stderr.lines[-1],
                         "ignite-host: stopped with 1 request(s) still running after 0.2s")


class HostSourceTest(unittest.TestCase):
    def test_the_host_imports_only_the_standard_library(self):
        with open(HOST_SCRIPT, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
        self.assertTrue(imported)
        self.assertEqual(imported - sys.stdlib_module_names, set())

    def test_the_layer_folder_holds_only_runtime_files(self):
        # templates/python/ becomes /opt/ignite/host/ as it is: nothing else may land in it.
        folder = os.path.dirname(HOST_SCRIPT)
        self.assertEqual(sorted(os.listdir(folder)), ["README.md", "host.py"])


if __name__ == "__main__":
    unittest.main()
