"""`xmess-bot queue`: the approval queue from the command line; each command calls one use
case and prints the draft as it now stands."""

from __future__ import annotations

import json

import click

from bot import publishing, service
from bot.cli.base import Context, by_option, main, now_option, parse_moment, pass_context
from bot.cli.output import draft_details, draft_json, draft_line, history_json, local_time
from bot.models import Draft, DraftStatus
from bot.service import App


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
        click.echo(f"  {local_time(entry.at, zone)}  {entry.actor}: {entry.action} {entry.detail}")


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
    show_done(service.approve(app, draft_id, by, when), app)


@queue.command("edit")
@click.argument("draft_id", type=int)
@by_option
@click.option("--text", required=True, help="El text nou (es torna a comprovar la llargada).")
@now_option
@pass_context
def queue_edit(context: Context, draft_id: int, by: str, text: str, now: str | None) -> None:
    """Canvia el text; un esborrany aprovat torna a pendent."""
    app = context.app(now)
    show_done(service.edit(app, draft_id, by, text), app)


@queue.command("alt")
@click.argument("draft_id", type=int)
@by_option
@click.option("--text", required=True, help="La descripció de la imatge (buida: cap).")
@now_option
@pass_context
def queue_alt(context: Context, draft_id: int, by: str, text: str, now: str | None) -> None:
    """Canvia el text alternatiu de la imatge; un esborrany aprovat torna a pendent."""
    app = context.app(now)
    show_done(service.edit_alt_text(app, draft_id, by, text), app)


@queue.command("reschedule")
@click.argument("draft_id", type=int)
@by_option
@click.option("--at", required=True, metavar="ISO")
@now_option
@pass_context
def queue_reschedule(context: Context, draft_id: int, by: str, at: str, now: str | None) -> None:
    """Canvia quan s'ha de publicar."""
    app = context.app(now)
    show_done(service.reschedule(app, draft_id, by, parse_moment(at, app.settings.zone)), app)


@queue.command("reject")
@click.argument("draft_id", type=int)
@by_option
@click.option("--reason", required=True, help="Per què no es publica.")
@now_option
@pass_context
def queue_reject(context: Context, draft_id: int, by: str, reason: str, now: str | None) -> None:
    """Rebutja un esborrany."""
    app = context.app(now)
    show_done(service.reject(app, draft_id, by, reason), app)


@queue.command("note")
@click.argument("draft_id", type=int)
@by_option
@click.option("--text", required=True, help="Nota privada: no es publica mai.")
@now_option
@pass_context
def queue_note(context: Context, draft_id: int, by: str, text: str, now: str | None) -> None:
    """Afegeix una nota privada per al grup."""
    app = context.app(now)
    show_done(service.add_note(app, draft_id, by, text), app)


@queue.command("requeue")
@click.argument("draft_id", type=int)
@by_option
@now_option
@pass_context
def queue_requeue(context: Context, draft_id: int, by: str, now: str | None) -> None:
    """Torna a la cua un esborrany fallit o per comprovar, després de mirar-ho."""
    app = context.app(now)
    show_done(service.requeue(app, draft_id, by), app)


@queue.command("retract")
@click.argument("draft_id", type=int)
@by_option
@click.option("--reason", required=True, help="Per què s'esborra de la xarxa.")
@now_option
@pass_context
def queue_retract(context: Context, draft_id: int, by: str, reason: str, now: str | None) -> None:
    """Esborra de la xarxa una publicació ja feta (queda a l'historial)."""
    app = context.app(now)
    show_done(publishing.retract(app, draft_id, by, reason), app)


@queue.command("correct")
@click.argument("draft_id", type=int)
@by_option
@now_option
@pass_context
def queue_correct(context: Context, draft_id: int, by: str, now: str | None) -> None:
    """Prepara una correcció d'una publicació, que passa per l'aprovació."""
    app = context.app(now)
    show_done(publishing.correct(app, draft_id, by), app)


@queue.command("add")
@by_option
@click.option("--text", required=True)
@click.option("--url", default=None, help="Enllaç que acompanya la publicació.")
@now_option
@pass_context
def queue_add(context: Context, by: str, text: str, url: str | None, now: str | None) -> None:
    """Escriu una publicació pròpia; passa per la mateixa aprovació."""
    app = context.app(now)
    show_done(service.add_manual(app, by, text, url), app)


def show_done(draft: Draft, app: App) -> None:
    click.echo(draft_line(draft, app.settings.zone))
