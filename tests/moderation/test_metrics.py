"""/mod/metrics: the queue's size, the median time to first action, flags by reason and category."""

from __future__ import annotations

from datetime import timedelta

from app.moderation import metrics
from app.moderation.models import Flag, ReviewItem
from tests.factories import MemberFactory
from tests.moderation.modb_helpers import review_item


def test_numbers_match_the_items_and_flags(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    moderator = login_as("moderator")
    _waiting, _ = review_item()
    for hours in (1, 3, 8):
        item, post = review_item("flagged", "flags")
        row = db.session.get(ReviewItem, item.id)
        row.first_action_at = row.created_at + timedelta(hours=hours)
        row.resolved_at = row.first_action_at
        row.status = "dismissed"
        db.session.add(
            Flag(
                post_id=post.id,
                topic_id=post.topic_id,
                member_id=MemberFactory().id,
                reason="spam" if hours < 8 else "abusive",
                weight=1,
            )
        )
    db.session.flush()
    data = metrics.compute(moderator)
    assert data.pending == 1
    assert data.median_first_action_hours == 3.0
    assert dict(data.flags_by_reason)["Spam"] == 2
    assert dict(data.flags_by_reason)["Abusive"] == 1
    assert sum(n for _c, n in data.flags_by_category) == 3
    assert sum(n for _w, n in data.opened_weekly) == 4
    assert sum(n for _w, n in data.handled_weekly) == 3
    assert len(data.opened_weekly) == metrics.WEEKS

    html = client.get("/mod/metrics").get_data(as_text=True)
    for chart in (
        "chart-opened",
        "chart-handled",
        "chart-median",
        "chart-flags",
        "chart-flag-reasons",
    ):
        assert f'id="{chart}"' in html
    assert "<svg" in html and "<table" in html


def test_metrics_in_french(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("moderator", locale="fr")
    review_item()
    html = client.get("/mod/metrics").get_data(as_text=True)
    assert 'lang="fr"' in html
