#!/usr/bin/python3
"""A small token issuer for distribution's `auth: token` (Docker token authentication).

The registry answers 401 with `WWW-Authenticate: Bearer realm=THIS/token,service=..,scope=..`;
clients call GET /token?service=S&scope=repository:NAME:pull,push (Basic credentials
optional) and get {"token", "access_token", "expires_in", "issued_at"}. The token is a JWT
signed RS256 with --key; its header carries the certificate (--cert) in "x5c", which the
registry checks against `auth.token.rootcertbundle`.

Users come from --user NAME:PASSWORD (repeatable). A known user with the right password gets
every action asked for; anonymous requests get a token granting nothing; a wrong password gets
401. GET /stats answers {"requests": N, "scopes": [...], "tokens": [...]} so tests can see how
often a client came for a token, and check that no token leaked into a message. The bound port is written to --ready-file once listening.

Only Python's standard library and python3-cryptography (Debian) are used.
"""
import argparse
import base64
import http.server
import json
import os
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Issuer:
    def __init__(self, args):
        with open(args.key, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(args.cert, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.cert_der = cert.public_bytes(serialization.Encoding.DER)
        self.issuer = args.issuer
        self.service = args.service
        self.expires_in = args.expires_in
        self.users = dict(u.split(":", 1) for u in args.user)
        self.lock = threading.Lock()
        self.requests = 0
        self.scopes = []
        self.tokens = []

    def sign(self, claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(self.cert_der).decode()]}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)

    def token(self, subject, scopes):
        now = int(time.time())
        access = []
        for scope in scopes:
            for item in scope.split(" "):
                parts = item.split(":")
                if len(parts) < 3 or parts[0] != "repository":
                    continue
                name = ":".join(parts[1:-1])
                actions = parts[-1].split(",")
                if subject:
                    access.append({"type": "repository", "name": name, "actions": actions})
        claims = {
            "iss": self.issuer, "sub": subject, "aud": self.service,
            # The registry checks exp itself; it gets more time than the client is told, so a
            # client that reuses a token past expires_in is caught by the stats, not by a 401.
            "exp": now + self.expires_in + 600, "nbf": now - 10, "iat": now,
            "jti": base64.b16encode(os.urandom(8)).decode(), "access": access,
        }
        return self.sign(claims)


def make_handler(issuer):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet: tests read stats, not logs
            pass

        def reply(self, status, body, extra_headers=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra_headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path == "/stats":
                with issuer.lock:
                    self.reply(200, {"requests": issuer.requests, "scopes": issuer.scopes,
                                     "tokens": issuer.tokens})
                return
            if url.path != "/token":
                self.reply(404, {"error": "not found"})
                return
            if query.get("service", [""])[0] != issuer.service:
                self.reply(400, {"error": "unknown service"})
                return
            subject = ""
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                if issuer.users.get(user) != password:
                    self.reply(401, {"error": "wrong user name or password"},
                               [("WWW-Authenticate", 'Basic realm="token"')])
                    return
                subject = user
            scopes = query.get("scope", [])
            with issuer.lock:
                issuer.requests += 1
                issuer.scopes.append(" ".join(scopes))
            token = issuer.token(subject, scopes)
            with issuer.lock:
                issuer.tokens.append(token)
            self.reply(200, {"token": token, "access_token": token,
                             "expires_in": issuer.expires_in,
                             "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--user", action="append", default=[])
    parser.add_argument("--expires-in", type=int, default=300)
    parser.add_argument("--ready-file", required=True)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(Issuer(args)))
    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.ready_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
