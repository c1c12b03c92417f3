from datetime import UTC, datetime

import pytest

from bot.errors import TextTooLong, TransitionError
from bot.models import DraftStatus as S
from bot.review import (
    ALLOWED,
    check_actor,
    check_fits,
    check_future,
    check_transition,
    status_after_edit,
)

ISSUE_TRANSITIONS = {
    (S.PENDING, S.APPROVED),
    (S.APPROVED, S.PUBLISHING),
    (S.PUBLISHING, S.PUBLISHED),
    (S.PENDING, S.REJECTED),
    (S.APPROVED, S.PENDING),
    (S.PUBLISHING, S.FAILED),
    (S.PUBLISHING, S.NEEDS_CHECK),
    (S.FAILED, S.PENDING),
    (S.NEEDS_CHECK, S.PENDING),
    (S.PENDING, S.EXPIRED),
    (S.APPROVED, S.EXPIRED),
    (S.PENDING, S.WITHDRAWN),
    (S.APPROVED, S.WITHDRAWN),
    (S.PUBLISHED, S.RETRACTED),
}


@pytest.mark.parametrize(("current", "target"), sorted(ISSUE_TRANSITIONS))
def test_every_transition_of_the_issue_is_allowed(current: S, target: S) -> None:
    check_transition(current, target)


FORBIDDEN = [
    (S.PENDING, S.PUBLISHED),
    (S.PENDING, S.PUBLISHING),
    (S.REJECTED, S.APPROVED),
    (S.PUBLISHED, S.PENDING),
    (S.PUBLISHED, S.PUBLISHING),
    (S.RETRACTED, S.PUBLISHED),
    (S.EXPIRED, S.APPROVED),
    (S.WITHDRAWN, S.PENDING),
    (S.FAILED, S.APPROVED),
]


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_transition_names_both_statuses(current: S, target: S) -> None:
    with pytest.raises(TransitionError, match=f"{current.value} → {target.value}"):
        check_transition(current, target)


def test_final_statuses_go_nowhere() -> None:
    assert {s for s, targets in ALLOWED.items() if not targets} == {
        S.REJECTED,
        S.EXPIRED,
        S.WITHDRAWN,
        S.RETRACTED,
    }


@pytest.mark.parametrize("status", [S.PENDING, S.APPROVED, S.FAILED])
def test_an_edit_sends_the_draft_back_to_pending(status: S) -> None:
    assert status_after_edit(status) is S.PENDING


@pytest.mark.parametrize("status", [S.PUBLISHED, S.PUBLISHING, S.REJECTED, S.EXPIRED])
def test_a_draft_that_went_out_or_was_closed_cannot_be_edited(status: S) -> None:
    with pytest.raises(TransitionError, match="ja no es pot editar"):
        status_after_edit(status)


def test_an_over_long_text_says_by_how_much() -> None:
    with pytest.raises(TextTooLong, match=r"fa 290 .* límit és 280: escurça'l 10"):
        check_fits(290, 280)


def test_a_moment_in_the_past_is_refused() -> None:
    now = datetime(2026, 11, 27, 10, tzinfo=UTC)
    with pytest.raises(TransitionError, match="ja ha passat"):
        check_future(datetime(2026, 11, 27, 9, tzinfo=UTC), now)


def test_a_change_must_be_signed() -> None:
    assert check_actor("  Marta ") == "Marta"
    with pytest.raises(TransitionError, match="--by"):
        check_actor("  ")
