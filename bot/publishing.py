"""Publishing: the due drafts out to the network exactly once, within the caps, the budget,
pauses and blackouts; what each answer of the network means for the draft; taking a post back.

A draft is claimed (approved → publishing, a compare-and-set that counts the attempt) before
the network is called, so two runs never send it twice; a run that dies after claiming leaves
it `publishing`, and a later run asks the publisher whether it went out (`reconcile`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot import cost, review, slots
from bot.errors import (
    DraftError,
    PublishBlocked,
    PublishDeferred,
    PublishError,
    PublishUncertain,
    RepliesRefused,
    TransitionError,
)
from bot.models import (
    Draft,
    DraftKind,
    DraftStatus,
    OutgoingPost,
    Pause,
    PublishedPost,
    PublisherProblem,
)
from bot.models import PublisherProblemKind as Problem
from bot.ports import Store
from bot.service import SYSTEM_ACTOR, App, expire_passed, stored_id, system_change
from bot.weighted_length import weighted_length

PUBLISH_LEASE = timedelta(minutes=2)
"""A draft claimed longer ago than this and still `publishing` was left by a crashed run."""
NEEDS_CHECK_AFTER = timedelta(minutes=30)
"""A claimed draft the network cannot be asked about goes to a person only after this long:
one lost connection should not make work for people."""
FIRST_RETRY = timedelta(minutes=1)
MAX_PUBLISH_ATTEMPTS = 5
"""Unclear answers are retried after 1, 2, 4, 8 minutes (plus jitter), then the draft fails."""


S = DraftStatus


@dataclass(frozen=True)
class PublishOutcome:
    draft_id: int
    status: DraftStatus
    detail: str
    blocked: bool = False
    """Nothing more can go out in this run (e.g. credentials refused)."""


def publish_due(app: App) -> list[PublishOutcome]:
    """Publish every approved draft whose time has come, each exactly once.

    A draft is claimed (approved → publishing) with a compare-and-set before the network is
    called, so two runs never send it twice; a run that dies after claiming leaves it
    `publishing`, and the next run asks the publisher whether it went out (`reconcile`).
    """
    now = app.clock.now()
    expire_passed(app, now)
    outcomes = reconcile(app, now)
    held = holding(app, now)
    if held:
        due = app.store.due_drafts(now, limit=10_000)
        return outcomes + [
            PublishOutcome(stored_id(d), S.APPROVED, f"retingut: {held}") for d in due
        ]
    sent = cost.priced(app.store.sent_posts(now - slots.CAP_WINDOW), app.settings.cost.prices())
    while due := app.store.due_drafts(now):
        if _publish_batch(app, due, now, sent, outcomes):
            break
    return outcomes


def holding(app: App, now: datetime) -> str | None:
    """Why nothing may go out now: a person's pause or a blackout period, or None."""
    paused = app.store.current_pause()
    if paused:
        return f"publicació aturada per {paused.paused_by}: {paused.reason}"
    blackouts = [b.value() for b in app.settings.blackouts]
    period = slots.blackout_at(now, blackouts, app.settings.zone)
    if period:
        return f"període sense publicacions del {period.start} al {period.end}: {period.reason}"
    return None


def hold_warning(app: App, draft: Draft) -> str | None:
    """Why a draft would not go out at its time as things stand (a pause, a blackout on its
    day, its day's or month's cap already full), for the page to warn the group while there
    is time; None when nothing would hold it."""
    if draft.scheduled_at is None:
        return None
    at = draft.scheduled_at
    held = holding(app, at)
    if held or app.slots is None:
        return held
    earlier = [t for t in app.store.booked_times(at - slots.CAP_WINDOW) if t < at]
    return slots.cap_reached(at, earlier, app.slots)


def pause(app: App, by: str, reason: str) -> Pause:
    """Stop all publishing at once; approvals are kept and go out after `resume`."""
    actor, now = review.check_actor(by), app.clock.now()
    if not reason.strip():
        raise DraftError("cal dir per què s'atura la publicació (--reason)")
    current = app.store.current_pause()
    if current:
        raise DraftError(f"la publicació ja està aturada per {current.paused_by}: {current.reason}")
    paused = Pause(actor, reason.strip(), now)
    app.store.pause(paused)
    return paused


def resume(app: App, by: str) -> None:
    actor, now = review.check_actor(by), app.clock.now()
    if not app.store.resume(actor, now):
        raise DraftError("la publicació no estava aturada")


