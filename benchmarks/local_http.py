"""HTTP on 127.0.0.1 for the benchmarks and the tests alike: a built site served from a folder under a
sub-path, a free port for a server of our own, and one GET.

Shipped nowhere: the benchmarks import it from this folder, the tests through pytest's `pythonpath`
(pyproject.toml). Benchmarks never import tests/, so the one copy lives here.
"""

from __future__ import annotations

import functools
import http.server
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SUB_PATH = "/protocols/"


class SentBytes:
    """The bytes of response bodies a server has sent, whichever part of the browser asked (page, worker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0

    def add(self, count: int) -> None:
        with self._lock:
            self.total += count


@contextmanager
def served(directory: Path, mount: str = SUB_PATH, *, not_found_page: bool = False,
           sent: SentBytes | None = None) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at `mount` ("/protocols/" or "/"); yields the site's base URL.

    A request outside the mount gets 404, as it would from an intranet server that hosts the site in a
    sub-folder: a root-absolute link (`/assets/...`) then fails instead of passing by luck.
    With `not_found_page`, a missing file inside the mount answers 404 with the site's 404.html, as an
    intranet server configured with `error_page 404 <mount>404.html` does (the URL stays the missing one).
    `sent` counts the bytes of the files served.
    """
    if not (mount.startswith("/") and mount.endswith("/")):
        raise ValueError(f"mount {mount!r} must start and end with /")

    class MountedHandler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            inside = "/" + path[len(mount):] if path.startswith(mount) else "/__outside_the_mount__"
            return super().translate_path(inside)

        def copyfile(self, source: Any, outputfile: Any) -> None:
            if sent is None:
                super().copyfile(source, outputfile)
                return
            body = source.read()
            sent.add(len(body))
            outputfile.write(body)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            if not not_found_page or code != 404 or not self.path.startswith(mount):
                super().send_error(code, message, explain)
                return
            body = (directory / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(MountedHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # shutdown() waits for the serving loop's next poll: 0.5 s by default, half a second per server in the tests
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{mount}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, timeout: float = 30.0) -> tuple[int, str]:
    """(HTTP status, body) of a GET; an error status with its body; (0, "") when nothing answers in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
    except OSError:
        return 0, ""


def fetch_until(url: str, accept: Callable[[int, str], bool], timeout: float = 30.0,
                pause: float = 0.2) -> tuple[int, str]:
    """GET ``url`` until ``accept(status, body)`` or until ``timeout`` seconds have passed; the last answer."""
    deadline = time.monotonic() + timeout
    status, text = fetch(url, timeout=5)
    while not accept(status, text) and time.monotonic() < deadline:
        time.sleep(pause)
        status, text = fetch(url, timeout=5)
    return status, text
