"""The command line: each command parses its arguments, calls one service function and prints.

Errors the bot raises on purpose (`XmessError`) become one line on stderr and exit status 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from bot import digesting, publishing, reminding, service
from bot.accounts import Role, User, check_name, hash_password
from bot.app import build_app, build_drafter
from bot.clock import FixedClock, SystemClock
from bot.cost import Prices, estimate_posts
from bot.demo.run import (
    DEMO_PASSWORD,
    DEMO_TIMEZONE,
    DEMO_USER,
    DemoRun,
    demo_sources,
    ensure_demo_account,
    poll_demo,
)
from bot.errors import XmessError
from bot.models import Draft, DraftStatus, HistoryEntry, PublisherProblem
from bot.publishers.x import XPublisher
from bot.review import STATUS_LABELS_CA
from bot.service import App
from bot.settings import Settings, config_path, load_settings, load_slots
from bot.store.accounts import accounts_for
from bot.weighted_length import weighted_length

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


def thread_text(posts: digesting.DigestPosts, settings: Settings) -> str:
    """Each post with its weighted length, then what each mode would cost on X."""
    lines = []
    for number, post in enumerate(posts.posts, start=1):
        lines += [f"— {number}/{len(posts.posts)} ({weighted_length(post)} caràcters) —", post, ""]
    currency = settings.cost.currency
    lines += [
        f"Cost estimat a X: en fil, {posts.thread_cost:.3f} {currency}; "
        f"una sola publicació amb l'enllaç a la pàgina, {posts.link_cost:.3f} {currency} "
        f"(ara: digest.mode = «{settings.digest.mode}»).",
    ]
    if not posts.fits:
        lines.append("Atenció: alguna publicació passa del límit i caldrà editar-la.")
    return "\n".join(lines)


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
def users() -> None:
    """Els comptes de la pàgina web."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option(
    "--password-stdin", is_flag=True, help="Llegeix la contrasenya de l'entrada (per a scripts)."
)
@pass_context
def users_add(context: Context, name: str, role: str, password_stdin: bool) -> None:
    """Afegeix una persona (la contrasenya es demana, o es llegeix amb --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Contrasenya", hide_input=True, confirmation_prompt=True)
    app = context.app(None)
    user = User(check_name(name), Role(role), hash_password(password), app.clock.now())
    accounts_for(app.store).add(user)
    click.echo(f"Usuari «{user.name}» afegit ({role}).")


@users.command("list")
@pass_context
def users_list(context: Context) -> None:
    """Les persones amb accés i el seu rol."""
    for user in accounts_for(context.app(None).store).all():
        click.echo(f"{user.name}\t{user.role.value}\t{user.language}")


@users.command("remove")
@click.argument("name")
@pass_context
def users_remove(context: Context, name: str) -> None:
    """Treu l'accés a una persona (el seu nom es queda a l'historial)."""
    accounts_for(context.app(None).store).remove(name)
    click.echo(f"Usuari «{name}» eliminat.")


@main.group()
def x() -> None:
    """El compte d'X."""


@x.command("whoami")
@pass_context
def x_whoami(context: Context) -> None:
    """Comprova les credencials d'X i diu de quin compte són."""
    click.echo(XPublisher(context.settings.x).whoami())


@main.group()
def queue() -> None:
    """La cua d'aprovació."""


@queue.command("list")
@click.option(
    "--status", type=click.Choice([s.value for s in DraftStatus]), help="Només aquest estat."
)
@click.option("--json", "as_json", is_flag=True, help="Sortida JSON (per a scripts).")
@pass_context
def queue_list(context: Context, status: str | None, as_json: bool) -> None:
    """Llista els esborranys (pendents primer)."""
    app = context.app(None)
    drafts = app.store.list_drafts((DraftStatus(status),) if status else ())
    drafts.sort(key=lambda d: (d.status is not DraftStatus.PENDING, d.id or 0))
    zone = app.settings.zone
    if as_json:
        prices = app.settings.cost.prices()
        rows = [draft_json(d, zone, prices) for d in drafts]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for draft in drafts:
        click.echo(draft_line(draft, zone))
    if not drafts:
        click.echo("La cua és buida.")


