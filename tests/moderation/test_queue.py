"""The /mod/ queue page: filters, bounded queries, keyset pages, and the live push."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.moderation import queue
from app.moderation.models import ReviewItem
from tests.community.factories import CategoryFactory
from tests.moderation.modb_helpers import review_item

# Session member, nav badge count, total, rows (one join), flags, filter reasons, categories.
QUEUE_PAGE_MAX = 8


def _page(client, queries, path: str):  # type: ignore[no-untyped-def]
    db.session.expunge_all()
    with queries() as q:
        response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(q)


def test_the_queue_query_count_does_not_grow_with_the_items(db, client, queries, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("moderator")
    review_item()
    _html, few = _page(client, queries, "/mod/")
    for n in range(8):
        review_item("flagged" if n % 2 else "held", "flags" if n % 2 else "new_member")
    html, many = _page(client, queries, "/mod/")
    assert many == few <= QUEUE_PAGE_MAX
    assert html.count('<li class="queue-item') == 9


def test_filters_by_reason_category_kind_and_age(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    tents = CategoryFactory(name_en="Tents")
    held, _ = review_item("held", "new_member", category=tents)
    flagged, _ = review_item("flagged", "flags")
    old, _ = review_item("held", "link_limit")
    db.session.get(ReviewItem, old.id).created_at -= timedelta(days=2)
    db.session.flush()
    login_as("moderator")

    def ids(path: str) -> set[int]:
        html = client.get(path).get_data(as_text=True)
        return {i.id for i in (held, flagged, old) if f'id="item-{i.id}"' in html}

    assert ids("/mod/") == {held.id, flagged.id, old.id}
    assert ids("/mod/?reason=flags") == {flagged.id}
    assert ids(f"/mod/?category={tents.id}") == {held.id}
    assert ids("/mod/?kind=held") == {held.id, old.id}
    assert ids("/mod/?age=24h") == {old.id}


def test_keyset_pages_show_every_item_once(db, login_as) -> None:  # type: ignore[no-untyped-def]
    moderator = login_as("moderator")
    made = [review_item()[0].id for _ in range(queue.PER_PAGE + 3)]
    first = queue.queue_page(moderator, queue.Filters())
    second = queue.queue_page(moderator, queue.Filters(), first.next_cursor)
    seen = [r.item.id for r in first.rows] + [r.item.id for r in second.rows]
    assert sorted(seen) == sorted(made) and second.next_cursor is None
    assert first.total == len(made)


def test_handled_items_show_with_their_decision(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    from app.moderation import actions

    moderator = login_as("moderator")
    item, _ = review_item()
    actions.decide(moderator, item.id, "hide", "Selling things")
    html = client.get("/mod/?status=handled").get_data(as_text=True)
    assert f'id="item-{item.id}"' in html and "Selling things" in html
    assert f'id="item-{item.id}"' not in client.get("/mod/").get_data(as_text=True)


def test_a_new_item_is_pushed_to_the_staff_room_as_its_row(db, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.moderation import realtime

    sent = []
    monkeypatch.setattr(
        realtime, "publish", lambda room, event, data: sent.append((room, event, data))
    )
    item, _post = review_item()
    pushed = [d for room, event, d in sent if event == "review_item"]
    assert pushed and all(room == "staff" for room, _e, _d in sent)
    assert pushed[-1]["item_id"] == item.id
    assert f'id="item-{item.id}"' in pushed[-1]["html"]["en"]
    assert ">Modifier<" in pushed[-1]["html"]["fr"]
    # No session's CSRF token travels in a pushed row.
    assert 'name="csrf_token" value=""' in pushed[-1]["html"]["en"]


def test_the_staff_nav_shows_the_pending_count_without_a_query(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    queue.forget_pending_count()
    review_item()
    review_item()
    login_as("moderator")
    html = client.get("/forums/").get_data(as_text=True)
    assert "data-mod-count hidden>0<" in html  # unknown: the nav's script asks /mod/count
    assert client.get("/mod/count").get_json() == {"pending": 2}
    html = client.get("/forums/").get_data(as_text=True)
    assert "data-mod-count>2<" in html
    login_as("member")
    assert "/mod/" not in client.get("/forums/").get_data(as_text=True)
