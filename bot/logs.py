"""Structured logs for the long-running process: one line per event on stderr, JSON when
stderr is not a terminal (a container, systemd, a log shipper), readable words on a terminal.

An event is a log record with `extra={"event": "job.finished", ...}`; its extra fields become
keys of the JSON object. Every secret of the settings (each `SecretStr`: X's credentials, the
SMTP password, the web page's key) is replaced by `***` in every line, tracebacks included,
whatever code wrote it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import BaseModel, SecretStr

from bot.settings import Settings

MASK = "***"
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
QUIET_LOGGERS = ("alembic", "apscheduler", "httpx", "uvicorn.access")
"""Libraries that log each step at INFO; our own events already say what happened."""


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Send every log record to `stream` (stderr), one line each, secrets masked."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    secrets = list(secret_values(settings))
    handler.setFormatter(HumanFormatter(secrets) if stream.isatty() else JsonFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def secret_values(model: BaseModel) -> Iterator[str]:
    """The value of every `SecretStr` in the settings, nested sections and lists included."""
    for name in type(model).model_fields:
        yield from _secrets_in(getattr(model, name))


def _secrets_in(value: Any) -> Iterator[str]:
    if isinstance(value, SecretStr):
        if value.get_secret_value():
            yield value.get_secret_value()
    elif isinstance(value, BaseModel):
        yield from secret_values(value)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _secrets_in(item)


class _MaskingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted(set(secrets), key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    @staticmethod
    def fields(record: logging.LogRecord) -> dict[str, Any]:
        return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


class JsonFormatter(_MaskingFormatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= self.fields(record)
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(self._masked(line), ensure_ascii=False, default=str)

    def _masked(self, value: Any) -> Any:
        """Masked before encoding, so a secret with quotes or backslashes is found as is."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {key: self._masked(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._masked(item) for item in value]
        if value is None or isinstance(value, int | float | bool):
            return value
        return self.mask(str(value))


class HumanFormatter(_MaskingFormatter):
    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC).astimezone().strftime("%H:%M:%S")
        details = " ".join(f"{key}={value}" for key, value in self.fields(record).items())
        line = f"{at} {record.levelname:<7} {record.getMessage()}"
        line += f"  ({details})" if details else ""
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return self.mask(line)
