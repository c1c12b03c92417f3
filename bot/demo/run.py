"""`xmess-bot demo`: the whole path on bundled data, with nothing leaving the machine.

The demo serves the bundled member feeds and agenda from a loopback HTTP server, writes a
config for them in its folder and polls once through the real fetch path; the CLI then prints
the queue and, unless told to stop there, runs the bot (`xmess-bot run`: the scheduler and the
web page on 127.0.0.1) with a demo account while the feeds stay served. Items link to the
councils' own sites, not to the loopback server, so a second run (on another port) recognises
them and adds nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import service
from bot.accounts import Role, User, hash_password
from bot.demo.render import render_file
from bot.loopback import LoopbackServer, Resource
from bot.models import Draft, DraftStatus
from bot.store.accounts import accounts_for

DATA = Path(__file__).resolve().parent / "data"
DEMO_USER = "demo"
DEMO_PASSWORD = "xmess-demo"
"""Known on purpose: the demo's page listens on 127.0.0.1 only and holds sample data."""
DEMO_TIMEZONE = ZoneInfo("Europe/Madrid")
CONTENT_TYPES = {".xml": "application/xml", ".ics": "text/calendar; charset=utf-8"}
CONFIG_HEADER = """\
# Written by `xmess-bot demo` at each run (the loopback port changes): edit a copy instead.
timezone = "Europe/Madrid"
database_url = "sqlite:///var/xmess.sqlite3"

[publisher]
kind = "dry-run"
outbox = "var/outbox.jsonl"

"""


@dataclass(frozen=True)
class DemoRun:
    config: Path
    outbox: Path
    report: service.PollReport
    waiting: list[Draft]


@contextmanager
def demo_sources(workdir: Path, *, port: int, now: datetime) -> Iterator[Path]:
    """Serve the demo's feeds and agenda while the block runs; yields the config for them."""
    workdir.mkdir(parents=True, exist_ok=True)
    with LoopbackServer(port=port) as server:
        base = server.url("").rstrip("/")
        server.resources.update(demo_resources(now, base))
        yield write_config(workdir, base)


def poll_demo(app: service.App, config: Path) -> DemoRun:
    """One poll of the demo sources: what it did, and what waits for approval."""
    report = service.poll(app)
    outbox = app.settings.resolve(app.settings.publisher.outbox)
    return DemoRun(config, outbox, report, app.store.list_drafts((DraftStatus.PENDING,)))


def ensure_demo_account(app: service.App) -> bool:
    """The demo's web account (`DEMO_USER`, an admin); False when it was already there."""
    accounts = accounts_for(app.store)
    if accounts.get(DEMO_USER):
        return False
    accounts.add(User(DEMO_USER, Role.ADMIN, hash_password(DEMO_PASSWORD), app.clock.now()))
    return True


def demo_resources(now: datetime, base: str) -> dict[str, Resource]:
    """Every bundled file, rendered for this moment, with an ETag so a re-poll gets a 304."""
    resources = {}
    for path in sorted(DATA.rglob("*")):
        if path.suffix in CONTENT_TYPES:
            body = render_file(path, now, DEMO_TIMEZONE, base)
            resources["/" + path.relative_to(DATA).as_posix()] = Resource(
                body=body,
                content_type=CONTENT_TYPES[path.suffix],
                etag='"' + hashlib.sha256(body).hexdigest()[:16] + '"',
            )
    return resources


def write_config(workdir: Path, base: str) -> Path:
    members = (DATA / "members.toml").read_text(encoding="utf-8").replace("{{BASE}}", base)
    config = workdir / "xmess.toml"
    config.write_text(CONFIG_HEADER + members, encoding="utf-8")
    return config
