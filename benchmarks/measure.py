"""Run one command in a fresh process and report its wall time and peak memory as JSON.

    python benchmarks/measure.py [--cwd DIR] -- COMMAND [ARG ...]

This process has no other children, so RUSAGE_CHILDREN's ru_maxrss is the peak resident memory of
the command alone (Linux reports it in KiB). The JSON on stdout holds seconds (wall), cpu_seconds, peak_mb, returncode,
and the command's own stdout and stderr.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def peak_children_mb() -> float:
    kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return kib / (1024 * 1024 if sys.platform == "darwin" else 1024)


def cpu_children_seconds() -> float:
    """User plus system CPU time of the command: less disturbed than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cwd", default=None)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=args.cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu_children_seconds(),
        "peak_mb": peak_children_mb(),
        "returncode": completed.returncode,
        "stdout": completed.stdout,
        "stderr": completed.stderr,
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
