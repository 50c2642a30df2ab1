#!/usr/bin/python3
"""The Python side of bench_packaging: the same work with pypa/packaging.

Usage: packaging_bench.py INDEX.json ROUNDS

For every project of a frozen index ({project: {version: {"dependencies": [...]}}},
top-level keys whose value is not an object skipped): parse every version, sort them, parse
every dependency string and evaluate its marker for the default target (CPython 3.11 on
Linux x86_64, the values of builder/python/environment.h). Prints one JSON object: the best
time of ROUNDS rounds and the counts of the last round. Run with Debian's /usr/bin/python3
and its python3-packaging (an older packaging, fine for a speed comparison).
"""

import json
import sys
import time

import packaging
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

TARGET = {
    "implementation_name": "cpython",
    "implementation_version": "3.11.2",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_release": "6.1.0-28-amd64",
    "platform_system": "Linux",
    "platform_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)",
    "python_full_version": "3.11.2",
    "platform_python_implementation": "CPython",
    "python_version": "3.11",
    "sys_platform": "linux",
    "extra": "",
}


def work(index):
    counts = dict.fromkeys(
        ["projects", "versions", "version_failures", "requirements",
         "requirement_failures", "markers", "marker_failures"], 0)
    for versions in index.values():
        if not isinstance(versions, dict):
            continue
        counts["projects"] += 1
        parsed = []
        for text, info in versions.items():
            counts["versions"] += 1
            try:
                parsed.append(Version(text))
            except InvalidVersion:
                counts["version_failures"] += 1
            dependencies = info.get("dependencies", []) if isinstance(info, dict) else []
            for dependency in dependencies:
                counts["requirements"] += 1
                try:
                    requirement = Requirement(dependency)
                except InvalidRequirement:
                    counts["requirement_failures"] += 1
                    continue
                if requirement.marker is not None:
                    counts["markers"] += 1
                    try:
                        requirement.marker.evaluate(TARGET)
                    except Exception:  # UndefinedComparison, UndefinedEnvironmentName, ...
                        counts["marker_failures"] += 1
        parsed.sort()
    return counts


def main():
    path, rounds = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    best = None
    counts = None
    for _ in range(rounds):
        start = time.perf_counter()
        counts = work(index)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(json.dumps({"seconds": best, "packaging_version": packaging.__version__,
                      "python": sys.version.split()[0], **counts}))


if __name__ == "__main__":
    main()
