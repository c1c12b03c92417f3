"""Use cases of the weekly digest: make it for a moment or a week, draft it once, and write
it as Markdown, HTML or the X thread. Time comes from `app.clock`.

`draft_weekly_digest` is what the scheduler calls (any number of times: one draft per week,
by its dedupe key); the CLI's `digest` renders; the web app calls `digest_for_week` and
`render_html` for `/digest/2026-W48`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import digest, service
from bot.cost import estimate_posts
from bot.digest import Digest
from bot.drafting import DIGEST_TEMPLATE
from bot.models import Draft, DraftKind, FittedText


@dataclass(frozen=True)
class DigestPosts:
    """What the digest would post on X in the configured mode, and what each mode costs."""

    posts: tuple[str, ...]
    fits: bool
    thread_cost: float
    link_cost: float


def latest_digest(app: service.App) -> Digest:
    """The digest of the last scheduled moment at or before now."""
    settings = app.settings.digest
    now = app.clock.now()
    moment = digest.latest_moment(now, settings.weekday, settings.time, app.settings.zone)
    return digest_at(app, moment)


def digest_for_week(app: service.App, week: str) -> Digest:
    """The digest named `week` ("2026-W48"); ValueError for a name that is not a week."""
    settings = app.settings.digest
    moment = digest.moment_of_week(week, settings.weekday, settings.time, app.settings.zone)
    return digest_at(app, moment)


def digest_at(app: service.App, moment: datetime) -> Digest:
    items = app.store.news_between(moment - digest.WEEK, moment)
    handles = {m.name: f"@{m.x_handle}" if m.x_handle else None for m in app.settings.members}
    return digest.build(
        items, handles, moment=moment, zone=app.settings.zone, ranking=app.settings.digest.ranking
    )


def draft_weekly_digest(app: service.App) -> Draft | None:
    """Draft the latest week's digest for approval, once: None when the week had no news or
    its digest was already drafted. Drafted late (after downtime) it is still the latest
    week's, so it is drafted until the next digest moment comes."""
    week = latest_digest(app)
    if week.empty:
        return None
    posts = digest_posts(app, week)
    draft = Draft(
        kind=DraftKind.DIGEST, text=posts.posts[0], follow_ups=posts.posts[1:],
        created_at=app.clock.now(), over_limit=not posts.fits,
        source_url=page_url(app, week), source_title=f"Resum setmanal {week.week}",
    )  # fmt: skip
    return app.store.add_draft(draft, service.SYSTEM_ACTOR, f"digest:{week.week}")


def digest_posts(app: service.App, week: Digest) -> DigestPosts:
    """The posts of the configured mode (`[digest] mode`): the thread, or one post linking to
    the digest's page; with the estimated cost of each mode from the price table."""
    prices = app.settings.cost.prices()
    thread, fits = digest.thread(
        week, lambda numbering: _opening(app, week, numbering=numbering),
        app.drafter.limit, app.settings.apostrophe_char,
    )  # fmt: skip
    costs = dict(thread_cost=estimate_posts(thread, prices),
                 link_cost=prices.post_with_link)  # fmt: skip
    if app.settings.digest.mode == "link":
        single = _opening(app, week, url=page_url(app, week))
        return DigestPosts((single.text,), single.fits, **costs)
    return DigestPosts(tuple(thread), fits, **costs)


def _opening(
    app: service.App, week: Digest, *, numbering: str = "", url: str | None = None
) -> FittedText:
    context = {
        "period": digest.period_words(week, app.settings.zone, app.settings.apostrophe_char),
        "counts": digest.counts(week),
        "members": digest.member_list(week),
        "week": week.week,
        "numbering": numbering,
        "url": url,
        "hashtags": " ".join(app.settings.hashtags),
    }
    return app.drafter.fit(DIGEST_TEMPLATE, context, shrinkable=("members",))


def page_url(app: service.App, week: Digest) -> str | None:
    """The digest's public page (`[web] public_url` + `/digest/2026-W48`), if configured."""
    base = app.settings.web.public_url
    return f"{base}/digest/{week.week}" if base else None


def render_markdown(app: service.App, week: Digest) -> str:
    return digest.markdown(week, app.settings.zone, app.settings.apostrophe_char)


def render_html(app: service.App, week: Digest) -> str:
    return digest.html_page(week, app.settings.zone, app.settings.apostrophe_char)
