"""E-mails to the editors when drafts wait for them: at most one an hour, and only when
something waits that the last e-mail did not list.

Sending an e-mail every hour while the queue is never empty would teach people to ignore it,
so a message goes out only for drafts the previous one did not announce; it then lists every
draft still waiting, each with a link to its page. The database keeps what was sent, so a
restart neither resends nor forgets. The e-mail is sent before it is written down: a crash in
between means one repeated e-mail, never a missed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.models import Draft, DraftKind, DraftStatus, Notice
from bot.ports import Mailer, OutgoingMail
from bot.service import App, stored_id

NOTICE_INTERVAL = timedelta(hours=1)
PREVIEW_CHARS = 120
KIND_LABELS_CA: dict[DraftKind, str] = {
    DraftKind.NEWS: "notícia",
    DraftKind.EVENT: "acte",
    DraftKind.MANUAL: "publicació pròpia",
    DraftKind.REMINDER: "recordatori",
    DraftKind.CANCELLATION: "cancel·lació",
    DraftKind.DIGEST: "resum setmanal",
    DraftKind.CORRECTION: "correcció",
}


def notify_pending(app: App, mailer: Mailer | None) -> str:
    """E-mail the editors about the waiting drafts if it is time; says what it did.
    Raises `NotifyError` when the mail server refuses (the next run tries again)."""
    recipients = tuple(app.settings.notify_to)
    if mailer is None or not recipients:
        return "avisos per correu desactivats (notify_to buit)"
    now, last = app.clock.now(), app.store.last_notice()
    quiet = "cap avís: res de nou per revisar, o ja se n'ha enviat un fa menys d'una hora"
    if last is not None and now - last.sent_at < NOTICE_INTERVAL:
        return quiet  # decided without reading the queue: most runs end here
    waiting = app.store.list_drafts((DraftStatus.PENDING,))
    ids = tuple(stored_id(d) for d in waiting)
    if not is_notice_due(ids, last, now):
        return quiet
    mailer.send(compose_notice(waiting, recipients, app.settings.web.public_url))
    app.store.record_notice(Notice(now, ids, len(recipients)))
    return f"avís enviat a {len(recipients)} persones: {len(waiting)} esborranys pendents"


def is_notice_due(waiting: Sequence[int], last: Notice | None, now: datetime) -> bool:
    """Some waiting draft was not in the last e-mail, and that e-mail is an hour old."""
    if last is None:
        return bool(waiting)
    news = set(waiting) - set(last.draft_ids)
    return bool(news) and now - last.sent_at >= NOTICE_INTERVAL


def compose_notice(
    waiting: Sequence[Draft], recipients: tuple[str, ...], public_url: str | None
) -> OutgoingMail:
    count = len(waiting)
    subject = (
        "XMESS: 1 esborrany espera aprovació"
        if count == 1
        else f"XMESS: {count} esborranys esperen aprovació"
    )
    lines = [
        "Hola,",
        "",
        f"A la cua d'aprovació de la XMESS hi ha {_drafts_waiting(count)}:",
        "",
    ]
    for draft in waiting:
        lines += [*_draft_lines(draft, public_url), ""]
    lines += [
        _where_to_review(public_url),
        "",
        "Aquest missatge l'envia xmess-bot, com a molt un cop per hora i només quan hi ha "
        "esborranys nous per revisar.",
    ]
    return OutgoingMail(recipients, subject, "\n".join(lines) + "\n")


def _drafts_waiting(count: int) -> str:
    return "1 esborrany pendent" if count == 1 else f"{count} esborranys pendents"


def _draft_lines(draft: Draft, public_url: str | None) -> list[str]:
    about = f" · {draft.member}" if draft.member else ""
    first = draft.text.splitlines()[0] if draft.text else ""
    preview = first if len(first) <= PREVIEW_CHARS else first[: PREVIEW_CHARS - 1] + "…"
    lines = [f"#{draft.id} · {KIND_LABELS_CA[draft.kind]}{about}", f"  {preview}"]
    if public_url:
        lines.append(f"  {public_url}/drafts/{draft.id}")
    return lines


def _where_to_review(public_url: str | None) -> str:
    if public_url:
        return f"Podeu revisar-los a {public_url}/"
    return "Podeu revisar-los amb «xmess-bot queue list» i «xmess-bot queue show ID»."
