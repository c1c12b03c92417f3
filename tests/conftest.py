"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.loopback import LoopbackServer


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A real HTTP server on 127.0.0.1 with no resources yet; tests add what they serve."""
    with LoopbackServer() as server:
        yield server


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus of real and hostile feeds and calendars, beside the repository."""
    path = (Path(__file__).parents[1] / ".." / "shared" / "corpus").resolve()
    if not path.is_dir():
        pytest.skip(f"shared corpus not found at {path}: it ships with CI, not with the repository")
    return path