@queue.command("show")
@click.argument("draft_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def queue_show(context: Context, draft_id: int, as_json: bool) -> None:
    """Mostra un esborrany amb el seu context i l'historial."""
    app = context.app(None)
    draft = app.store.get_draft(draft_id)
    zone = app.settings.zone
    if as_json:
        data = draft_json(draft, zone, app.settings.cost.prices()) | {
            "history": [history_json(h, zone) for h in app.store.history(draft_id)]
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(draft_details(draft, zone, app.settings.cost.prices()))
    for entry in app.store.history(draft_id):
        click.echo(f"  {_local(entry.at, zone)}  {entry.actor}: {entry.action} {entry.detail}")


@queue.command("approve")
@click.argument("draft_id", type=int)
@by_option
@click.option("--at", metavar="ISO", help="Quan s'ha de publicar (per defecte, com més aviat).")
@now_option
@pass_context
def queue_approve(
    context: Context, draft_id: int, by: str, at: str | None, now: str | None
) -> None:
    """Aprova un esborrany."""
    app = context.app(now)
    when = parse_moment(at, app.settings.zone) if at else None
    _done(service.approve(app, draft_id, by, when), app)


@queue.command("edit")
@click.argument("draft_id", type=int)
@by_option
@click.option("--text", required=True, help="El text nou (es torna a comprovar la llargada).")
@now_option
@pass_context
def queue_edit(context: Context, draft_id: int, by: str, text: str, now: str | None) -> None:
    """Canvia el text; un esborrany aprovat torna a pendent."""
    app = context.app(now)
    _done(service.edit(app, draft_id, by, text), app)


@queue.command("alt")
@click.argument("draft_id", type=int)
@by_option
@click.option("--text", required=True, help="La descripció de la imatge (buida: cap).")
@now_option
@pass_context
def queue_alt(context: Context, draft_id: int, by: str, text: str, now: str | None) -> None:
    """Canvia el text alternatiu de la imatge; un esborrany aprovat torna a pendent."""
    app = context.app(now)
    _done(service.edit_alt_text(app, draft_id, by, text), app)


@queue.command("reschedule")
@click.argument("draft_id", type=int)
@by_option
@click.option("--at", required=True, metavar="ISO")
@now_option
@pass_context
def queue_reschedule(context: Context, draft_id: int, by: str, at: str, now: str | None) -> None:
    """Canvia quan s'ha de publicar."""
    app = context.app(now)
    _done(service.reschedule(app, draft_id, by, parse_moment(at, app.settings.zone)), app)


@queue.command("reject")
@click.argument("draft_id", type=int)
@by_option
@click.option("--reason", required=True, help="Per què no es publica.")
@now_option
@pass_context
def queue_reject(context: Context, draft_id: int, by: str, reason: str, now: str | None) -> None:
    """Rebutja un esborrany."""
    app = context.app(now)
    _done(service.reject(app, draft_id, by, reason), app)


@queue.command("note")
@click.argument("draft_id", type=int)
@by_option
@click.option("--text", required=True, help="Nota privada: no es publica mai.")
@now_option
@pass_context
def queue_note(context: Context, draft_id: int, by: str, text: str, now: str | None) -> None:
    """Afegeix una nota privada per al grup."""
    app = context.app(now)
    _done(service.add_note(app, draft_id, by, text), app)


@queue.command("requeue")
@click.argument("draft_id", type=int)
@by_option
@now_option
@pass_context
def queue_requeue(context: Context, draft_id: int, by: str, now: str | None) -> None:
    """Torna a la cua un esborrany fallit o per comprovar, després de mirar-ho."""
    app = context.app(now)
    _done(service.requeue(app, draft_id, by), app)


@queue.command("retract")
@click.argument("draft_id", type=int)
@by_option
@click.option("--reason", required=True, help="Per què s'esborra de la xarxa.")
@now_option
@pass_context
def queue_retract(context: Context, draft_id: int, by: str, reason: str, now: str | None) -> None:
    """Esborra de la xarxa una publicació ja feta (queda a l'historial)."""
    app = context.app(now)
    _done(publishing.retract(app, draft_id, by, reason), app)


@queue.command("correct")
@click.argument("draft_id", type=int)
@by_option
@now_option
@pass_context
def queue_correct(context: Context, draft_id: int, by: str, now: str | None) -> None:
    """Prepara una correcció d'una publicació, que passa per l'aprovació."""
    app = context.app(now)
    _done(publishing.correct(app, draft_id, by), app)


@queue.command("add")
@by_option
@click.option("--text", required=True)
@click.option("--url", default=None, help="Enllaç que acompanya la publicació.")
@now_option
@pass_context
def queue_add(context: Context, by: str, text: str, url: str | None, now: str | None) -> None:
    """Escriu una publicació pròpia; passa per la mateixa aprovació."""
    app = context.app(now)
    _done(service.add_manual(app, by, text, url), app)


@main.command()
@click.option("--dir", "workdir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("xmess-demo"), show_default=True,
              help="Carpeta de la demo (configuració, base de dades, safata).")  # fmt: skip
@click.option("--port", type=int, default=0, help="Port del servidor local de la demo.")
@click.option("--web-port", type=int, default=8000, show_default=True, help="Port de la web.")
@click.option("--once", is_flag=True, help="Només llegeix els canals un cop i acaba.")
@now_option
def demo(workdir: Path, port: int, web_port: int, once: bool, now: str | None) -> None:
    """Prova-ho tot amb dades de mostra: canals i agenda servits en local, sense publicar res."""
    clock = FixedClock(parse_moment(now, DEMO_TIMEZONE)) if now else SystemClock()
    with demo_sources(workdir, port=port, now=clock.now()) as config:
        done = poll_demo(config, clock)
        _print_demo(done)
        if once or now:  # a fixed --now cannot drive a live bot
            return
        new_account = ensure_demo_account(config, clock)
        _print_demo_web(web_port, new_account)
        from bot.runner import run as run_forever

        run_forever(load_settings(config), "127.0.0.1", web_port)


def _print_demo(done: DemoRun) -> None:
    cli = f"{_program()} --config {done.config}"
    click.echo(done.report.describe())
    click.echo(f"\nEsborranys pendents d'aprovació: {len(done.waiting)}.")
    for draft in done.waiting:
        click.echo(draft_line(draft, DEMO_TIMEZONE))
    click.echo(
        "\nDes d'un altre terminal podeu provar:\n"
        f"  {cli} queue list\n"
        f"  {cli} queue show 1\n"
        f'  {cli} queue approve 1 --by "El vostre nom"\n'
        f"  cat {done.outbox}\n"
        "\nLa demo no publica res: el publicador de prova escriu a la safata (outbox)."
    )


def _print_demo_web(port: int, new_account: bool) -> None:
    made = "creat ara" if new_account else "ja existia"
    click.echo(
        f"\nPàgina web: http://127.0.0.1:{port}/  (usuari «{DEMO_USER}», contrasenya "
        f"«{DEMO_PASSWORD}», {made})\n"
        "El bot continua: llegeix els canals cada 20 minuts i publica a la safata el que\n"
        "aproveu quan arriba la seva hora. Atureu-lo amb Ctrl-C."
    )


def _program() -> str:
    """How the person started us (`.venv/bin/xmess-bot` after `make demo`), for commands to copy."""
    started_as = Path(sys.argv[0])
    return str(started_as) if started_as.name == "xmess-bot" else "xmess-bot"


def _done(draft: Draft, app: App) -> None:
    click.echo(draft_line(draft, app.settings.zone))


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment else None


def draft_json(draft: Draft, zone: ZoneInfo, prices: Prices) -> dict[str, Any]:
    """The `--json` shape scripts rely on (documented in the README)."""
    return {
        "id": draft.id,
        "kind": draft.kind.value,
        "status": draft.status.value,
        "text": draft.text,
        "follow_ups": list(draft.follow_ups),
        "thread_post_ids": list(draft.thread_post_ids),
        "member": draft.member,
        "source_url": draft.source_url,
        "source_title": draft.source_title,
        "image_url": draft.image.url if draft.image else None,
        "image_alt": draft.image.alt if draft.image else None,
        "matched_keywords": list(draft.matched_keywords),
        "over_limit": draft.over_limit,
        "estimated_cost": estimate_posts(draft.posts, prices),
        "scheduled_at": _local(draft.scheduled_at, zone),
        "created_at": _local(draft.created_at, zone),
        "published_at": _local(draft.published_at, zone),
        "post_url": draft.post_url,
        "status_reason": draft.status_reason,
        "notes": [{"author": n.author, "text": n.text, "created_at": _local(n.created_at, zone)}
                  for n in draft.notes],
    }  # fmt: skip


def health_json(source: service.SourceHealth, zone: ZoneInfo) -> dict[str, Any]:
    health = source.health
    return {
        "name": source.name,
        "kind": source.kind,
        "url": health.url,
        "last_success_at": _local(health.last_success_at, zone),
        "last_error": health.last_error,
        "last_error_at": _local(health.last_error_at, zone),
        "consecutive_failures": health.consecutive_failures,
        "retry_after": _local(health.retry_after, zone),
    }


def history_json(entry: HistoryEntry, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "actor": entry.actor,
        "action": entry.action,
        "at": _local(entry.at, zone),
        "status_before": entry.status_before.value if entry.status_before else None,
        "status_after": entry.status_after.value,
        "text_before": entry.text_before,
        "text_after": entry.text_after,
        "detail": entry.detail,
    }


def problem_line(problem: PublisherProblem, zone: ZoneInfo) -> str:
    since = _local(problem.since, zone)
    until = f", fins a {_local(problem.until, zone)}" if problem.until else ""
    label = publishing.PROBLEM_LABELS_CA[problem.kind]
    return f"Problema del publicador — {label} (des de {since}{until}): {problem.detail}"


def draft_line(draft: Draft, zone: ZoneInfo) -> str:
    when = _local(draft.scheduled_at, zone) or "-"
    flag = " [MASSA LLARG]" if draft.over_limit else ""
    first = draft.text.splitlines()[0] if draft.text else ""
    return (
        f"#{draft.id:<4} {draft.kind.value:<12} {STATUS_LABELS_CA[draft.status]:<16} "
        f"{when[:16]:<16} {draft.member or '-':<22} {first[:60]}{flag}"
    )


def draft_details(draft: Draft, zone: ZoneInfo, prices: Prices) -> str:
    lines = [
        f"Esborrany #{draft.id} ({draft.kind.value}), {STATUS_LABELS_CA[draft.status]}",
        f"Municipi: {draft.member or '-'}",
        f"Font: {draft.source_title or '-'} <{draft.source_url or '-'}>",
        f"Paraules clau: {', '.join(draft.matched_keywords) or '-'}",
        f"Programat: {_local(draft.scheduled_at, zone) or '-'}",
        f"Cost estimat a X: {estimate_posts(draft.posts, prices):.3f} {prices.currency}",
    ]
    if draft.image:
        lines.append(
            f"Imatge: {draft.image.url} (alt: {draft.image.alt or 'SENSE TEXT ALTERNATIU'})"
        )
    lines += ["", *_numbered_posts(draft), ""]
    lines += [f"Nota de {n.author}: {n.text}" for n in draft.notes]
    return "\n".join([*lines, "Historial:"])


def _numbered_posts(draft: Draft) -> list[str]:
    """The text; for a thread, each post under its number and whether it is out yet."""
    if not draft.follow_ups:
        return [draft.text]
    lines = []
    for index, text in enumerate(draft.posts):
        out = " (publicada)" if index < len(draft.thread_post_ids) else ""
        lines += [f"[{index + 1}/{len(draft.posts)}]{out}", text]
    return lines
