"""Re-weighted results and their margins equal a computation made by hand."""

from __future__ import annotations

import math

import pytest

from app.community.polls import results, services
from tests.factories import MemberFactory


@pytest.fixture
def club(db):  # type: ignore[no-untyped-def]
    """The member base: 8 Bronze, 2 Gold and 1 Silver (who will not answer)."""
    bronze = [MemberFactory(tier="bronze") for _ in range(8)]
    gold = [MemberFactory(tier="gold") for _ in range(2)]
    MemberFactory(tier="silver")
    MemberFactory(tier="gold", role="product")  # staff are not in the base
    return {"bronze": bronze, "gold": gold}


def test_single_choice_shares_weights_and_margins_by_hand(db, make_poll, club) -> None:
    poll = make_poll()
    a, b, _c = poll.options
    services.answer_poll(club["bronze"][0], poll.id, choices=[a.id])
    services.answer_poll(club["gold"][0], poll.id, choices=[a.id])
    services.answer_poll(club["gold"][1], poll.id, choices=[b.id])

    r = results.compute(poll, "tier")

    # Base over the cells that answered: N = 8 + 2 = 10; sample n = 3 (1 Bronze, 2 Gold).
    # w_bronze = (8/10)/(1/3) = 2.4 ; w_gold = (2/10)/(2/3) = 0.3
    assert r.weights == pytest.approx({"bronze": 2.4, "gold": 0.3})
    # Σw = 2.4 + 2×0.3 = 3.0 ; Σw² = 5.76 + 2×0.09 = 5.94 ; n_eff = 9 / 5.94
    assert r.n_eff == pytest.approx(9 / 5.94)
    assert r.missing_cells == ["silver"]
    assert r.population == {"bronze": 8, "silver": 1, "gold": 2}
    option_a, option_b, option_c = r.options
    # Raw: A 2/3, B 1/3; margin 1.96 √(p(1−p)/n)
    assert option_a.share == pytest.approx(2 / 3)
    assert option_a.margin == pytest.approx(0.533445, abs=1e-6)
    # Re-weighted: A = (2.4 + 0.3) / 3.0 = 0.9 ; B = 0.3 / 3.0 = 0.1
    assert option_a.weighted_share == pytest.approx(0.9)
    assert option_b.weighted_share == pytest.approx(0.1)
    # 1.96 × √(0.9 × 0.1 / (9/5.94)) = 1.96 × √0.0594
    assert option_a.weighted_margin == pytest.approx(1.96 * math.sqrt(0.0594))
    assert option_a.weighted_margin == pytest.approx(0.477693, abs=1e-6)
    assert option_c.count == 0 and option_c.weighted_share == 0
    assert option_a.by_cell == {"bronze": 1, "silver": 0, "gold": 1}


def test_number_mean_and_margins_by_hand(db, make_poll, club) -> None:
    poll = make_poll(kind="number", number_min="0", number_max="10", number_step="1")
    services.answer_poll(club["bronze"][0], poll.id, number="4")
    services.answer_poll(club["gold"][0], poll.id, number="8")
    services.answer_poll(club["gold"][1], poll.id, number="6")

    r = results.compute(poll, "tier").number

    # Raw: mean (4 + 8 + 6)/3 = 6 ; variance 116/3 − 36 = 8/3 ; margin 1.96 √(8/3 / 3)
    assert r.mean == pytest.approx(6.0)
    assert r.margin == pytest.approx(1.847906, abs=1e-6)
    # Weighted: (2.4×4 + 0.3×8 + 0.3×6)/3 = 4.6 ; variance 68.4/3 − 4.6² = 1.64
    assert r.weighted_mean == pytest.approx(4.6)
    assert r.weighted_margin == pytest.approx(1.96 * math.sqrt(1.64 / (9 / 5.94)))
    assert r.histogram == [(4.0, 1), (6.0, 1), (8.0, 1)]


def test_ranked_first_places_and_borda_scores(db, make_poll, club) -> None:
    poll = make_poll(kind="ranked", min_choices="1", max_choices="3")
    a, b, c = poll.options
    services.answer_poll(club["bronze"][0], poll.id, ranking={str(a.id): "1", str(b.id): "2"})
    services.answer_poll(
        club["gold"][0], poll.id, ranking={str(b.id): "1", str(c.id): "2", str(a.id): "3"}
    )

    r = results.compute(poll, "tier")

    option_a, option_b, option_c = r.options
    assert (option_a.count, option_b.count, option_c.count) == (1, 1, 0)
    # Borda with k = 3: A gets 3 + 1, B 2 + 3, C 0 + 2 over 2 answers.
    assert (option_a.score, option_b.score, option_c.score) == (2.0, 2.5, 1.0)
    # Weights: w_bronze = (8/10)/(1/2) = 1.6, w_gold = (2/10)/(1/2) = 0.4 ; Σw = 2
    assert option_a.weighted_score == pytest.approx((1.6 * 3 + 0.4 * 1) / 2)
    assert option_a.weighted_share == pytest.approx(0.8)


def test_gold_only_poll_base_leaves_out_the_tiers_below(db, make_poll, club) -> None:
    poll = make_poll(audience_min_tier="gold")
    assert results.population("tier", poll) == {"gold": 2}


def test_no_answers_gives_empty_results(db, make_poll, club) -> None:
    r = results.compute(make_poll(), "stage")
    assert r.n == 0 and r.n_eff is None and r.weights == {}
    assert all(o.weighted_share is None for o in r.options)
