"""A benchmark role (a server, the bot, a naive loop) in its own Python process.

Each role runs in a fresh interpreter started with `subprocess`, so its CPU and memory are
its own and it never competes with the others for a GIL. The parent drives it with one JSON
line per call over the child's stdin and reads one JSON line back:

    with Worker("benchmarks.poll_cycle:BotRole", config="/tmp/x/xmess.toml") as bot:
        figures = bot.call("poll")

In the child the role is built as `Role(**kwargs)` and each call is `role.method(**kwargs)`;
arguments and results must be JSON values. A role's exception comes back as `WorkerError`
with the child's traceback. When the parent closes the pipe the child calls `role.close()`
(if it has one) and exits. The child's own prints go to stderr, keeping stdout for replies.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import IO, Any

REPOSITORY = Path(__file__).resolve().parents[1]


class WorkerError(RuntimeError):
    """A role failed in its process; the message carries the child's traceback."""


class Worker:
    """The parent's handle on a role running in a child process."""

    def __init__(self, target: str, **kwargs: Any) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", target, json.dumps(kwargs)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPOSITORY,
            env=_with_repository_on_path(os.environ),
        )
        try:
            self._expect_reply()  # the role's constructor succeeded
        except WorkerError:
            self.close()
            raise

    def call(self, method: str, **kwargs: Any) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"method": method, "kwargs": kwargs}) + "\n")
        self.process.stdin.flush()
        return self._expect_reply()

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        self.process.wait()

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _expect_reply(self) -> Any:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise WorkerError(f"the worker process ended (exit status {self.process.wait()})")
        reply = json.loads(line)
        if "error" in reply:
            raise WorkerError(reply["error"])
        return reply["result"]


def _with_repository_on_path(environ: os._Environ[str]) -> dict[str, str]:
    paths = [str(REPOSITORY), *filter(None, [environ.get("PYTHONPATH")])]
    return {**environ, "PYTHONPATH": os.pathsep.join(paths)}


# --- the child's side ------------------------------------------------------------------------


def serve(target: str, kwargs: dict[str, Any]) -> None:
    """Builds the role, then answers calls until stdin closes."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not break replies
    role = _reply(replies, lambda: _load(target)(**kwargs))
    for line in sys.stdin:
        _reply(replies, partial(_call, role, json.loads(line)))
    if hasattr(role, "close"):
        role.close()


def _call(role: object, request: dict[str, Any]) -> Any:
    return getattr(role, request["method"])(**request["kwargs"])


def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _reply(stream: IO[str], work: Callable[[], Any]) -> Any:
    try:
        result = work()
    except Exception:
        stream.write(json.dumps({"error": traceback.format_exc()}) + "\n")
        stream.flush()
        return None
    stream.write(json.dumps({"result": result if _is_json(result) else None}) + "\n")
    stream.flush()
    return result


def _is_json(value: object) -> bool:
    return isinstance(value, dict | list | str | int | float | bool | type(None))


if __name__ == "__main__":
    serve(sys.argv[1], json.loads(sys.argv[2]))
