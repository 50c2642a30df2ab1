"""The handler contract over real HTTP: encodings, errors, ctx, payloads, ids, methods, framing.

One host serves the whole class; its handler picks a behaviour from the payload ("case:NAME")
and echoes any other payload unchanged.
"""

import threading
import time
import unittest

from host_harness import Host, ULID_RE, WAIT, make_app, make_ulid, send, ulid_millis

HANDLER = """\
    import math
    import threading

    import helper  # a sibling module in the app tree
    from pkg.sub import VALUE  # a package in the app tree

    _both = threading.Barrier(2, timeout=60)


    class Opaque:
        pass


    RETURNS = {
        "bytes": lambda: b"\\x00\\xff raw",
        "bytearray": lambda: bytearray(b"from a bytearray"),
        "str": lambda: "h\\u00e9llo \\u2713",
        "dict": lambda: {"a": 1, "b": [True, None]},
        "list": lambda: [1, "two", 3.5],
        "none": lambda: None,
        "int": lambda: 42,
        "set": lambda: {1, 2},
        "object": lambda: Opaque(),
        "nan": lambda: math.nan,
        "surrogate": lambda: "\\ud800",
    }


    def handler(payload, ctx):
        if payload == b"case:ctx":
            return ctx
        if payload == b"case:type":
            return f"{type(payload).__name__} {type(ctx).__name__}"
        if payload == b"case:raise":
            raise ValueError("no such order: 1234")
        if payload == b"case:exit":
            raise SystemExit(3)
        if payload == b"case:barrier":
            _both.wait()  # passes only when two calls are inside the handler at once
            return "both arrived"
        if payload == b"case:sibling":
            return [helper.NAME, VALUE]
        if payload.startswith(b"case:return-"):
            return RETURNS[payload[len(b"case:return-"):].decode()]()
        return payload
"""

APP = {
    "handler.py": HANDLER,
    "helper.py": 'NAME = "helper"\n',
    "pkg/__init__.py": "",
    "pkg/sub.py": "VALUE = 7\n",
}


class HandlerContractTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        app = make_app(cls.addClassCleanup, APP)
        env = {"IGNITE_FUNCTION_ID": "acme-corp/greet", "IGNITE_ORGANIZATION_ID": "acme-corp"}
        cls.host = Host(cls.addClassCleanup, app, env).start()

    def post(self, body, headers=None, path="/"):
        response = self.host.request("POST", path, body, headers)
        self.assert_framed(response)
        return response

    def assert_framed(self, response):
        """Every response has a Content-Length matching its body and a ULID execution id."""
        self.assertEqual(response.headers["Content-Length"], str(len(response.body)))
        self.assertRegex(response.headers["X-Ignite-Execution-Id"], ULID_RE)

    def assert_ok(self, response, content_type, body):
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers["Content-Type"], content_type)
        self.assertEqual(response.body, body)

    def assert_error(self, response, status, error):
        """The error body is exactly {"error", "execution_id"}, the id matching the header."""
        self.assertEqual(response.status, status)
        self.assertEqual(response.headers["Content-Type"], "application/json")
        self.assertEqual(response.json(), {
            "error": error,
            "execution_id": response.headers["X-Ignite-Execution-Id"],
        })

    # --- return values ---

    def test_bytes_are_sent_as_is(self):
        self.assert_ok(self.post(b"case:return-bytes"), "application/octet-stream",
                       b"\x00\xff raw")

    def test_bytearray_is_sent_as_is(self):
        self.assert_ok(self.post(b"case:return-bytearray"), "application/octet-stream",
                       b"from a bytearray")

    def test_str_is_utf8_text(self):
        self.assert_ok(self.post(b"case:return-str"), "text/plain; charset=utf-8",
                       "h\u00e9llo \u2713".encode("utf-8"))

    def test_dict_is_json(self):
        response = self.post(b"case:return-dict")
        self.assert_ok(response, "application/json", response.body)
        self.assertEqual(response.json(), {"a": 1, "b": [True, None]})

    def test_list_is_json(self):
        response = self.post(b"case:return-list")
        self.assert_ok(response, "application/json", response.body)
        self.assertEqual(response.json(), [1, "two", 3.5])

    def test_none_is_json_null(self):
        self.assert_ok(self.post(b"case:return-none"), "application/json", b"null")

    def test_int_is_json(self):
        self.assert_ok(self.post(b"case:return-int"), "application/json", b"42")

    def test_set_is_refused_with_500(self):
        self.assert_error(self.post(b"case:return-set"), 500,
                          "handler returned a value json.dumps refuses: "
                          "TypeError: Object of type set is not JSON serializable")

    def test_object_is_refused_with_500(self):
        self.assert_error(self.post(b"case:return-object"), 500,
                          "handler returned a value json.dumps refuses: "
                          "TypeError: Object of type Opaque is not JSON serializable")

    def test_nan_is_refused_because_it_is_not_json(self):
        self.assert_error(self.post(b"case:return-nan"), 500,
                          "handler returned a value json.dumps refuses: "
                          "ValueError: Out of range float values are not JSON compliant")

    def test_str_that_is_not_utf8_is_refused(self):
        response = self.post(b"case:return-surrogate")
        self.assertEqual(response.status, 500)
        self.assertTrue(response.json()["error"].startswith(
            "handler returned a str that is not valid UTF-8: UnicodeEncodeError: "), response.body)

    # --- handler errors ---

    def test_raise_gives_500_with_the_error_and_no_traceback(self):
        response = self.post(b"case:raise")
        self.assert_error(response, 500, "ValueError: no such order: 1234")
        self.assertNotIn(b"Traceback", response.body)
        self.assertNotIn(b"handler.py", response.body)
        execution_id = response.headers["X-Ignite-Execution-Id"]
        # The traceback goes to stderr, after a line naming the execution.
        self.assertIsNotNone(self.host.stderr.wait_for(
            rf"^ignite-host: handler raised \(execution_id={execution_id}\):$"))
        log = self.host.stderr.text()
        self.assertIn('in handler\n    raise ValueError("no such order: 1234")', log)
        self.assertIn("\nValueError: no such order: 1234", log)

    def test_system_exit_is_a_500_and_the_host_keeps_serving(self):
        self.assert_error(self.post(b"case:exit"), 500, "SystemExit: 3")
        self.assert_ok(self.post(b"still here"), "application/octet-stream", b"still here")

    # --- ctx and payload ---

    def test_ctx_holds_exactly_the_three_ids(self):
        response = self.post(b"case:ctx")
        self.assertEqual(response.json(), {
            "execution_id": response.headers["X-Ignite-Execution-Id"],
            "function_id": "acme-corp/greet",
            "organization_id": "acme-corp",
        })

    def test_payload_is_bytes_and_ctx_a_plain_dict(self):
        self.assert_ok(self.post(b"case:type"), "text/plain; charset=utf-8", b"bytes dict")

    def test_binary_payload_arrives_unchanged(self):
        payload = bytes(range(256)) + b"\xc3\x28 not utf-8 \xff\xfe"
        self.assert_ok(self.post(payload), "application/octet-stream", payload)

    def test_large_payload_arrives_unchanged(self):
        payload = bytes(range(256)) * 12289  # about 3 MiB, more than one read step
        self.assert_ok(self.post(payload), "application/octet-stream", payload)

    def test_no_body_is_empty_bytes(self):
        response = self.host.request("GET", "/anything")
        self.assert_framed(response)
        self.assert_ok(response, "application/octet-stream", b"")

    def test_chunked_body_is_joined(self):
        response = self.host.raw(
            b"POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n"
            b"1;name=extension\r\n \r\n"
            b"A\r\n\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\r\n"
            b"0\r\nX-Trailer: dropped\r\n\r\n")
        self.assert_framed(response)
        self.assert_ok(response, "application/octet-stream",
                       b"hello \x00\x01\x02\x03\x04\x05\x06\x07\x08\x09")

    def test_sibling_modules_and_packages_import(self):
        response = self.post(b"case:sibling")
        self.assertEqual(response.json(), ["helper", 7])

    # --- methods and paths ---

    def test_every_method_and_path_reaches_the_handler(self):
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE"):
            with self.subTest(method=method):
                body = b"body of " + method.encode()
                response = self.host.request(method, "/some/path?q=1", body)
                self.assert_framed(response)
                self.assert_ok(response, "application/octet-stream", body)

    def test_head_gets_the_headers_without_the_body(self):
        response = self.host.request("HEAD", "/", None, {"Content-Length": "0"})
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers["Content-Type"], "application/octet-stream")
        self.assertEqual(response.headers["Content-Length"], "0")
        self.assertEqual(response.body, b"")
        response = self.host.raw(b"HEAD / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd",
                                 method="HEAD")
        self.assertEqual(response.headers["Content-Length"], "4")
        self.assertEqual(response.body, b"")

    def test_readiness_probe_is_answered_by_the_host(self):
        for path in ("/_ignite/ready", "/_ignite/ready?probe=1"):
            with self.subTest(path=path):
                response = self.host.request("GET", path)
                self.assert_framed(response)
                self.assert_ok(response, "text/plain; charset=utf-8", b"ready\n")

    def test_other_methods_on_the_probe_path_reach_the_handler(self):
        response = self.post(b"to the handler", path="/_ignite/ready")
        self.assert_ok(response, "application/octet-stream", b"to the handler")

    def test_requests_share_a_kept_alive_connection(self):
        conn = self.host.connection()
        self.addCleanup(conn.close)
        first = send(conn, "POST", "/", b"one")
        second = send(conn, "POST", "/", b"two")
        self.assertEqual((first.body, second.body), (b"one", b"two"))
        self.assertNotEqual(first.headers["X-Ignite-Execution-Id"],
                            second.headers["X-Ignite-Execution-Id"])

    def test_two_requests_run_concurrently(self):
        # Each call waits in a barrier for the other: both complete only if served at once.
        results = [None, None]

        def call(i):
            results[i] = self.host.request("POST", "/", b"case:barrier")

        threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT)
        for response in results:
            self.assertIsNotNone(response)
            self.assert_ok(response, "text/plain; charset=utf-8", b"both arrived")

    # --- execution ids ---

    def test_the_gateways_execution_id_is_used(self):
        sent = "01HZX3Q4V5W6X7Y8Z9ABCDEFGH"
        response = self.post(b"case:ctx", {"X-Ignite-Execution-Id": sent})
        self.assertEqual(response.headers["X-Ignite-Execution-Id"], sent)
        self.assertEqual(response.json()["execution_id"], sent)

    def test_a_lowercase_execution_id_is_used_in_canonical_form(self):
        sent = "01hzx3q4v5w6x7y8z9abcdefgh"
        response = self.post(b"case:ctx", {"X-Ignite-Execution-Id": sent})
        self.assertEqual(response.headers["X-Ignite-Execution-Id"], sent.upper())
        self.assertEqual(response.json()["execution_id"], sent.upper())

    def test_an_invalid_execution_id_is_replaced(self):
        for sent in ("not-a-ulid", "01HZX3Q4V5W6X7Y8Z9ABCDEFG", "81HZX3Q4V5W6X7Y8Z9ABCDEFGH",
                     "01HZX3Q4V5W6X7Y8Z9ABCDEFGU", "01HZX3Q4V5W6X7Y8Z9ABCDEFGHJ"):
            with self.subTest(sent=sent):
                response = self.post(b"case:ctx", {"X-Ignite-Execution-Id": sent})
                used = response.headers["X-Ignite-Execution-Id"]
                self.assertRegex(used, ULID_RE)
                self.assertNotEqual(used.upper(), sent.upper())
                self.assertEqual(response.json()["execution_id"], used)
                self.assertIsNotNone(self.host.stderr.wait_for(
                    rf"execution_id={used} replaced_invalid_execution_id=1$"))

    def test_a_repeated_execution_id_header_is_replaced(self):
        sent = "01HZX3Q4V5W6X7Y8Z9ABCDEFGH"
        response = self.host.raw(f"POST / HTTP/1.1\r\nHost: t\r\nX-Ignite-Execution-Id: {sent}\r\n"
                                 f"X-Ignite-Execution-Id: {sent}\r\nContent-Length: 0\r\n\r\n"
                                 .encode())
        self.assertEqual(response.status, 200)
        self.assertRegex(response.headers["X-Ignite-Execution-Id"], ULID_RE)
        self.assertNotEqual(response.headers["X-Ignite-Execution-Id"], sent)

    def test_generated_execution_ids_are_ulids_of_now(self):
        before = time.time_ns() // 1_000_000
        first = self.post(b"x").headers["X-Ignite-Execution-Id"]
        second = self.post(b"x").headers["X-Ignite-Execution-Id"]
        after = time.time_ns() // 1_000_000
        self.assertNotEqual(first, second)
        for ulid in (first, second):
            self.assertRegex(ulid, ULID_RE)
            self.assertTrue(before <= ulid_millis(ulid) <= after, (before, ulid, after))

    def test_ulid_helpers_agree(self):
        # The test's own decoder against a hand-built ULID: max timestamp and random bits.
        self.assertEqual(make_ulid(2**48 - 1, 2**80 - 1), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
        self.assertEqual(ulid_millis(make_ulid(1_700_000_000_000, 5)), 1_700_000_000_000)

    # --- logging ---

    def test_each_request_is_logged_without_query_or_payload(self):
        marker = b"payload-marker-5f1c"
        response = self.post(marker, path="/orders/7?token=secret-query-9a2b")
        execution_id = response.headers["X-Ignite-Execution-Id"]
        self.assertIsNotNone(self.host.stderr.wait_for(
            rf"^ignite-host: request method=POST path=/orders/7 status=200 "
            rf"duration_ms=\d+\.\d{{3}} execution_id={execution_id}$"))
        log = self.host.stderr.text()
        self.assertNotIn("payload-marker-5f1c", log)
        self.assertNotIn("secret-query-9a2b", log)

    def test_successful_probes_are_not_logged(self):
        self.host.request("GET", "/_ignite/ready")
        execution_id = self.post(b"after the probe").headers["X-Ignite-Execution-Id"]
        self.assertIsNotNone(self.host.stderr.wait_for(rf"execution_id={execution_id}$"))
        self.assertNotIn("method=GET path=/_ignite/ready", self.host.stderr.text())

    def test_control_characters_in_the_path_are_escaped_in_the_log(self):
        response = self.host.raw(b"GET /a\x1b[31mb HTTP/1.1\r\nHost: t\r\n\r\n", method="GET")
        execution_id = response.headers["X-Ignite-Execution-Id"]
        self.assertIsNotNone(self.host.stderr.wait_for(
            rf"method=GET path=/a\\x1b\[31mb status=200 .* execution_id={execution_id}$"))

    # --- request framing errors (the host's own, in the same JSON shape) ---

    def test_an_invalid_content_length_is_a_400(self):
        response = self.host.raw(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n")
        self.assert_framed(response)
        self.assert_error(response, 400, "invalid Content-Length '1x'")
        self.assertEqual(response.headers["Connection"], "close")

    def test_a_short_body_is_a_400(self):
        response = self.host.raw(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        self.assert_error(response, 400, "request body ended after 3 of 10 bytes")

    def test_content_length_with_chunked_is_a_400(self):
        response = self.host.raw(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                                 b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        self.assert_error(response, 400, "both Transfer-Encoding and Content-Length are set")

    def test_a_bad_chunk_size_is_a_400(self):
        response = self.host.raw(b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                                 b"\r\nzz\r\n")
        self.assert_error(response, 400, "chunked body: invalid chunk size b'zz'")

    def test_an_unknown_transfer_encoding_is_a_501(self):
        response = self.host.raw(b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, "
                                 b"chunked\r\n\r\n0\r\n\r\n")
        self.assert_error(response, 501,
                          "Transfer-Encoding 'gzip, chunked' is not supported (only chunked is)")

    def test_a_malformed_request_line_is_a_400(self):
        response = self.host.raw(b"POST / HTTP/x.y\r\n\r\n")
        self.assert_framed(response)
        self.assert_error(response, 400, "Bad request version ('HTTP/x.y')")


if __name__ == "__main__":
    unittest.main()