def _publish_batch(
    app: App,
    due: list[Draft],
    now: datetime,
    sent: list[tuple[datetime, float]],
    outcomes: list[PublishOutcome],
) -> bool:
    """Publish these due drafts in order; True when the run must stop (a cap, the budget,
    or blocked)."""
    for index, draft in enumerate(due):
        held = _limit_reached(app, draft, now, sent)
        if held:
            outcomes += [
                PublishOutcome(stored_id(d), S.APPROVED, f"retingut: {held}") for d in due[index:]
            ]
            return True
        claimed = claim_draft(app.store, draft, now)
        if claimed is None:
            continue
        outcomes.append(_publish_one(app, claimed, now))
        if outcomes[-1].blocked:
            return True
        if outcomes[-1].status is S.PUBLISHED:
            prices = app.settings.cost.prices()
            sent += [(now, cost.estimate(text, prices)) for text in _unsent(draft)]
    return False


def _limit_reached(
    app: App, draft: Draft, now: datetime, sent: list[tuple[datetime, float]]
) -> str | None:
    """A cap or the month's budget that this draft's posts would pass, or None. A thread
    needs room for all the posts it has still to send."""
    posts = _unsent(draft)
    times = [at for at, _ in sent] + [now] * (len(posts) - 1)
    capped = None if app.slots is None else slots.cap_reached(now, times, app.slots)
    prices = app.settings.cost.prices()
    over = cost.over_budget(
        cost.estimate_posts(posts, prices), now, sent, prices, app.settings.zone
    )
    if over:
        app.store.report_problem(PublisherProblem(Problem.BUDGET, over, now))
    return capped or over


def claim_draft(store: Store, draft: Draft, now: datetime) -> Draft | None:
    """approved → publishing, counting the attempt, only if no one else did it first. Claims
    go one draft at a time, after that draft's caps and budget were checked, so a run never
    holds drafts it would then have to give back."""
    return store.claim_draft(stored_id(draft), actor=SYSTEM_ACTOR, at=now)


def _publish_one(app: App, draft: Draft, now: datetime) -> PublishOutcome:
    """Send the draft's posts not yet out, each a reply to the one before; a thread cut half
    way keeps what went out and later resumes from its last post."""
    while True:
        post = next_post(draft)
        try:
            sent = app.publisher.publish(post, now)
        except PublishError as error:
            return _after_error(app, draft, post, now, error)
        if post.index == len(draft.posts) - 1:
            return _record_published(app, draft, sent, now, "publish")
        draft = _record_thread_post(app, draft, sent, now, "publish")


def next_post(draft: Draft) -> OutgoingPost:
    """The draft's first post not yet out: the reply to its last one that is."""
    done = draft.thread_post_ids
    return OutgoingPost(
        draft_id=stored_id(draft),
        text=draft.posts[len(done)],
        index=len(done),
        reply_to=done[-1] if done else None,
        image=None if done else draft.image,
        retry=draft.publish_attempts > 1,
        sent_after=draft.updated_at,
    )


def _unsent(draft: Draft) -> tuple[str, ...]:
    return draft.posts[len(draft.thread_post_ids) :]


def _after_error(
    app: App, draft: Draft, post: OutgoingPost, now: datetime, error: PublishError
) -> PublishOutcome:
    """What a refusal or an unclear answer means for the draft (see the `errors` tree)."""
    if isinstance(error, PublishDeferred):
        until = error.until if error.until > now else now + FIRST_RETRY  # not again this run
        app.store.report_problem(PublisherProblem(error.problem, str(error), now, until))
        return _settle(app, draft, S.APPROVED, "deferred", now, str(error), scheduled_at=until)
    if isinstance(error, PublishUncertain):
        return _after_uncertain(app, draft, post, now, str(error))
    if isinstance(error, PublishBlocked):
        app.store.report_problem(PublisherProblem(Problem.CREDENTIALS, str(error), now))
        outcome = _settle(app, draft, S.APPROVED, "blocked", now, str(error))
        return replace(outcome, blocked=True)
    if isinstance(error, RepliesRefused):
        app.store.report_problem(PublisherProblem(Problem.REPLIES_REFUSED, str(error), now))
        reason = (
            f"{error}: s'han publicat {post.index} de {len(draft.posts)} publicacions del fil; "
            "publiqueu la resta a mà com a respostes, o torneu-lo a la cua per reprendre'l"
        )
        return _settle(app, draft, S.FAILED, "publish-failed", now, reason)
    return _settle(app, draft, S.FAILED, "publish-failed", now, str(error))


