"""`protocols serve` in a subprocess on a free 127.0.0.1 port, with its own TMPDIR so that a test can see
every temporary folder it makes. Waits are bounded; the server is always stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from browser import REPO_ROOT
from local_http import fetch, free_port

START_TIMEOUT = 120.0  # the first build takes a few seconds; far longer on a loaded 2-core machine
STOP_TIMEOUT = 30.0


@dataclass
class ServeProcess:
    process: subprocess.Popen[bytes]
    url: str
    temp: Path
    log: Path  # stdout and stderr: a file, so a full pipe can never stall the server

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        """Send ``signum`` and wait for the exit: (exit status, everything printed)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"protocols serve did not stop within {STOP_TIMEOUT} s:\n{self.output()}") from None
        return self.process.returncode, self.output()


@contextmanager
def running_serve(cwd: Path, *options: str) -> Iterator[ServeProcess]:
    """`protocols serve OPTIONS protocols` run in ``cwd``; yields once the home page answers."""
    temp = cwd / "serve-tmp"
    temp.mkdir()
    port = free_port()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "generator.cli", "serve", "--as-of", "2026-06-01",
               "--dev-addr", f"127.0.0.1:{port}", *options, "protocols"]
    log = cwd / "serve.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = ServeProcess(process, f"http://127.0.0.1:{port}/", temp, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            server.stop()


def _wait_until_up(server: ServeProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"protocols serve exited with {server.process.returncode}:\n{server.output()}")
        status, _ = fetch(server.url)
        if status == 200:
            return
        time.sleep(0.3)
    raise AssertionError(f"protocols serve did not answer on {server.url} within {START_TIMEOUT} s")
