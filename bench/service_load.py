#!/usr/bin/python3
"""Load generator for bench/run-service (never in CI, asserts nothing but "none lost").

Drives `ignite-builder serve` over HTTP/JSON from a second process, Python 3 stdlib only, one
keep-alive http.client connection per client thread. Subcommands:

  create  --url U --apps A --prefix P             CreateApp bench/P000.. (not timed)
  submit  --url U --builds N --apps A --prefix P  N POST /v1/builds, each a distinct one-line
                                                  change, round-robin over A apps; waits for
                                                  all, checks none lost, writes --out JSON
  deploy  --url U --publishes N --apps A ...      N x (SaveDraft, PublishDraft), the deploy flow
  cli     --bin B --store S --builds N --apps A   N sequential `ignite-builder build` processes
  table   RESULT.json... [--fsync ...]            prints the comparison table

`submit` and `deploy` exit 1 when any request failed or any build was lost or failed (the
check: every build SUCCEEDED, each app's versions exactly 1..k for its k builds, each version
holding the codeHash of one of that app's submissions / of the draft its publish saved).
"""

import argparse
import base64
import http.client
import json
import os
import queue
import resource
import sys
import threading
import time
from datetime import datetime, timezone

ORG = "bench"


# --------------------------------------------------------------------------------------------
# HTTP


