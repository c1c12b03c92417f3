"""The threaded HTTP server on 127.0.0.1 that the loopback feed server and the fake X share:
started on demand (port 0 picks a free one), quiet, and stopped cleanly, waking handlers that
are waiting out a delay."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

HOST = "127.0.0.1"
POLL_INTERVAL_S = 0.01  # how often serve_forever looks for a stop; the default 0.5 s slows tests
# A listen backlog large enough for a benchmark's hundreds of simultaneous connections; the
# socketserver default of 5 makes the kernel drop connections, which clients see as 1 s stalls.
LISTEN_BACKLOG = 1024


class LocalHTTPServer:
    """Use as a context manager; a subclass sets `handler`, whose `self.server.owner` is the
    subclass instance."""

    handler: type[BaseHTTPRequestHandler]
    thread_name = "local-http"

    def __init__(self, *, port: int = 0) -> None:
        self._requested_port = port
        self._stopping = threading.Event()
        self._httpd: QuietServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        self._stopping.clear()
        self._httpd = QuietServer((HOST, self._requested_port), self.handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            args=(POLL_INTERVAL_S,),
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving; handlers waiting in `pause` return at once."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return int(self._httpd.server_address[1])

    def url(self, path: str = "") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def pause(self, seconds: float) -> None:
        """Sleeps in a handler thread, but returns at once when the server stops."""
        self._stopping.wait(seconds)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        owner: LocalHTTPServer,
    ) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stays quiet when a client hangs up (timeouts, size limits); reports anything else."""
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)
