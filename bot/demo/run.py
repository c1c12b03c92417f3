"""`xmess-bot demo`: the whole path on bundled data, with nothing leaving the machine.

The demo serves the bundled member feeds and agenda from a loopback HTTP server, writes a
config for them in its folder and polls once through the real fetch path; the CLI then prints
the queue and the commands to try next. Items link to the councils' own sites, not to the loopback
server, so a second run (on another port) recognises them and adds nothing twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import service
from bot.app import build_app
from bot.demo.render import render_file
from bot.loopback import LoopbackServer, Resource
from bot.models import Draft, DraftStatus
from bot.ports import Clock
from bot.settings import load_settings

DATA = Path(__file__).resolve().parent / "data"
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
    report: service.PollReport
    waiting: list[Draft]

    @property
    def outbox(self) -> Path:
        return self.config.parent / "var" / "outbox.jsonl"


def run_demo(workdir: Path, *, port: int, clock: Clock) -> DemoRun:
    """Run one demo poll in `workdir`: the config written, what the poll did, what waits."""
    workdir.mkdir(parents=True, exist_ok=True)
    now = clock.now()
    with LoopbackServer(port=port) as server:
        base = server.url("").rstrip("/")
        server.resources.update(demo_resources(now, base))
        config = write_config(workdir, base)
        app = build_app(load_settings(config), clock)
        report = service.poll(app)
    return DemoRun(config, report, app.store.list_drafts((DraftStatus.PENDING,)))


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
