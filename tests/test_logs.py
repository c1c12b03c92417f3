"""Structured logs: one JSON object per line off a terminal, words on a terminal, and never a
secret of the settings, whoever wrote the line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import configure_logging
from bot.settings import Settings, SmtpSettings

X_SECRETS = {
    "consumer_key": "ck-4f9a1b",
    "consumer_secret": 'cs-"quoted\\secret"',
    "access_token": "1700000000000000001-at-77e2",
    "access_token_secret": "ats-0c3d5e",
}
SMTP_PASSWORD = "smtp-pa55-Wörd"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    smtp = SmtpSettings(
        host="smtp.xmess.cat",
        username="bot@xmess.cat",
        password=SMTP_PASSWORD,  # type: ignore[arg-type]
        from_address="bot@xmess.cat",
    )
    return Settings(  # type: ignore[call-arg]
        config_dir=tmp_path, x=X_SECRETS, smtp=smtp, notify_to=["marta@xmess.cat"]
    )


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_each_event_is_one_json_line_off_a_terminal(settings: Settings) -> None:
    stream = io.StringIO()
    configure_logging(settings, stream)
    logging.getLogger("xmess.scheduler").info(
        "3 esborranys nous", extra={"event": "job.finished", "job": "poll_feeds", "seconds": 1.5}
    )
    [line] = stream.getvalue().splitlines()
    record = json.loads(line)
    del record["at"]
    assert record == {
        "level": "info",
        "logger": "xmess.scheduler",
        "message": "3 esborranys nous",
        "event": "job.finished",
        "job": "poll_feeds",
        "seconds": 1.5,
    }


def test_on_a_terminal_the_line_is_for_people(settings: Settings) -> None:
    stream = Terminal()
    configure_logging(settings, stream)
    logging.getLogger("xmess.run").warning("aturant", extra={"event": "run.stopping"})
    [line] = stream.getvalue().splitlines()
    assert line[8:] == " WARNING aturant  (event=run.stopping)"


@pytest.mark.parametrize("stream", [io.StringIO(), Terminal()], ids=["json", "terminal"])
def test_no_secret_reaches_the_log_whoever_writes_it(
    settings: Settings, stream: io.StringIO
) -> None:
    configure_logging(settings, stream)
    log = logging.getLogger("some.library")
    secrets = [*X_SECRETS.values(), SMTP_PASSWORD]
    log.info("connecting with %s", " and ".join(secrets), extra={"token": secrets[2]})
    try:
        raise RuntimeError(f"login refused for password {SMTP_PASSWORD}")
    except RuntimeError:
        log.exception("the mail server said no")
    written = stream.getvalue()
    if not stream.isatty():  # as a log reader sees it, JSON escapes undone
        lines = [json.loads(line) for line in written.splitlines()]
        written += "\n".join(str(v) for line in lines for v in line.values())
    assert [secret for secret in secrets if secret in written] == []
    assert written.count("***") >= len(secrets) + 2
