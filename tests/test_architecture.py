"""The shape the code promises (STYLE.md): the core does no I/O and imports no adapter library,
and the README documents every command and every setting."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from bot.cli import main
from bot.settings import Settings

BOT = Path(__file__).parents[1] / "bot"
README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
CORE = [
    "models", "errors", "clock", "catalan", "relevance", "weighted_length", "drafting",
    "review", "news", "events", "health", "slots", "cost", "ports", "service", "publishing",
    "reminders", "reminding", "digest", "digesting",
]  # fmt: skip
ADAPTER_IMPORTS = {
    "httpx", "feedparser", "icalendar", "recurring_ical_events", "sqlalchemy", "alembic",
    "tweepy", "apscheduler", "fastapi", "starlette", "uvicorn", "nh3", "requests",
    "bot.store", "bot.sources", "bot.publishers", "bot.cli", "bot.app", "bot.loopback",
    "bot.demo",
}  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_no_adapter(module: str) -> None:
    imported = imported_modules(BOT / f"{module}.py")
    offending = {
        name for name in imported
        if any(name == a or name.startswith(a + ".") for a in ADAPTER_IMPORTS)
    }  # fmt: skip
    assert offending == set()


@pytest.mark.parametrize("module", [m for m in CORE if m != "clock"])
def test_the_core_never_reads_the_wall_clock(module: str) -> None:
    source = (BOT / f"{module}.py").read_text(encoding="utf-8")
    assert not re.search(r"datetime\.now\(|time\.time\(|date\.today\(", source)


def all_commands(group: click.Group, prefix: str = "") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += all_commands(command, f"{prefix}{name} ")
        else:
            found.append(f"{prefix}{name}")
    return found


@pytest.mark.parametrize("command", all_commands(main))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"xmess-bot {command}" in README


def setting_keys(model: type, prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        if name == "config_dir":
            continue
        annotation = field.annotation
        inner = getattr(annotation, "__args__", (annotation,))[0]
        if hasattr(annotation, "model_fields"):
            keys += setting_keys(annotation, f"{prefix}{name}.")
        elif hasattr(inner, "model_fields"):
            keys += setting_keys(inner, f"{prefix}{name}[].")
        else:
            keys.append(f"{prefix}{name}")
    return keys


@pytest.mark.parametrize("key", setting_keys(Settings))
def test_every_setting_is_in_the_readme_table(key: str) -> None:
    assert f"| `{key}` |" in README
