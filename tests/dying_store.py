"""A process killed half way, as `xmess-bot run` may be by SIGKILL: the real store, dying at
the first call of one of its methods."""

from __future__ import annotations

from typing import Any

from bot.ports import Store


class Killed(Exception):
    """Where the process died."""


class DyingStore:
    def __init__(self, store: Store, dies_in: str) -> None:
        self.store, self.dies_in = store, dies_in

    def __getattr__(self, name: str) -> Any:
        if name == self.dies_in:
            raise Killed(name)
        return getattr(self.store, name)