def _after_uncertain(
    app: App, draft: Draft, post: OutgoingPost, now: datetime, reason: str
) -> PublishOutcome:
    """The network gave no clear answer: ask it whether the post exists before sending again.
    A repeat of a post that did go out is refused as a duplicate, which the publisher then
    recognises, so the retry cannot double it."""
    try:
        found = app.publisher.lookup(post)
    except PublishError:
        return PublishOutcome(stored_id(draft), S.PUBLISHING, f"{reason}; es comprovarà més tard")
    if found is not None:
        return _found(app, draft, post, found, now, "trobat publicat")
    if draft.publish_attempts >= MAX_PUBLISH_ATTEMPTS:
        given_up = f"{reason}; {draft.publish_attempts} intents sense resposta clara"
        return _settle(app, draft, S.FAILED, "publish-failed", now, given_up)
    retry = now + retry_delay(stored_id(draft), draft.publish_attempts)
    return _settle(app, draft, S.APPROVED, "retry", now, f"{reason}; no hi és", scheduled_at=retry)


def retry_delay(draft_id: int, attempts: int) -> timedelta:
    """Exponential back-off with jitter: 1, 2, 4… minutes plus up to a quarter more. The
    jitter comes from the draft and attempt, not a random source, so runs are repeatable and
    drafts that failed together do not retry together."""
    base = FIRST_RETRY * 2 ** (attempts - 1)
    spread = (draft_id * 7919 + attempts * 104729) % 1000 / 4000
    return base * (1 + spread)


def _unsettled(app: App, draft: Draft, now: datetime, reason: str) -> PublishOutcome:
    claimed_at = draft.updated_at or now
    if now - claimed_at < NEEDS_CHECK_AFTER:
        return PublishOutcome(stored_id(draft), S.PUBLISHING, f"{reason}; es tornarà a comprovar")
    return _settle(app, draft, S.NEEDS_CHECK, "needs-check", now, reason)


def _found(
    app: App, draft: Draft, post: OutgoingPost, found: PublishedPost, now: datetime, detail: str
) -> PublishOutcome:
    """A post the network has although its answer was lost: the draft is published, or, for a
    thread with posts still to send, approved again at once to go on from there."""
    if post.index == len(draft.posts) - 1:
        return _record_published(app, draft, found, now, "reconcile", detail)
    draft = _record_thread_post(app, draft, found, now, "reconcile")
    return _settle(app, draft, S.APPROVED, "resume", now, f"{detail}; el fil continua")


def _record_thread_post(
    app: App, draft: Draft, post: PublishedPost, now: datetime, action: str
) -> Draft:
    """One post of a thread is out: kept at once, so a crash never sends it again."""
    return app.store.change_draft(
        stored_id(draft), actor=SYSTEM_ACTOR, action=action, at=now,
        detail=_post_detail(post, len(draft.thread_post_ids), draft), **_post_out(draft, post),
    )  # fmt: skip


def _record_published(
    app: App, draft: Draft, post: PublishedPost, now: datetime, action: str, detail: str = ""
) -> PublishOutcome:
    fields = _post_out(draft, post)
    app.store.change_draft(
        stored_id(draft), actor=SYSTEM_ACTOR, action=action, at=now, status=S.PUBLISHED,
        published_at=post.published_at, status_reason=post.warning,
        detail=detail or _post_detail(post, len(draft.posts) - 1, draft), **fields,
    )  # fmt: skip
    app.store.clear_problems(CLEARED_BY_A_POST)
    head = draft.post_url or fields.get("post_url") or post.post_id
    return PublishOutcome(stored_id(draft), S.PUBLISHED, str(head))


def _post_out(draft: Draft, post: PublishedPost) -> dict[str, Any]:
    """What a post that went out changes on its draft: a thread's list of posts out, and the
    draft's post id and URL, which are those of its first post (a thread's head)."""
    fields: dict[str, Any] = {}
    if draft.follow_ups:
        fields["thread_post_ids"] = (*draft.thread_post_ids, post.post_id)
    if not draft.thread_post_ids:
        fields |= {"post_id": post.post_id, "post_url": post.url}
    return fields


CLEARED_BY_A_POST = (Problem.CREDENTIALS, Problem.RATE_LIMIT, Problem.DAILY_LIMIT, Problem.BUDGET)
"""Problems a post that went out proves over. Refused replies stay until a person acts."""


