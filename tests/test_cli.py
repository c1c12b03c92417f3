"""The command line as scripts use it: real processes, a real SQLite file, the bundled demo
feeds and agenda served from a loopback HTTP server, and the dry-run outbox."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.demo.run import demo_resources, write_config
from bot.loopback import LoopbackServer

NOW = "2026-11-27T10:00"
ROOT = Path(__file__).parents[1]
MOMENT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DEMO_NEWS_DRAFTS = 14
DEMO_EVENT_DRAFTS = 6
DEMO_REMINDER_DRAFTS = 10
"""The reminders of the demo's events whose time is within the 14 days of `[reminders]`."""
DEMO_DRAFTS = DEMO_NEWS_DRAFTS + DEMO_EVENT_DRAFTS + DEMO_REMINDER_DRAFTS


@pytest.fixture
def config(tmp_path: Path) -> Iterator[Path]:
    with LoopbackServer() as server:
        base = server.url("").rstrip("/")
        server.resources.update(demo_resources(MOMENT, base))
        yield write_config(tmp_path, base)


def xmess(config: Path, *args: str, check: bool = True) -> Result:
    """Run the command line in this process, as `XMESS_CONFIG=config xmess-bot ARGS`."""
    done = CliRunner().invoke(main, args, env={"XMESS_CONFIG": str(config)})
    if check:
        assert done.exit_code == 0, done.output
    return done