class Client:
    """One keep-alive HTTP/1.1 connection. GETs are retried once on a dropped connection;
    POSTs never (a retried SubmitBuild could queue a build twice): their failure is reported."""

    def __init__(self, url, timeout):
        hostport = url.split("://", 1)[-1].rstrip("/")
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        self.timeout = timeout
        self.conn = None
        self.connects = 0

    def _connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.connects += 1

    def call(self, method, path, body=None):
        """Returns (http_status, parsed JSON or raw text). Raises on transport errors."""
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            if self.conn is None:
                self._connect()
            try:
                data = None if body is None else json.dumps(body).encode()
                headers = {"Content-Type": "application/json"} if data is not None else {}
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                try:
                    return resp.status, json.loads(raw) if raw else {}
                except ValueError:
                    return resp.status, raw.decode(errors="replace")
            except (http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt + 1 == attempts:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()


# --------------------------------------------------------------------------------------------
# helpers


def handler_source(i):
    # The same small handler every time; only the returned constant (one line) differs.
    return (
        "import json\n"
        "\n"
        "\n"
        "def handler(payload, ctx):\n"
        f"    return {{\"change\": {i}, \"echo\": json.loads(payload or b\"null\")}}\n"
    ).encode()


def b64(data):
    return base64.b64encode(data).decode()


def app_name(prefix, j):
    return f"{prefix}{j:03d}"


def org_name(j, orgs):
    """App j's org: ORG itself with one org, else ORG00, ORG01, ... round-robin."""
    return ORG if orgs <= 1 else f"{ORG}{j % orgs:02d}"


def parse_ts(s):
    """RFC 3339 as the proto3 JSON mapping writes it ("2023-11-14T22:13:20.123Z") -> epoch s."""
    if not s:
        return None
    s = s.rstrip("Z")
    frac = 0.0
    if "." in s:
        s, f = s.split(".", 1)
        frac = float("0." + f)
    dt = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return dt.timestamp() + frac


def pct(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    if not values:
        return float("nan")
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def proc_status(pid):
    out = {}
    if not pid:
        return out
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS", "Threads"):
                    out[k] = int(v.split()[0])  # kB, or a count
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        out["cpu_s"] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    except OSError:
        pass
    return out


def machine_busy_s():
    """CPU seconds all cores spent not idle (user, nice, system, irq, softirq, steal)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def others_cpu(busy0, busy1, srv0, srv1, cli_s):
    """CPU seconds used by processes other than the server and this client during a phase."""
    if busy0 is None or busy1 is None or "cpu_s" not in srv0 or "cpu_s" not in srv1:
        return None
    return max(0.0, (busy1 - busy0) - (srv1["cpu_s"] - srv0["cpu_s"]) - cli_s)


def self_cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_threads(n_threads, target):
    errors = []

    def wrap(t):
        try:
            target(t)
        except BaseException as e:  # noqa: BLE001 - reported, not swallowed
            errors.append(f"thread {t}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=wrap, args=(t,), daemon=True) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def create_apps(url, apps, prefix, threads, timeout, orgs=1):
    names = [app_name(prefix, j) for j in range(apps)]
    q = queue.Queue()
    for j, n in enumerate(names):
        q.put((org_name(j, orgs), n))
    failures = []

    def work(_):
        c = Client(url, timeout)
        try:
            while True:
                try:
                    org, n = q.get_nowait()
                except queue.Empty:
                    return
                st, body = c.call("POST", f"/v1/ignite/app/{org}", {"name": n, "resourceTier": "small"})
                if st != 200:
                    failures.append(f"POST /v1/ignite/app/{org} name={n}: HTTP {st} {body}")
        finally:
            c.close()

    failures += run_threads(min(threads, apps), work)
    return names, failures


def list_builds(c, app_id):
    """Every build of app_id via ListBuilds, following nextPageToken."""
    builds, token, pages = [], "", 0
    while True:
        path = f"/v1/builds?appId={app_id}&pageSize=500"
        if token:
            path += f"&pageToken={token}"
        st, body = c.call("GET", path)
        if st != 200:
            raise RuntimeError(f"GET {path}: HTTP {st} {body}")
        builds += body.get("builds", [])
        token = body.get("nextPageToken", "")
        pages += 1
        if not token or pages > 1000:
            return builds


def wait_idle(c, deadline, poll_s):
    """Polls ListBuilds for QUEUED and RUNNING builds until there are none; returns the
    monotonic time it saw none, or None at the deadline. One page of one build each poll."""
    while time.monotonic() < deadline:
        busy = False
        for state in ("BUILD_STATE_QUEUED", "BUILD_STATE_RUNNING"):
            st, body = c.call("GET", f"/v1/builds?state={state}&pageSize=1")
            if st != 200:
                raise RuntimeError(f"GET /v1/builds?state={state}: HTTP {st} {body}")
            if body.get("builds"):
                busy = True
                break
        if not busy:
            return time.monotonic()
        time.sleep(poll_s)
    return None


def check_versions(c, app_id, expected_hashes, problems):
    """The app's versions must be exactly 1..k, k = len(expected_hashes), and hold exactly the
    expected codeHashes (a multiset: distinct changes give distinct hashes)."""
    org, app = app_id.split("/", 1)
    st, body = c.call("GET", f"/v1/apps/{org}/{app}/versions")
    if st != 200:
        problems.append(f"GET /v1/apps/{org}/{app}/versions: HTTP {st} {body}")
        return {}
    versions = body.get("versions", [])
    numbers = sorted(v.get("number", 0) for v in versions)
    k = len(expected_hashes)
    if numbers != list(range(1, k + 1)):
        shown = numbers if len(numbers) <= 12 else numbers[:6] + ["..."] + numbers[-6:]
        problems.append(f"{app_id}: versions {shown} ({len(numbers)}), expected 1..{k}")
    got = sorted(v.get("codeHash", "") for v in versions)
    if got != sorted(expected_hashes):
        missing = set(expected_hashes) - set(got)
        problems.append(f"{app_id}: versions' codeHashes differ from the submitted ones "
                        f"({len(missing)} submitted changes have no version)")
    return {v.get("number"): v for v in versions}


def summarize(values_s):
    ms = [v * 1000.0 for v in values_s if v is not None]
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50_ms": pct(ms, 50), "p99_ms": pct(ms, 99), "max_ms": max(ms),
            "mean_ms": sum(ms) / len(ms)}


def server_times(builds):
    sub = [parse_ts(b.get("submittedAt")) for b in builds]
    sta = [parse_ts(b.get("startedAt")) for b in builds]
    fin = [parse_ts(b.get("finishedAt")) for b in builds]
    s2s = [f - s for s, f in zip(sub, fin) if s is not None and f is not None]
    wait = [t - s for s, t in zip(sub, sta) if s is not None and t is not None]
    run = [f - t for t, f in zip(sta, fin) if t is not None and f is not None]
    span = None
    if any(sub) and any(fin):
        span = max(f for f in fin if f) - min(s for s in sub if s)
    return s2s, wait, run, span


# --------------------------------------------------------------------------------------------
# submit: N plain version builds


def cmd_submit(a):
    result = {"mode": "submit", "builds": a.builds, "apps": a.apps, "orgs": a.orgs,
              "threads": a.threads, "workers": a.workers, "label": a.label}
    problems = []
    if not a.no_create:
        names, fails = create_apps(a.url, a.apps, a.prefix, a.threads, a.timeout, a.orgs)
        problems += fails
    app_ids = [f"{org_name(j, a.orgs)}/{app_name(a.prefix, j)}" for j in range(a.apps)]
    items = []
    for i in range(a.builds):
        items.append((i, app_ids[i % a.apps], b64(handler_source(a.seed + i))))
    q = queue.Queue()
    for it in items:
        q.put(it)
    # The floor under every latency below: sequential GET /healthz on one keep-alive connection
    # of an idle server (no build queued yet).
    c = Client(a.url, a.timeout)
    rtt = []
    for _ in range(20):
        t0 = time.monotonic()
        c.call("GET", "/healthz")
        rtt.append(time.monotonic() - t0)
    healthz_connects = c.connects
    c.close()
    records = [None] * a.builds  # (latency_s, build_id, code_hash, app_id)
    fails = []
    srv0 = proc_status(a.server_pid)
    cpu0 = self_cpu_s()
    busy0 = machine_busy_s()
    t_start = time.monotonic()
    w_start = time.time()

    def work(_):
        c = Client(a.url, a.timeout)
        try:
            while True:
                try:
                    i, app_id, src = q.get_nowait()
                except queue.Empty:
                    return
                body = {"appId": app_id, "sourceCode": src, "priority": "BUILD_PRIORITY_NORMAL"}
                t0 = time.monotonic()
                try:
                    st, resp = c.call("POST", "/v1/builds", body)
                except (http.client.HTTPException, OSError) as e:
                    fails.append(f"POST /v1/builds appId={app_id} change={i}: {type(e).__name__}: {e}")
                    continue
                dt = time.monotonic() - t0
                if st != 200 or not isinstance(resp, dict) or not resp.get("id"):
                    fails.append(f"POST /v1/builds appId={app_id} change={i}: HTTP {st} {resp}")
                    continue
                records[i] = (dt, resp["id"], resp.get("codeHash", ""), app_id)
        finally:
            c.close()

    fails += run_threads(a.threads, work)
    t_submitted = time.monotonic()
    problems += fails

    c = Client(a.url, a.timeout)
    t_idle = wait_idle(c, t_submitted + a.wait_timeout, a.poll)
    if t_idle is None:
        problems.append(f"builds still QUEUED or RUNNING {a.wait_timeout:.0f} s after the last submit")
    cpu1 = self_cpu_s()
    srv1 = proc_status(a.server_pid)
    busy1 = machine_busy_s()

    # Verification: every submitted build SUCCEEDED; versions 1..k per app, with its changes.
    ok = [r for r in records if r is not None]
    by_app = {}
    for r in ok:
        by_app.setdefault(r[3], []).append(r)
    all_builds = {}
    for app_id in sorted(by_app):
        for b in list_builds(c, app_id):
            all_builds[b["id"]] = b
    states = {}
    mine = []
    for r in ok:
        b = all_builds.get(r[1])
        if b is None:
            problems.append(f"build {r[1]} ({r[3]}) answered by POST /v1/builds is not in ListBuilds")
            states["MISSING"] = states.get("MISSING", 0) + 1
            continue
        mine.append(b)
        s = b.get("state", "?")
        states[s] = states.get(s, 0) + 1
        if s != "BUILD_STATE_SUCCEEDED":
            if sum(1 for p in problems if p.startswith("build ")) < 10:
                problems.append(f"build {r[1]} ({r[3]}): {s} {b.get('error') or b.get('message') or ''}"
                                f" (GET /v1/builds/{r[1]})")
    extra = len(all_builds) - len(mine)
    if extra:
        problems.append(f"{extra} builds in ListBuilds of these apps that no submit answered")
    for app_id in sorted(by_app):
        check_versions(c, app_id, [r[2] for r in by_app[app_id]], problems)
    c.close()

    s2s, wait, run, span = server_times(mine)
    # Does a build slow down as the store fills? Build run time (finishedAt - startedAt) of the
    # first and the last tenth of the builds, in the order they finished.
    done = sorted((b for b in mine if b.get("finishedAt") and b.get("startedAt")),
                  key=lambda b: parse_ts(b["finishedAt"]))
    tenth = max(1, len(done) // 10)
    run_first = server_times(done[:tenth])[2]
    run_last = server_times(done[-tenth:])[2]
    n_done = states.get("BUILD_STATE_SUCCEEDED", 0)
    result.update({
        "submitted": len(ok),
        "states": states,
        "healthz_rtt": summarize(rtt),
        "healthz_connections": healthz_connects,
        "submit_latency": summarize([r[0] for r in ok]),
        "submit_wall_s": t_submitted - t_start,
        "submit_rate": len(ok) / (t_submitted - t_start) if t_submitted > t_start else None,
        "submit_to_succeeded": summarize(s2s),
        "queue_wait": summarize(wait),
        "build_run": summarize(run),
        "build_run_first_tenth": summarize(run_first),
        "build_run_last_tenth": summarize(run_last),
        "server_span_s": span,
        "builds_per_s": n_done / span if span else None,
        "client_wall_s": (t_idle - t_start) if t_idle else None,
        "client_builds_per_s": n_done / (t_idle - t_start) if t_idle else None,
        "server_cpu_s": (srv1.get("cpu_s", 0) - srv0.get("cpu_s", 0)) if srv1 else None,
        "client_cpu_s": cpu1 - cpu0,
        "others_cpu_s": others_cpu(busy0, busy1, srv0, srv1, cpu1 - cpu0),
        "vm_hwm_kb": srv1.get("VmHWM"),
        "vm_rss_kb": srv1.get("VmRSS"),
        "server_threads": srv1.get("Threads"),
        "started_wall": w_start,
        "problems": problems,
        "lost_or_failed": len(problems) > 0,
    })
    return finish(a, result)


# --------------------------------------------------------------------------------------------
# deploy: SaveDraft then PublishDraft, per app, N times


def cmd_deploy(a):
    result = {"mode": "deploy", "publishes": a.publishes, "apps": a.apps, "threads": a.threads,
              "workers": a.workers, "label": a.label}
    problems = []
    if not a.no_create:
        _, fails = create_apps(a.url, a.apps, a.prefix, a.threads, a.timeout)
        problems += fails
    names = [app_name(a.prefix, j) for j in range(a.apps)]
    locks = {n: threading.Lock() for n in names}  # one flow at a time per app
    q = queue.Queue()
    for i in range(a.publishes):
        q.put((i, names[i % a.apps]))
    records = [None] * a.publishes  # (save_s, publish_s, flow_s, app, codeHash, draftBuild, version, buildId)
    fails = []
    srv0 = proc_status(a.server_pid)
    cpu0 = self_cpu_s()
    busy0 = machine_busy_s()
    t_start = time.monotonic()

    def work(_):
        c = Client(a.url, a.timeout)
        try:
            while True:
                try:
                    i, app = q.get_nowait()
                except queue.Empty:
                    return
                src = b64(handler_source(a.seed + i))
                with locks[app]:
                    t0 = time.monotonic()
                    path = f"/v1/ignite/app/{ORG}/{app}/draft"
                    try:
                        st, resp = c.call("POST", path, {"code": {"compile": {"runtime": {"python": {}},
                                                                                 "sourceCode": src}}})
                    except (http.client.HTTPException, OSError) as e:
                        fails.append(f"POST {path} change={i}: {type(e).__name__}: {e}")
                        continue
                    t1 = time.monotonic()
                    if st != 200 or not isinstance(resp, dict) or "draft" not in resp:
                        fails.append(f"POST {path} change={i}: HTTP {st} {resp}")
                        continue
                    draft = resp["draft"]
                    path = f"/v1/ignite/app/{ORG}/{app}/draft/publish"
                    w1 = time.time()
                    try:
                        st, resp = c.call("POST", path, {})
                    except (http.client.HTTPException, OSError) as e:
                        fails.append(f"POST {path} change={i}: {type(e).__name__}: {e}")
                        continue
                    t2 = time.monotonic()
                    w2 = time.time()
                    if st != 200 or not isinstance(resp, dict) or not resp.get("publishedVersion"):
                        fails.append(f"POST {path} change={i} after {t2 - t1:.1f} s: HTTP {st} {resp}")
                        continue
                    records[i] = (t1 - t0, t2 - t1, t2 - t0, app, draft.get("codeHash", ""),
                                  draft.get("buildId", ""), resp["publishedVersion"], resp.get("buildId", ""), w1, w2)
        finally:
            c.close()

    fails += run_threads(a.threads, work)
    t_end = time.monotonic()
    problems += fails
    cpu1 = self_cpu_s()
    srv1 = proc_status(a.server_pid)
    busy1 = machine_busy_s()

    c = Client(a.url, a.timeout)
    ok = [r for r in records if r is not None]
    by_app = {}
    for r in ok:
        by_app.setdefault(r[3], []).append(r)
    states = {}
    draft_builds, version_builds = [], []
    wake, answer = [], []  # see "publish_wake_delay" below
    for app in sorted(by_app):
        app_id = f"{ORG}/{app}"
        builds = {b["id"]: b for b in list_builds(c, app_id)}
        versions = check_versions(c, app_id, [r[4] for r in by_app[app]], problems)
        for r in by_app[app]:
            v = versions.get(r[6])
            if v is None or v.get("codeHash") != r[4]:
                problems.append(f"{app_id}: PublishDraft answered version {r[6]} for codeHash {r[4]}, "
                                f"GET versions has {v.get('codeHash') if v else 'no such version'}")
            for bid, kind in ((r[5], "DRAFT"), (r[7], "VERSION")):
                b = builds.get(bid)
                s = b.get("state", "?") if b else "MISSING"
                states[f"{kind}:{s}"] = states.get(f"{kind}:{s}", 0) + 1
                if s != "BUILD_STATE_SUCCEEDED":
                    problems.append(f"{kind.lower()} build {bid} of {app_id}: {s}")
                elif kind == "DRAFT":
                    draft_builds.append(b)
                else:
                    version_builds.append(b)
            d, v = builds.get(r[5]), builds.get(r[7])
            if d and v and d.get("finishedAt") and v.get("submittedAt") and v.get("finishedAt"):
                # From the draft build's end (or the publish call, if later) to the publish
                # build's queueing; and from the publish build's end to the client's answer.
                ready = max(parse_ts(d["finishedAt"]), r[8])
                wake.append(parse_ts(v["submittedAt"]) - ready)
                answer.append(r[9] - parse_ts(v["finishedAt"]))
    c.close()

    d_s2s, _, d_run, _ = server_times(draft_builds)
    v_s2s, v_wait, v_run, _ = server_times(version_builds)
    wall = t_end - t_start
    result.update({
        "published": len(ok),
        "states": states,
        "save_latency": summarize([r[0] for r in ok]),
        "publish_latency": summarize([r[1] for r in ok]),
        "flow_latency": summarize([r[2] for r in ok]),
        "draft_submit_to_succeeded": summarize(d_s2s),
        "draft_build_run": summarize(d_run),
        "publish_build_submit_to_succeeded": summarize(v_s2s),
        "publish_build_run": summarize(v_run),
        # Server timestamps are whole milliseconds, the client's wall clock is the same host's.
        "publish_wake_delay": summarize(wake),
        "publish_answer_delay": summarize(answer),
        "wall_s": wall,
        "publishes_per_s": len(ok) / wall if wall > 0 else None,
        "builds_per_s": 2 * len(ok) / wall if wall > 0 else None,
        "server_cpu_s": (srv1.get("cpu_s", 0) - srv0.get("cpu_s", 0)) if srv1 else None,
        "client_cpu_s": cpu1 - cpu0,
        "others_cpu_s": others_cpu(busy0, busy1, srv0, srv1, cpu1 - cpu0),
        "vm_hwm_kb": srv1.get("VmHWM"),
        "vm_rss_kb": srv1.get("VmRSS"),
        "server_threads": srv1.get("Threads"),
        "problems": problems,
        "lost_or_failed": len(problems) > 0,
    })
    return finish(a, result)


def finish(a, result):
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    for p in result["problems"][:20]:
        print(f"  PROBLEM: {p}", file=sys.stderr)
    if len(result["problems"]) > 20:
        print(f"  ... and {len(result['problems']) - 20} more problems", file=sys.stderr)
    return 1 if result["lost_or_failed"] else 0


def cmd_create(a):
    _, fails = create_apps(a.url, a.apps, a.prefix, a.threads, a.timeout)
    for f in fails:
        print(f"  PROBLEM: {f}", file=sys.stderr)
    return 1 if fails else 0


# --------------------------------------------------------------------------------------------
# cli: what a user does without the service, one `ignite-builder build` process per change


def cmd_cli(a):
    import subprocess
    import tempfile
    result = {"mode": "cli", "builds": a.builds, "apps": a.apps, "workers": 0, "label": a.label}
    problems = []
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    times = []
    per_app = {}
    busy0 = machine_busy_s()
    with tempfile.TemporaryDirectory() as tmp:
        srcs = []
        for i in range(a.builds):
            path = os.path.join(tmp, f"change{i}.py")  # a lone file is taken as handler.py
            with open(path, "wb") as f:
                f.write(handler_source(a.seed + i))
            srcs.append(path)
        t_start = time.monotonic()
        for i, path in enumerate(srcs):
            app = f"{ORG}/{app_name(a.prefix, i % a.apps)}"
            t0 = time.monotonic()
            try:
                p = subprocess.run([a.bin, "build", path, "--app", app, "--store", a.store, "-q"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   timeout=120)
                rc, err = p.returncode, p.stderr.decode(errors="replace").strip()
            except subprocess.TimeoutExpired:
                rc, err = "timeout", "no answer in 120 s"
            times.append(time.monotonic() - t0)
            if rc != 0:
                problems.append(f"ignite-builder build {path} --app {app}: exit {rc}: {err[-300:]}")
            else:
                per_app[app] = per_app.get(app, 0) + 1
        wall = time.monotonic() - t_start
    busy1 = machine_busy_s()
    for app, k in sorted(per_app.items()):
        p = subprocess.run([a.bin, "versions", app, "--store", a.store, "-o", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        try:
            doc = json.loads(p.stdout)
            vs = doc if isinstance(doc, list) else doc.get("versions", [])
            nums = sorted(int(str(v.get("number", v.get("version", 0))).lstrip("v")) for v in vs)
        except (ValueError, AttributeError):
            nums = None
        if nums != list(range(1, k + 1)):
            problems.append(f"{app}: `versions` gives {nums}, expected 1..{k}")
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.update({
        "submitted": a.builds,
        "states": {"BUILD_STATE_SUCCEEDED": sum(per_app.values())},
        "build_wall": summarize(times),
        "wall_s": wall,
        "builds_per_s": sum(per_app.values()) / wall if wall > 0 else None,
        "children_cpu_s": ru.ru_utime + ru.ru_stime,
        "max_rss_kb": ru.ru_maxrss,
        "others_cpu_s": None if busy0 is None else max(0.0, busy1 - busy0 - ru.ru_utime - ru.ru_stime),
        "problems": problems,
        "lost_or_failed": len(problems) > 0,
    })
    return finish(a, result)


# --------------------------------------------------------------------------------------------
# table


def fmt(v, spec=".1f", none="-"):
    if v is None:
        return none
    if isinstance(v, float) and v != v:
        return none
    return format(v, spec)


def parse_strace(path):
    """{syscall: calls} from an `strace -c` summary."""
    counts = {}
    try:
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) in (5, 6) and fields[3].isdigit() and fields[-1] not in ("total", "syscall"):
                    counts[fields[-1]] = counts.get(fields[-1], 0) + int(fields[3])
    except OSError:
        pass
    return counts


def cmd_table(a):
    results = []
    for path in a.results:
        with open(path) as f:
            results.append(json.load(f))
    sub = [r for r in results if r["mode"] == "submit"]
    dep = [r for r in results if r["mode"] == "deploy"]
    cli = [r for r in results if r["mode"] == "cli"]
    mib = lambda kb: None if kb is None else kb / 1024.0  # noqa: E731

    if sub:
        n = sub[0]["builds"]
        orgs = sub[0].get("orgs", 1)
        print(f"\n(a) submit: {n} POST /v1/builds, distinct one-line changes over {sub[0]['apps']} apps"
              f"{f' in {orgs} orgs' if orgs > 1 else ''}, {sub[0]['threads']} client threads (keep-alive)")
        hdr = (f"  {'':28}{'builds/s':>9}{'(client)':>9}{'submit p50':>11}{'p99':>8}{'submit/s':>9}"
               f"{'sub->ok p50':>12}{'p99':>8}{'run p50':>8}{'lost':>6}{'peak RSS':>10}{'srv CPU':>9}{'cli CPU':>8}")
        print(hdr)
        print(f"  {'':28}{'':>9}{'':>9}{'ms':>11}{'ms':>8}{'':>9}{'ms':>12}{'ms':>8}{'ms':>8}{'':>6}"
              f"{'MiB':>10}{'ms/bld':>9}{'s':>8}")
        for r in sub:
            lost = r["builds"] - r["states"].get("BUILD_STATE_SUCCEEDED", 0)
            srv_ms = (r["server_cpu_s"] * 1000.0 / r["builds"]) if r.get("server_cpu_s") else None
            print(f"  {r.get('label') or 'serve, ' + str(r['workers']) + ' workers':28}"
                  f"{fmt(r['builds_per_s']):>9}{fmt(r['client_builds_per_s']):>9}"
                  f"{fmt(r['submit_latency'].get('p50_ms')):>11}{fmt(r['submit_latency'].get('p99_ms')):>8}"
                  f"{fmt(r['submit_rate'], '.0f'):>9}"
                  f"{fmt(r['submit_to_succeeded'].get('p50_ms'), '.0f'):>12}"
                  f"{fmt(r['submit_to_succeeded'].get('p99_ms'), '.0f'):>8}"
                  f"{fmt(r['build_run'].get('p50_ms')):>8}"
                  f"{lost:>6}{fmt(mib(r['vm_hwm_kb'])):>10}{fmt(srv_ms):>9}{fmt(r['client_cpu_s']):>8}")
            f1, l1 = r.get("build_run_first_tenth", {}), r.get("build_run_last_tenth", {})
            qw = r.get("queue_wait", {})
            h = r.get("healthz_rtt", {})
            print(f"    GET /healthz x20 on one keep-alive connection, idle server: p50 {fmt(h.get('p50_ms'))} ms, "
                  f"p99 {fmt(h.get('p99_ms'))} ms ({r.get('healthz_connections')} TCP connections; the "
                  f"floor under every latency here)")
            print(f"    queue wait p50/p99 {fmt(qw.get('p50_ms'), '.0f')}/{fmt(qw.get('p99_ms'), '.0f')} ms; "
                  f"build run p50 of the first tenth to finish {fmt(f1.get('p50_ms'))} ms, of the last "
                  f"tenth {fmt(l1.get('p50_ms'))} ms; all {r['submitted']} submitted in "
                  f"{fmt(r['submit_wall_s'])} s")
        for r in cli:
            print(f"  {'CLI build, 1 process/build':28}{fmt(r['builds_per_s']):>9}{'':>9}{'':>11}{'':>8}{'':>9}"
                  f"{fmt(r['build_wall'].get('p50_ms'), '.0f'):>12}{fmt(r['build_wall'].get('p99_ms'), '.0f'):>8}"
                  f"{'':>8}{r['builds'] - r['states'].get('BUILD_STATE_SUCCEEDED', 0):>6}"
                  f"{fmt(mib(r['max_rss_kb'])):>10}"
                  f"{fmt(r['children_cpu_s'] * 1000.0 / r['builds']):>9}")
            print(f"    (CLI: {r['builds']} sequential `ignite-builder build` runs, one per change, over "
                  f"{r['apps']} apps, on a fresh store; its sub->ok is one process's wall time, start "
                  f"to exit, its peak RSS the largest of one process)")
        # The goal is issue 12's, for serve's own worker threads (runs without a label).
        best2 = [r for r in sub if r["workers"] == 2 and not r.get("label")]
        if best2 and best2[0]["builds_per_s"] is not None:
            b = best2[0]["builds_per_s"]
            print(f"  goal 100 builds/s on 2 cores: {b:.1f} builds/s with 2 workers -> "
                  f"{'met' if b >= 100 else 'NOT met'}")
    if dep:
        n = dep[0]["publishes"]
        print(f"\n(b) deploy flow: {n} x (SaveDraft, PublishDraft) over {dep[0]['apps']} apps "
              f"(one flow at a time per app), {dep[0]['threads']} client threads; 2 builds per publish")
        print(f"  {'':28}{'publ/s':>8}{'builds/s':>9}{'save p50':>9}{'p99':>7}{'publish p50':>12}{'p99':>8}"
              f"{'flow p50':>9}{'p99':>8}{'draft run':>10}{'publ run':>9}{'lost':>6}{'peak RSS':>10}")
        print(f"  {'':28}{'':>8}{'':>9}{'ms':>9}{'ms':>7}{'ms':>12}{'ms':>8}{'ms':>9}{'ms':>8}"
              f"{'p50 ms':>10}{'p50 ms':>9}{'':>6}{'MiB':>10}")
        for r in dep:
            lost = r["publishes"] - r["published"]
            print(f"  {'serve, ' + str(r['workers']) + ' workers':28}"
                  f"{fmt(r['publishes_per_s']):>8}{fmt(r['builds_per_s']):>9}"
                  f"{fmt(r['save_latency'].get('p50_ms')):>9}{fmt(r['save_latency'].get('p99_ms'), '.0f'):>7}"
                  f"{fmt(r['publish_latency'].get('p50_ms')):>12}{fmt(r['publish_latency'].get('p99_ms'), '.0f'):>8}"
                  f"{fmt(r['flow_latency'].get('p50_ms')):>9}{fmt(r['flow_latency'].get('p99_ms'), '.0f'):>8}"
                  f"{fmt(r['draft_build_run'].get('p50_ms')):>10}{fmt(r['publish_build_run'].get('p50_ms')):>9}"
                  f"{lost:>6}{fmt(mib(r['vm_hwm_kb'])):>10}")
            w, an = r.get("publish_wake_delay", {}), r.get("publish_answer_delay", {})
            ds, vs = r["draft_submit_to_succeeded"], r["publish_build_submit_to_succeeded"]
            print(f"    where a publish goes (p50/p99 ms): draft build submit->ok "
                  f"{fmt(ds.get('p50_ms'), '.0f')}/{fmt(ds.get('p99_ms'), '.0f')}, "
                  f"draft done->publish build queued {fmt(w.get('p50_ms'), '.0f')}/{fmt(w.get('p99_ms'), '.0f')}, "
                  f"publish build submit->ok {fmt(vs.get('p50_ms'), '.0f')}/{fmt(vs.get('p99_ms'), '.0f')}, "
                  f"publish build done->answer {fmt(an.get('p50_ms'), '.0f')}/{fmt(an.get('p99_ms'), '.0f')}")
    print("\n  CPU seconds used during each run (\"everything else\": other processes and kernel threads, "
          "such as the filesystem's journal flushing for fsync)")
    for r in results:
        o = r.get("others_cpu_s")
        if r["mode"] == "cli":
            print(f"  CPU during the CLI builds: ignite-builder processes {fmt(r.get('children_cpu_s'))} s, "
                  f"everything else on the machine {fmt(o)} s")
        elif o is not None:
            what = r.get("label") or f"{r['mode']} with {r['workers']} workers"
            print(f"  CPU during {what}: server {fmt(r.get('server_cpu_s'))} s, "
                  f"load generator {fmt(r.get('client_cpu_s'))} s, everything else on the machine {fmt(o)} s")
    if a.fsync:
        print("\nfsyncs (strace -f -c of the server attached after its apps were made, for a smaller "
              "separate run: strace slows every syscall, so these runs are not timed)")
        for spec in a.fsync:
            label, units, unit, files = spec.split(":", 3)
            counts = {}
            for path in files.split(","):
                for k, v in parse_strace(path).items():
                    counts[k] = counts.get(k, 0) + v
            total = sum(counts.values())
            detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
            print(f"  {label:40} {total / int(units):6.1f} per {unit}  ({total} over {units} {unit}s: {detail})")
    bad = [r for r in results if r["lost_or_failed"]]
    print()
    if bad:
        for r in bad:
            print(f"LOST OR FAILED in {r['mode']} with {r['workers']} workers:")
            for p in r["problems"][:10]:
                print(f"  {p}")
    else:
        total = sum(r.get("submitted", 0) for r in sub) + sum(2 * r.get("published", 0) for r in dep)
        print(f"none lost: all {total} builds SUCCEEDED; every app's versions are 1..k for its k "
              f"submissions, with their codeHashes")
    return 1 if bad else 0


# --------------------------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = p.add_subparsers(dest="cmd", required=True)

    def common(s):
        s.add_argument("--url", required=True, help="http://HOST:PORT of `serve --http`")
        s.add_argument("--apps", type=int, default=50)
        s.add_argument("--prefix", default="app", help="app names: PREFIX000, PREFIX001, ...")
        s.add_argument("--threads", type=int, default=16, help="client threads, one connection each")
        s.add_argument("--timeout", type=float, default=150.0, help="per-request socket timeout, s")

    s = sp.add_parser("create")
    common(s)
    for name in ("submit", "deploy"):
        s = sp.add_parser(name)
        common(s)
        if name == "submit":
            s.add_argument("--builds", type=int, default=1000)
            s.add_argument("--orgs", type=int, default=1,
                           help="spread the apps over this many orgs (each org runs at most 2 "
                                "builds at once: the queue's per-org cap)")
            s.add_argument("--wait-timeout", type=float, default=300.0,
                           help="how long to wait for the queue to drain after the last submit, s")
            s.add_argument("--poll", type=float, default=0.1, help="poll interval while waiting, s")
        else:
            s.add_argument("--publishes", type=int, default=200)
        s.add_argument("--seed", type=int, default=0, help="first change number")
        s.add_argument("--no-create", action="store_true", help="the apps exist already")
        s.add_argument("--server-pid", type=int, default=0, help="for peak memory and CPU")
        s.add_argument("--workers", type=int, default=0, help="the server's --workers, for the table")
        s.add_argument("--label", default="")
        s.add_argument("--out", help="write the result as JSON here")

    s = sp.add_parser("table")
    s.add_argument("results", nargs="+")
    s.add_argument("--fsync", action="append", default=[],
                   help="LABEL:UNITS:UNIT:STRACE_FILE[,FILE...] (strace -c summaries)")

    s = sp.add_parser("cli")
    s.add_argument("--bin", required=True)
    s.add_argument("--store", required=True)
    s.add_argument("--builds", type=int, default=50)
    s.add_argument("--apps", type=int, default=50)
    s.add_argument("--prefix", default="cli")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--label", default="")
    s.add_argument("--out")

    a = p.parse_args()
    return {"create": cmd_create, "submit": cmd_submit, "deploy": cmd_deploy, "cli": cmd_cli,
            "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
