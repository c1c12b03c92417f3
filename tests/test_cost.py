from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cost import Prices, estimate, estimate_posts, over_budget

PRICES = Prices(post=0.015, post_with_link=0.20, monthly_budget=1.1)
MADRID = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize(
    ("text", "cost"),
    [
        ("Bon dia, xarxa!", 0.015),
        ("Vegeu https://www.xmess.cat/fira", 0.20),
        ("Ho trobareu a xmess.cat", 0.20),  # X links a bare domain too
    ],
)
def test_a_post_with_a_link_costs_more(text: str, cost: float) -> None:
    assert estimate(text, PRICES) == cost


def test_the_budget_holds_a_post_that_would_pass_it() -> None:
    now = datetime(2026, 11, 27, 9, tzinfo=UTC)
    sent = [(datetime(2026, 11, day, 9, tzinfo=UTC), 0.20) for day in range(2, 7)]
    assert over_budget(PRICES.post, now, sent, PRICES, MADRID) is None
    assert over_budget(PRICES.post_with_link, now, sent, PRICES, MADRID) == (
        "pressupost mensual de 1.10 USD esgotat (gastat 1.00)"
    )


def test_last_months_spending_does_not_count() -> None:
    # 30 November 23:30 in Madrid is still November; 1 December 00:30 is not.
    sent = [(datetime(2026, 11, 30, 22, 30, tzinfo=UTC), 0.20)] * 6
    december = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert over_budget(PRICES.post_with_link, december, sent, PRICES, MADRID) is None


def test_no_budget_means_no_hold() -> None:
    prices = Prices(post=0.015, post_with_link=0.20)
    sent = [(datetime(2026, 11, 2, tzinfo=UTC), 0.20)] * 100
    assert (
        over_budget(prices.post_with_link, datetime(2026, 11, 3, tzinfo=UTC), sent, prices, MADRID)
        is None
    )


def test_a_thread_costs_each_of_its_posts() -> None:
    posts = ["1/3 Notícies de la setmana", "2/3 https://xmess.cat/a", "3/3 Fins aviat"]
    assert estimate_posts(posts, PRICES) == pytest.approx(0.015 + 0.20 + 0.015)