def _post_detail(post: PublishedPost, index: int, draft: Draft) -> str:
    where = post.url or post.post_id
    if draft.follow_ups:
        where = f"{index + 1}/{len(draft.posts)}: {where}"
    return f"{where} ({post.warning})" if post.warning else where


def reconcile(app: App, now: datetime) -> list[PublishOutcome]:
    """Settle drafts a crashed run left `publishing`: published if the network has them,
    approved again if it surely has not, `needs-check` if it cannot tell. A thread is asked
    about its first post not recorded as out."""
    outcomes = []
    for draft in app.store.stuck_publishing(older_than=now - PUBLISH_LEASE):
        try:
            outcomes.append(_reconcile_one(app, draft, now))
        except TransitionError:
            continue  # another replica settled it meanwhile
    return outcomes


def _reconcile_one(app: App, draft: Draft, now: datetime) -> PublishOutcome:
    post = next_post(draft)
    try:
        found = app.publisher.lookup(post)
    except PublishError as error:
        return _unsettled(app, draft, now, str(error))
    if found is None:
        return _settle(app, draft, S.APPROVED, "unclaim", now, "no s'havia publicat")
    return _found(app, draft, post, found, now, "trobat publicat després d'una interrupció")


def _settle(
    app: App,
    draft: Draft,
    target: DraftStatus,
    action: str,
    now: datetime,
    reason: str,
    **changes: Any,
) -> PublishOutcome:
    system_change(app, draft, target, action, now, reason, **changes)
    return PublishOutcome(stored_id(draft), target, reason)


def retract(app: App, draft_id: int, by: str, reason: str) -> Draft:
    """Delete a published post from the network (every post of a thread, the last first);
    the draft and its history stay."""
    actor, now = review.check_actor(by), app.clock.now()
    if not reason.strip():
        raise DraftError("cal dir per què s'esborra (--reason)")
    draft = app.store.get_draft(draft_id)
    review.check_transition(draft.status, S.RETRACTED)
    for post_id in reversed(draft.thread_post_ids or (draft.post_id or "",)):
        app.publisher.delete(post_id, now)
    return app.store.change_draft(
        draft_id, actor=actor, action="retract", at=now, status=S.RETRACTED,
        status_reason=reason.strip(), detail=f"{draft.post_url or draft.post_id}: {reason.strip()}",
    )  # fmt: skip


def correct(app: App, draft_id: int, by: str) -> Draft:
    """A correction of a published post, drafted for approval like any other post: the
    original text behind "Correcció:", for the group to rewrite."""
    actor, now = review.check_actor(by), app.clock.now()
    original = app.store.get_draft(draft_id)
    if original.status not in (S.PUBLISHED, S.RETRACTED):
        raise TransitionError(f"l'esborrany {draft_id} no s'ha publicat: no cal cap correcció")
    text = f"Correcció: {original.text}"
    draft = Draft(
        kind=DraftKind.CORRECTION, text=text, created_at=now, member=original.member,
        source_url=original.post_url or original.source_url, source_title=original.source_title,
        over_limit=weighted_length(text) > app.drafter.limit,
    )  # fmt: skip
    stored = app.store.add_draft(draft, actor)
    assert stored is not None, "a correction has no dedupe key, so it is always stored"
    app.store.change_draft(
        draft_id, actor=actor, action="correct", at=now, detail=f"correcció: #{stored.id}"
    )
    return stored


_POST_URL = re.compile(r"^https://(?:www\.)?(?:x|twitter)\.com/\w+/status/(\d+)/?$")


def record_found(app: App, draft_id: int, by: str, post_url: str) -> Draft:
    """A person looked on X and found a `needs-check` post: record it as published, so it is
    never sent again."""
    actor, now = review.check_actor(by), app.clock.now()
    found = _POST_URL.match(post_url.strip())
    if found is None:
        raise DraftError(
            f"«{post_url.strip()}» no és l'adreça d'una publicació d'X "
            "(p. ex. https://x.com/XmessCat/status/1234567890)"
        )
    if app.store.get_draft(draft_id).status is not S.NEEDS_CHECK:
        raise TransitionError(f"l'esborrany {draft_id} no està pendent de comprovar a X")
    return app.store.change_draft(
        draft_id, actor=actor, action="found", at=now, status=S.PUBLISHED,
        published_at=now, post_id=found.group(1),
        post_url=post_url.strip(), status_reason=None, detail=post_url.strip(),
    )  # fmt: skip
