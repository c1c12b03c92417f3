"""The queue's rules: which status a draft may move to, and who may move it there.

This is the one place the draft state machine is written down; the store refuses to write a
status change that does not go through `check_transition`.

    pending   → approved | rejected | expired | withdrawn
    approved  → pending (edited, unapproved, its event moved) | publishing | expired | withdrawn
    publishing → published | failed | needs-check
               | approved (a refusal worth retrying later, e.g. a rate limit)
    failed | needs-check → pending (requeued by a person after checking)
    needs-check → published (a person found the post on X and recorded it)
    published → retracted (a person had the post deleted from the network)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.errors import TextTooLong, TransitionError
from bot.models import DraftStatus, HistoryEntry

S = DraftStatus

ALLOWED: dict[DraftStatus, frozenset[DraftStatus]] = {
    S.PENDING: frozenset({S.APPROVED, S.REJECTED, S.EXPIRED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.PENDING, S.PUBLISHING, S.EXPIRED, S.WITHDRAWN}),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.FAILED, S.NEEDS_CHECK, S.APPROVED}),
    S.FAILED: frozenset({S.PENDING}),
    S.NEEDS_CHECK: frozenset({S.PENDING, S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.RETRACTED}),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.RETRACTED: frozenset(),
}

EDITABLE = frozenset({S.PENDING, S.APPROVED, S.FAILED})
"""A text may change only before it goes out; editing a failed draft is how it gets fixed."""

STATUS_LABELS_CA: dict[DraftStatus, str] = {
    S.PENDING: "pendent",
    S.APPROVED: "aprovat",
    S.PUBLISHING: "publicant-se",
    S.PUBLISHED: "publicat",
    S.REJECTED: "rebutjat",
    S.FAILED: "fallit",
    S.NEEDS_CHECK: "cal comprovar-ho",
    S.EXPIRED: "caducat",
    S.WITHDRAWN: "retirat",
    S.RETRACTED: "esborrat de la xarxa",
}


def check_transition(current: DraftStatus, target: DraftStatus) -> None:
    """Raise `TransitionError` unless the state machine allows `current → target`."""
    if target not in ALLOWED[current]:
        raise TransitionError(
            f"no es pot passar un esborrany de «{STATUS_LABELS_CA[current]}» a "
            f"«{STATUS_LABELS_CA[target]}» ({current.value} → {target.value})"
        )


def check_editable(current: DraftStatus) -> None:
    if current not in EDITABLE:
        raise TransitionError(
            f"un esborrany «{STATUS_LABELS_CA[current]}» ja no es pot editar ({current.value})"
        )


def status_after_edit(current: DraftStatus) -> DraftStatus:
    """An edit sends an approved or failed draft back to people: what they approved changed."""
    check_editable(current)
    return S.PENDING


def check_fits(weighted_length: int, limit: int) -> None:
    if weighted_length > limit:
        raise TextTooLong(
            f"el text fa {weighted_length} caràcters ponderats i el límit és {limit}: "
            f"escurça'l {weighted_length - limit}"
        )


def check_future(moment: datetime, now: datetime) -> None:
    """A person cannot schedule a post in the past; `--at` must be later than now."""
    if moment <= now:
        raise TransitionError(
            f"l'hora demanada ({moment.isoformat()}) ja ha passat (ara és {now.isoformat()})"
        )


def check_actor(name: str) -> str:
    """Every change is signed: history without a name is no history."""
    cleaned = name.strip()
    if not cleaned:
        raise TransitionError("cal dir qui fa el canvi (--by NOM)")
    return cleaned


def raise_moved_meanwhile(draft_id: int) -> None:
    """A compare-and-set lost: someone (a person or another process) changed the draft first."""
    raise TransitionError(
        f"l'esborrany {draft_id} ha canviat mentrestant (una altra persona o procés): "
        "torna-ho a mirar"
    )


FIRST_APPROVAL = "first-approval"


def approvers_of_current_text(history: Sequence[HistoryEntry]) -> set[str]:
    """Who has approved the draft as it stands (four-eyes rule): approvals given before its
    text last changed, or before it went back to pending, do not count."""
    approvers: set[str] = set()
    for entry in history:
        changed = entry.text_before is not None and entry.text_before != entry.text_after
        if changed or (entry.status_after is S.PENDING and entry.status_before is not S.PENDING):
            approvers.clear()
        if entry.action == FIRST_APPROVAL:
            approvers.add(entry.actor)
    return approvers


def check_second_approver(approvers: set[str], actor: str) -> None:
    if actor in approvers:
        raise TransitionError(
            "ja has aprovat aquest esborrany: cal que l'aprovi una altra persona (quatre ulls)"
        )
