"""Poll results, raw and re-weighted to the member base (post-stratification).

Each answer belongs to one cell of the poll's weighting attribute (tier, lifecycle stage or
value band, from the answerer's snapshot). With N_h members of the base in cell h (N in
all) and n_h answers from it (n in all), every answer of cell h weighs

    w_h = (N_h / N) / (n_h / n)

so the cells count in the results as they count in the base. Cells without answers cannot
be represented: the shares are taken over the cells that answered (N is their sum) and the
page says which are missing. Cells outside the poll's audience (below its minimum tier, or
not among its stages) are left out of the base.

A share p (answers that chose an option, over answers) has the 95% margin of error

    raw:       1.96 × √(p(1 − p) / n)
    weighted:  1.96 × √(p_w(1 − p_w) / n_eff),  n_eff = (Σ w)² / Σ w²   (Kish)

Since w is constant within a cell, Σ w = Σ_h n_h w_h and Σ w² = Σ_h n_h w_h², so every
figure comes from the counts per (option, cell) that one GROUP BY returns. A number poll's
mean has the margin 1.96 × s / √n (raw) and 1.96 × s_w / √n_eff (weighted), s_w being the
weighted standard deviation. Ranked polls count first places, and a Borda score per option
(k points for a first place among k options, 1 for the last ranked, 0 when not ranked).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select

from app.community.polls.models import Poll, PollAnswer, PollChoice
from app.extensions import db
from app.members import audience as audiences
from app.members.models import TIERS, Member, tier_rank

Z95 = 1.96


@dataclass
class OptionResult:
    option_id: int
    label: str
    count: int
    share: float
    margin: float
    weighted_share: float | None
    weighted_margin: float | None
    by_cell: dict[str, int] = field(default_factory=dict)
    score: float | None = None  # ranked: mean Borda points per answer
    weighted_score: float | None = None


@dataclass
class NumberResult:
    mean: float | None
    margin: float | None
    weighted_mean: float | None
    weighted_margin: float | None
    histogram: list[tuple[float, int]]
    by_cell_mean: dict[str, float]


@dataclass
class PollResults:
    poll_id: int
    kind: str
    n: int
    attribute: str
    cells: list[str]
    sample: dict[str, int]
    population: dict[str, int]
    weights: dict[str, float]
    n_eff: float | None
    missing_cells: list[str]
    options: list[OptionResult]
    number: NumberResult | None

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def margin(p: float, n: float) -> float:
    """95% margin of error of a share p over an (effective) sample of n."""
    if n <= 0:
        return 0.0
    return Z95 * math.sqrt(max(p * (1 - p), 0.0) / n)


def population(attribute: str, poll: Poll | None = None) -> dict[str, int]:
    """Members of the base per cell: role `member`, not erased; cells the poll's audience
    cannot reach are left out."""
    from app.members.engagement.models import MemberProfile

    base = (Member.role == "member", Member.erased_at.is_(None))
    if attribute == "tier":
        rows = db.session.execute(
            select(Member.tier, func.count()).where(*base).group_by(Member.tier)
        ).all()
    else:
        if attribute == "stage":
            cell = func.coalesce(MemberProfile.stage, "new")
        else:
            cents = func.coalesce(MemberProfile.monetary_cents, 0)
            whens = [(cents >= t, band) for t, band in audiences.VALUE_BAND_THRESHOLDS]
            cell = case(*whens, else_="none")
        rows = db.session.execute(
            select(cell, func.count())
            .select_from(Member)
            .outerjoin(MemberProfile, MemberProfile.member_id == Member.id)
            .where(*base)
            .group_by(cell)
        ).all()
    counts = {str(value): int(n) for value, n in rows if value is not None}
    if poll is not None:
        audience = audiences.Audience.from_json(poll.audience)
        if attribute == "tier" and audience.min_tier:
            floor = tier_rank(audience.min_tier)
            counts = {k: v for k, v in counts.items() if tier_rank(k) >= floor}
        if attribute == "stage" and audience.stages:
            counts = {k: v for k, v in counts.items() if k in audience.stages}
    return counts


def cell_order(attribute: str) -> tuple[str, ...]:
    if attribute == "tier":
        return TIERS
    if attribute == "stage":
        return audiences.STAGES
    return audiences.VALUE_BANDS


def weights_for(sample: dict[str, int], base: dict[str, int]) -> dict[str, float]:
    """Post-stratification weights over the cells that both answered and exist in the base."""
    covered = {c: n for c, n in sample.items() if n > 0 and base.get(c, 0) > 0}
    n = sum(covered.values())
    big_n = sum(base[c] for c in covered)
    if not n or not big_n:
        return {}
    return {c: (base[c] / big_n) / (covered[c] / n) for c in covered}


def compute(
    poll: Poll,
    attribute: str | None = None,
    locale: str = "en",
    base: dict[str, int] | None = None,
) -> PollResults:
    """Every figure of one poll's results (three or four queries whatever its size)."""
    attribute = attribute or poll.weight_attribute or "tier"
    column = getattr(PollAnswer, attribute)
    sample = {
        str(cell): int(n)
        for cell, n in db.session.execute(
            select(column, func.count()).where(PollAnswer.poll_id == poll.id).group_by(column)
        )
    }
    n = sum(sample.values())
    base = population(attribute, poll) if base is None else base
    weights = weights_for(sample, base)
    sum_w = sum(sample[c] * w for c, w in weights.items())
    sum_w2 = sum(sample[c] * w * w for c, w in weights.items())
    n_eff = (sum_w * sum_w / sum_w2) if sum_w2 else None
    order = cell_order(attribute)
    cells = [c for c in order if c in sample or c in base] + sorted(
        c for c in set(sample) | set(base) if c not in order
    )
    missing = [c for c in cells if base.get(c, 0) > 0 and not sample.get(c)]

    options: list[OptionResult] = []
    number = None
    if poll.kind == "number":
        number = _number_result(poll, column, weights, n, n_eff)
    else:
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        points: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        k = len(poll.options)
        query = (
            select(PollChoice.option_id, column, PollChoice.rank, func.count())
            .join(PollAnswer, PollAnswer.id == PollChoice.answer_id)
            .where(PollChoice.poll_id == poll.id)
            .group_by(PollChoice.option_id, column, PollChoice.rank)
        )
        for option_id, cell, rank, count in db.session.execute(query):
            if poll.kind == "ranked":
                points[option_id][str(cell)] += (k - rank + 1) * int(count)
                if rank != 1:
                    continue
            by_cell = counts[option_id]
            by_cell[str(cell)] = by_cell.get(str(cell), 0) + int(count)
        for option in poll.options:
            by_cell = counts.get(option.id, {})
            count = sum(by_cell.values())
            share = count / n if n else 0.0
            weighted = (
                sum(by_cell.get(c, 0) * w for c, w in weights.items()) / sum_w if sum_w else None
            )
            result = OptionResult(
                option_id=option.id,
                label=option.label(locale),
                count=count,
                share=share,
                margin=margin(share, n),
                weighted_share=weighted,
                weighted_margin=margin(weighted, n_eff) if weighted is not None and n_eff else None,
                by_cell={c: by_cell.get(c, 0) for c in cells},
            )
            if poll.kind == "ranked":
                pts = points.get(option.id, {})
                result.score = (sum(pts.values()) / n) if n else 0.0
                result.weighted_score = (
                    sum(pts.get(c, 0) * w for c, w in weights.items()) / sum_w if sum_w else None
                )
            options.append(result)
    return PollResults(
        poll_id=poll.id,
        kind=poll.kind,
        n=n,
        attribute=attribute,
        cells=cells,
        sample={c: sample.get(c, 0) for c in cells},
        population={c: base.get(c, 0) for c in cells},
        weights=weights,
        n_eff=n_eff,
        missing_cells=missing,
        options=options,
        number=number,
    )


