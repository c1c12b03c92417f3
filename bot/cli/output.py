"""What the command line prints: one line per draft, a draft in full, JSON for scripts.
Times are shown in the configured time zone, with their offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import digesting, service
from bot.cost import Prices, estimate_posts
from bot.models import Draft, HistoryEntry, PublisherProblem, PublisherProblemKind
from bot.review import STATUS_LABELS_CA
from bot.settings import Settings
from bot.weighted_length import weighted_length

PROBLEM_LABELS_CA = {
    PublisherProblemKind.CREDENTIALS: "credencials refusades",
    PublisherProblemKind.RATE_LIMIT: "en espera pel límit de peticions",
    PublisherProblemKind.DAILY_LIMIT: "límit diari de publicacions esgotat",
    PublisherProblemKind.BUDGET: "pressupost del mes esgotat",
    PublisherProblemKind.REPLIES_REFUSED: "X no accepta respostes: fils incomplets",
}
"""How `publish-due` names each open publisher problem."""


def local_time(moment: datetime | None, zone: ZoneInfo) -> str | None:
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
        "scheduled_at": local_time(draft.scheduled_at, zone),
        "created_at": local_time(draft.created_at, zone),
        "published_at": local_time(draft.published_at, zone),
        "post_url": draft.post_url,
        "status_reason": draft.status_reason,
        "notes": [{"author": n.author, "text": n.text, "created_at": local_time(n.created_at, zone)}
                  for n in draft.notes],
    }  # fmt: skip


def health_json(source: service.SourceHealth, zone: ZoneInfo) -> dict[str, Any]:
    health = source.health
    return {
        "name": source.name,
        "kind": source.kind,
        "url": health.url,
        "last_success_at": local_time(health.last_success_at, zone),
        "last_error": health.last_error,
        "last_error_at": local_time(health.last_error_at, zone),
        "consecutive_failures": health.consecutive_failures,
        "retry_after": local_time(health.retry_after, zone),
    }


def history_json(entry: HistoryEntry, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "actor": entry.actor,
        "action": entry.action,
        "at": local_time(entry.at, zone),
        "status_before": entry.status_before.value if entry.status_before else None,
        "status_after": entry.status_after.value,
        "text_before": entry.text_before,
        "text_after": entry.text_after,
        "detail": entry.detail,
    }


def problem_line(problem: PublisherProblem, zone: ZoneInfo) -> str:
    since = local_time(problem.since, zone)
    until = f", fins a {local_time(problem.until, zone)}" if problem.until else ""
    label = PROBLEM_LABELS_CA[problem.kind]
    return f"Problema del publicador — {label} (des de {since}{until}): {problem.detail}"


def draft_line(draft: Draft, zone: ZoneInfo) -> str:
    when = local_time(draft.scheduled_at, zone) or "-"
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
        f"Programat: {local_time(draft.scheduled_at, zone) or '-'}",
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