def xmess_process(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed entry point in a child process, as a script would."""
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def queue(config: Path, *args: str) -> list[dict[str, object]]:
    return json.loads(xmess(config, "queue", "list", "--json", *args).stdout)  # type: ignore[no-any-return]


def test_poll_list_approve_publish_and_a_second_poll_adds_nothing(config: Path) -> None:
    first = xmess(config, "poll", "--now", NOW).stdout
    assert f"Esborranys nous: {DEMO_DRAFTS}." in first
    drafts = queue(config)
    assert [d["kind"] for d in drafts].count("news") == DEMO_NEWS_DRAFTS
    assert [d["kind"] for d in drafts].count("event") == DEMO_EVENT_DRAFTS
    assert [d["kind"] for d in drafts].count("reminder") == DEMO_REMINDER_DRAFTS
    chosen = drafts[0]
    approved = xmess(config, "queue", "approve", str(chosen["id"]), "--by", "Marta", "--now", NOW)
    assert "2026-11-27T12:30" in approved.stdout  # the next free slot of schedules/slots.toml
    assert xmess(config, "publish-due", "--now", "2026-11-27T12:29").stdout.strip() == (
        "No hi ha res per publicar ara."
    )
    published = xmess(config, "publish-due", "--now", "2026-11-27T12:31").stdout
    assert f"#{chosen['id']}: publicat" in published
    outbox = (config.parent / "var" / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in outbox] == [
        {
            "draft_id": chosen["id"],
            "index": 0,
            "network": "x",
            "text": chosen["text"],
            "reply_to": None,
            "image_url": chosen["image_url"],
            "image_alt": chosen["image_alt"],
            "published_at": "2026-11-27T11:31:00+00:00",
            "post_id": f"dry-run-{chosen['id']}",
        }
    ]
    again = xmess(config, "poll", "--now", "2026-11-27T12:40").stdout
    assert "Elements nous: 0. Esborranys nous: 0." in again
    assert "4 sense canvis" in again
    assert xmess(config, "publish-due", "--now", "2026-11-27T12:41").stdout.strip() == (
        "No hi ha res per publicar ara."
    )


def test_json_output_has_the_documented_fields_and_offsets(config: Path) -> None:
    xmess(config, "poll", "--now", NOW)
    drafts = queue(config, "--status", "pending")
    draft = drafts[0]
    assert {
        "id",
        "kind",
        "status",
        "text",
        "member",
        "source_url",
        "scheduled_at",
        "created_at",
    } <= set(draft)
    assert isinstance(draft["id"], int)
    assert draft["estimated_cost"] in (0.015, 0.20)
    assert draft["created_at"] == "2026-11-27T10:00:00+01:00"
    assert {d["member"] for d in drafts} == {
        "Igualada",
        "el Prat de Llobregat",
        "l'Hospitalet de Llobregat",
        "Sant Cugat del Vallès",
        None,
    }


def test_every_queue_action_is_in_the_history(config: Path) -> None:
    xmess(config, "poll", "--now", NOW)
    run = ("--now", NOW)
    xmess(config, "queue", "note", "2", "--by", "Marta", "--text", "Cal foto", *run)
    xmess(config, "queue", "reschedule", "2", "--by", "Marta", "--at", "2026-11-28T09:30", *run)
    xmess(config, "queue", "approve", "2", "--by", "Jordi", *run)
    xmess(config, "queue", "edit", "2", "--by", "Marta", "--text", "Subvencions ESS obertes", *run)
    xmess(config, "queue", "reject", "3", "--by", "Jordi", "--reason", "Repetida", *run)
    shown = json.loads(xmess(config, "queue", "show", "2", "--json").stdout)
    assert [(h["actor"], h["action"], h["status_after"]) for h in shown["history"]] == [
        ("xmess-bot", "create", "pending"),
        ("Marta", "note", "pending"),
        ("Marta", "reschedule", "pending"),
        ("Jordi", "approve", "approved"),
        ("Marta", "edit", "pending"),
    ]
    assert shown["scheduled_at"] == "2026-11-28T09:30:00+01:00"
    assert shown["notes"][0]["text"] == "Cal foto"
    assert queue(config, "--status", "rejected")[0]["status_reason"] == "Repetida"


def test_a_manual_post_goes_through_the_same_queue(config: Path) -> None:
    added = xmess(
        config, "queue", "add", "--by", "Marta", "--text", "Bon dia, xarxa!",
        "--url", "https://www.xmess.cat", "--now", NOW,
    )  # fmt: skip
    assert "manual" in added.stdout
    [draft] = queue(config)
    assert (draft["kind"], draft["status"], draft["member"]) == ("manual", "pending", None)
    assert draft["text"] == "Bon dia, xarxa! https://www.xmess.cat"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("queue", "approve", "999", "--by", "Marta"),
            "no hi ha cap esborrany amb l'identificador 999",
        ),
        (("queue", "approve", "1", "--by", "Marta", "--at", "2020-01-01T10:00"), "ja ha passat"),
        (("queue", "approve", "1", "--by", "Marta", "--at", "dilluns"), "no és una data ISO 8601"),
        (("queue", "edit", "1", "--by", "Marta", "--text", "llarg " * 60), "el límit és 280"),
        (("queue", "requeue", "1", "--by", "Marta"), "pending → pending"),
        (("queue", "publish", "1"), "No such command"),
    ],
)
def test_a_refused_command_says_why_and_exits_non_zero(
    config: Path, args: tuple[str, ...], message: str
) -> None:
    xmess(config, "queue", "add", "--by", "Marta", "--text", "Hola", "--now", NOW)
    done = xmess(config, *args, check=False)
    assert done.exit_code != 0
    assert message in done.stderr


def test_a_wrong_config_key_is_named_with_the_file(tmp_path: Path) -> None:
    config = tmp_path / "xmess.toml"
    config.write_text('[relevance]\nkeywrods = ["ESS"]\n', encoding="utf-8")
    done = xmess_process("--config", str(config), "check-config")
    assert done.returncode == 1
    assert f"{config}" in done.stderr
    assert "clau «relevance.keywrods»: clau desconeguda" in done.stderr


def test_check_config_finds_a_misspelt_template_variable(config: Path) -> None:
    templates = config.parent / "templates"
    templates.mkdir()
    for name in ("news.txt.j2", "event.txt.j2"):
        source = (ROOT / "templates" / name).read_text(encoding="utf-8")
        (templates / name).write_text(
            source.replace("{{ title }}", "{{ titol }}"), encoding="utf-8"
        )
    config.write_text('templates_dir = "templates"\n' + config.read_text(encoding="utf-8"))
    done = xmess(config, "check-config", check=False)
    assert done.exit_code == 1
    assert "la plantilla news.txt.j2 no es pot escriure" in done.stderr
    assert "titol" in done.stderr


def test_check_config_counts_what_it_found(config: Path) -> None:
    assert (
        "configuració correcta (4 municipis, 4 canals, 1 calendaris)"
        in xmess(config, "check-config").stdout
    )


def test_a_feed_that_is_down_is_reported_and_the_rest_is_drafted(
    config: Path, tmp_path: Path
) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("/feeds/el-prat.xml", "/feeds/absent.xml"), encoding="utf-8")
    done = xmess(config, "poll", "--now", NOW)
    assert "Fonts amb errors: 1;" in done.stdout
    assert "absent.xml" in done.stdout and "404" in done.stdout
    assert len(queue(config)) == DEMO_DRAFTS - 4


def test_the_demo_twice_adds_nothing_the_second_time(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        "demo",
        "--dir",
        str(tmp_path),
    ]
    first = subprocess.run([*command, "--now", NOW], capture_output=True, text=True, timeout=60)
    second = subprocess.run([*command, "--now", NOW], capture_output=True, text=True, timeout=60)
    assert f"Esborranys nous: {DEMO_DRAFTS}." in first.stdout
    assert "Esborranys nous: 0." in second.stdout
    assert f"Esborranys pendents d'aprovació: {DEMO_DRAFTS}." in second.stdout


def test_sources_show_the_last_error_of_a_failing_feed(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("/feeds/el-prat.xml", "/feeds/absent.xml"), encoding="utf-8")
    xmess(config, "poll", "--now", NOW)
    rows = {row["name"]: row for row in json.loads(xmess(config, "sources", "--json").stdout)}
    assert rows["el Prat de Llobregat"]["consecutive_failures"] == 1
    assert "404" in rows["el Prat de Llobregat"]["last_error"]
    assert rows["Igualada"]["last_success_at"] == "2026-11-27T10:00:00+01:00"
    assert rows["Agenda XMESS"]["kind"] == "calendar"


def test_pause_and_resume_from_the_command_line(config: Path) -> None:
    xmess(config, "queue", "add", "--by", "Marta", "--text", "Hola", "--now", NOW)
    xmess(
        config, "queue", "approve", "1", "--by", "Marta", "--at", "2026-11-27T12:30", "--now", NOW
    )
    assert (
        "aturada per Marta"
        in xmess(config, "pause", "--by", "Marta", "--reason", "Emergència", "--now", NOW).stdout
    )
    held = xmess(config, "publish-due", "--now", "2026-11-27T12:31").stdout
    assert "#1: aprovat — retingut: publicació aturada per Marta: Emergència" in held
    xmess(config, "resume", "--by", "Jordi", "--now", "2026-11-27T12:40")
    assert "#1: publicat" in xmess(config, "publish-due", "--now", "2026-11-27T12:41").stdout