def _number_result(
    poll: Poll, column: Any, weights: dict[str, float], n: int, n_eff: float | None
) -> NumberResult:
    """Mean and margins from the (value, cell) counts: values are on a grid of steps."""
    rows = db.session.execute(
        select(PollAnswer.number_value, column, func.count())
        .where(PollAnswer.poll_id == poll.id, PollAnswer.number_value.is_not(None))
        .group_by(PollAnswer.number_value, column)
    ).all()
    histogram: dict[float, int] = defaultdict(int)
    cell_sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    total = sq = 0.0
    w_total = w_sum = w_sq = 0.0
    for value, cell, count in rows:
        value, count = float(value), int(count)
        histogram[value] += count
        total += value * count
        sq += value * value * count
        cell_sums[str(cell)][0] += value * count
        cell_sums[str(cell)][1] += count
        w = weights.get(str(cell))
        if w:
            w_total += w * count
            w_sum += w * value * count
            w_sq += w * value * value * count
    mean = total / n if n else None
    var = (sq / n - mean * mean) if n and mean is not None else None
    w_mean = w_sum / w_total if w_total else None
    w_var = (w_sq / w_total - w_mean * w_mean) if w_total and w_mean is not None else None
    return NumberResult(
        mean=mean,
        margin=(Z95 * math.sqrt(max(var, 0.0) / n)) if var is not None and n else None,
        weighted_mean=w_mean,
        weighted_margin=(Z95 * math.sqrt(max(w_var, 0.0) / n_eff))
        if w_var is not None and n_eff
        else None,
        histogram=sorted(histogram.items()),
        by_cell_mean={c: s / k for c, (s, k) in cell_sums.items() if k},
    )
