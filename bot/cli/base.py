"""The command line's frame: the `xmess-bot` group, the options every command shares, and
how the bot's own errors become one line on stderr and exit status 1."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from bot.app import build_app
from bot.clock import FixedClock, SystemClock
from bot.errors import XmessError
from bot.service import App
from bot.settings import Settings, config_path, load_settings

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What the group options carry to each command: settings are read once, on first use."""

    def __init__(self, config: Path | None) -> None:
        self.path = config_path(config)
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.path)
        return self._settings

    def app(self, now: str | None) -> App:
        clock = FixedClock(parse_moment(now, self.settings.zone)) if now else SystemClock()
        return build_app(self.settings, clock)


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """ISO 8601; a time without an offset is in the configured time zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"«{text}» no és una data ISO 8601 (p. ex. 2026-12-03T10:30 o 2026-12-03T10:30+01:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def now_option(command: F) -> F:
    return click.option(
        "--now", metavar="ISO", help="Fes com si fos aquest moment (per a proves i scripts)."
    )(command)


def by_option(command: F) -> F:
    return click.option("--by", "by", required=True, metavar="NOM", help="Qui fa el canvi.")(
        command
    )


pass_context = click.make_pass_decorator(Context)


class XmessGroup(click.Group):
    """Turns the bot's own errors into one readable line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except XmessError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=XmessGroup)
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fitxer de configuració TOML (per defecte XMESS_CONFIG o ./xmess.toml).",
)
@click.version_option(package_name="xmess-bot")
@click.pass_context
def main(ctx: click.Context, config: Path | None) -> None:
    """xmess-bot: notícies dels municipis i actes de la xarxa, a punt per aprovar i publicar."""
    ctx.obj = Context(config)


def program_name() -> str:
    """How the person started us (`.venv/bin/xmess-bot` after `make demo`), for commands to copy."""
    started_as = Path(sys.argv[0])
    return str(started_as) if started_as.name == "xmess-bot" else "xmess-bot"
