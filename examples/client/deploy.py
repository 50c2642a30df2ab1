#!/usr/bin/env python3
"""Deploys a function through ignite-builder's HTTP API, as the platform does.

    deploy.py [--url URL] [--token JWT] --org ORG --app APP [--tier TIER]
              [--description TEXT] [--timeout SECONDS] SOURCE

SOURCE is a function's directory (handler.py at its root, requirements.txt beside it if any), a
lone handler.py, or an archive (.tar, .tar.gz, .zip). The three calls of the deploy flow
(docs/compute.md):

    POST /v1/ignite/app/{org}                     {"name", "resourceTier", "description"}
    POST /v1/ignite/app/{org}/{app}/draft         {"code": {"compile": {"runtime": {"python": {}},
                                                                         "sourceCode": base64}}}
    POST /v1/ignite/app/{org}/{app}/draft/publish {"timeout": "120s"}

An app that exists already is kept (CreateApp answers 409 ALREADY_EXISTS). Prints the draft's
codeHash, then the published version; exits 1 with the service's error (its status and message)
when a call fails, 2 on bad arguments. A service that checks tokens (docs/auth.md) gets
$IGNITE_TOKEN, or --token, as "Authorization: Bearer <JWT>". Python's standard library only.
"""

import argparse
import base64
import io
import json
import os
import sys
import tarfile
import urllib.error
import urllib.request


class ApiError(Exception):
    """A call the service refused: its HTTP status and its JSON error (code, status, message)."""

    def __init__(self, call, http_status, body):
        self.http_status = http_status
        try:
            error = json.loads(body)
        except ValueError:
            error = {"status": "HTTP %d" % http_status, "message": body.strip()}
        self.status = error.get("status", "")
        self.message = error.get("message", "")
        super().__init__("%s: %s (HTTP %d): %s" % (call, self.status, http_status, self.message))


def call(url, path, body, timeout, token=""):
    """POSTs `body` as JSON, with `token` as a bearer token when given, and returns the decoded
    JSON answer."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(
        url.rstrip("/") + path,
        data=json.dumps(body).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise ApiError("POST " + path, e.code, e.read().decode("utf-8", "replace")) from None


def source_bytes(source):
    """The bytes of a draft: a directory as a gzip tar of its files (names relative to it), a
    file as it is (a lone handler.py, or an archive the service recognizes by its content)."""
    if os.path.isfile(source):
        with open(source, "rb") as f:
            return f.read()
    if not os.path.isdir(source):
        raise FileNotFoundError("no such file or directory: " + source)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for root, dirs, files in os.walk(source):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", ".git"))
            for name in sorted(files):
                path = os.path.join(root, name)
                tar.add(path, arcname=os.path.relpath(path, source), recursive=False)
    return out.getvalue()


def deploy(url, org, app, source, tier="", description="", timeout=120, token=""):
    """Creates the app if needed, saves the draft and publishes it. Returns (codeHash, version)."""
    try:
        call(url, "/v1/ignite/app/" + org,
             {"name": app, "resourceTier": tier, "description": description}, 30, token)
    except ApiError as e:
        if e.status != "ALREADY_EXISTS":
            raise
    code = base64.b64encode(source_bytes(source)).decode("ascii")
    saved = call(url, "/v1/ignite/app/%s/%s/draft" % (org, app),
                 {"code": {"compile": {"runtime": {"python": {}}, "sourceCode": code}}}, 60, token)
    code_hash = saved["draft"]["codeHash"]
    print("saved draft of %s/%s: codeHash %s (build %s)"
          % (org, app, code_hash, saved["draft"].get("buildId", "")), flush=True)
    published = call(url, "/v1/ignite/app/%s/%s/draft/publish" % (org, app),
                     {"timeout": "%ds" % timeout}, timeout + 30, token)
    return code_hash, published["publishedVersion"]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("IGNITE_URL", "http://127.0.0.1:8080"),
                        help="the service's HTTP address (default $IGNITE_URL or %(default)s)")
    parser.add_argument("--token", default=os.environ.get("IGNITE_TOKEN", ""),
                        help="a JWT for a service that checks tokens (default $IGNITE_TOKEN, "
                             "which keeps it out of the process list)")
    parser.add_argument("--org", required=True)
    parser.add_argument("--app", required=True)
    parser.add_argument("--tier", default="", help="the app's resourceTier, when it is created")
    parser.add_argument("--description", default="", help="when the app is created")
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds to wait for the publication (default %(default)s)")
    parser.add_argument("source")
    args = parser.parse_args(argv)
    try:
        code_hash, version = deploy(args.url, args.org, args.app, args.source,
                                    args.tier, args.description, args.timeout, args.token)
    except ApiError as e:
        print("deploy.py: error: %s" % e, file=sys.stderr)
        return 1
    except (OSError, urllib.error.URLError) as e:
        print("deploy.py: error: %s: %s" % (args.url, getattr(e, "reason", e)), file=sys.stderr)
        return 1
    print("published %s/%s v%d (codeHash %s)" % (args.org, args.app, version, code_hash))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
