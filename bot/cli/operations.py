"""The commands that run the bot's work: checking the config, polling, publishing, reminders
and the digest, source health, pausing, the web page and `run`, the X account."""

from __future__ import annotations

import json
import sys

import click

from bot import digesting, publishing, reminding, service
from bot.app import build_drafter
from bot.cli.base import Context, by_option, main, now_option, pass_context
from bot.cli.output import draft_line, health_json, problem_line, thread_text
from bot.clock import SystemClock
from bot.publishers.x import XPublisher
from bot.review import STATUS_LABELS_CA
from bot.settings import load_slots


@main.command("check-config")
@pass_context
def check_config(context: Context) -> None:
    """Valida la configuració (i les plantilles) i no fa res més."""
    settings = context.settings
    build_drafter(settings).self_check(SystemClock().now())
    load_slots(settings)
    click.echo(
        f"{context.path}: configuració correcta ({len(settings.members)} municipis, "
        f"{sum(len(m.feeds) for m in settings.members)} canals, "
        f"{len(settings.calendars)} calendaris)."
    )


@main.command()
@now_option
@pass_context
def poll(context: Context, now: str | None) -> None:
    """Llegeix els canals i els calendaris i prepara esborranys del que és nou."""
    app = context.app(now)
    feeds = sum(len(m.feeds) for m in app.settings.members)
    if sys.stdout.isatty():
        with click.progressbar(length=feeds, label="Canals") as bar:
            report = service.poll(app, progress=bar.update)
    else:
        report = service.poll(app)
    click.echo(report.describe())


@main.command("publish-due")
@now_option
@pass_context
def publish_due(context: Context, now: str | None) -> None:
    """Publica cada esborrany aprovat que ja toca, una sola vegada."""
    app = context.app(now)
    outcomes = publishing.publish_due(app)
    for outcome in outcomes:
        label = STATUS_LABELS_CA[outcome.status]
        click.echo(f"#{outcome.draft_id}: {label} — {outcome.detail}")
    if not outcomes:
        click.echo("No hi ha res per publicar ara.")
    for problem in app.store.publisher_problems():
        click.echo(problem_line(problem, app.settings.zone))


@main.command()
@now_option
@pass_context
def reminders(context: Context, now: str | None) -> None:
    """Prepara els recordatoris dels actes que en falten i fa caducar els que ja no toquen."""
    click.echo(reminding.draft_reminders(context.app(now)).describe())


@main.command()
@click.option(
    "--format", "output", type=click.Choice(["md", "html", "thread"]), default="thread",
    show_default=True, help="Markdown, HTML o el fil d'X (amb el cost de cada opció).",
)  # fmt: skip
@click.option("--draft", is_flag=True, help="Crea l'esborrany del resum (una vegada per setmana).")
@now_option
@pass_context
def digest(context: Context, output: str, draft: bool, now: str | None) -> None:
    """Escriu el resum setmanal de notícies dels municipis (o en crea l'esborrany)."""
    app = context.app(now)
    if draft:
        made = digesting.draft_weekly_digest(app)
        click.echo(draft_line(made, app.settings.zone) if made else NO_DIGEST_DRAFT)
        return
    week = digesting.latest_digest(app)
    if week.empty:
        click.echo(f"La setmana {week.week} no té cap notícia: no hi ha resum.")
    elif output == "md":
        click.echo(digesting.render_markdown(app, week), nl=False)
    elif output == "html":
        click.echo(digesting.render_html(app, week), nl=False)
    else:
        click.echo(thread_text(digesting.digest_posts(app, week), app.settings))


NO_DIGEST_DRAFT = "Cap esborrany nou: la setmana no té notícies o el resum ja s'havia preparat."


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Sortida JSON (per a scripts).")
@pass_context
def sources(context: Context, as_json: bool) -> None:
    """L'estat de cada canal i calendari: últim èxit, últim error, espera."""
    app = context.app(None)
    zone = app.settings.zone
    rows = [health_json(h, zone) for h in service.source_health(app)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        state = "en espera fins a " + row["retry_after"] if row["retry_after"] else "actiu"
        click.echo(f"{row['name']}: {row['url']}")
        click.echo(f"  últim èxit: {row['last_success_at'] or 'mai'}; {state}")
        if row["last_error"]:
            failures = row["consecutive_failures"]
            click.echo(
                f"  últim error ({row['last_error_at']}, {failures} seguits): {row['last_error']}"
            )


@main.command("pause")
@by_option
@click.option("--reason", required=True, help="Per què (una emergència, un dol oficial…).")
@now_option
@pass_context
def pause_publishing(context: Context, by: str, reason: str, now: str | None) -> None:
    """Atura tota la publicació; les aprovacions es mantenen."""
    paused = publishing.pause(context.app(now), by, reason)
    click.echo(f"Publicació aturada per {paused.paused_by}: {paused.reason}")


@main.command("resume")
@by_option
@now_option
@pass_context
def resume_publishing(context: Context, by: str, now: str | None) -> None:
    """Torna a publicar el que estava aprovat."""
    publishing.resume(context.app(now), by)
    click.echo("La publicació continua.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adreça on escolta.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port on escolta.")
@pass_context
def web(context: Context, host: str, port: int) -> None:
    """Serveix la pàgina web d'aprovació."""
    from bot.logs import configure_logging
    from bot.web.app import create_app, serve

    configure_logging(context.settings)
    serve(create_app(context.app(None)), host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adreça on escolta.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port on escolta.")
@pass_context
def run(context: Context, host: str, port: int) -> None:
    """Tot en un procés: les tasques periòdiques (schedules/jobs.toml) i la pàgina web."""
    from bot.runner import run as run_forever

    run_forever(context.settings, host, port)


@main.group()
def x() -> None:
    """El compte d'X."""


@x.command("whoami")
@pass_context
def x_whoami(context: Context) -> None:
    """Comprova les credencials d'X i diu de quin compte són."""
    click.echo(XPublisher(context.settings.x).whoami())
