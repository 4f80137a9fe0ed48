"""Members share the topic page (app/core/page_cache.py + app/core/holes.py): a skeleton per
standing, its viewer holes filled for each member. The guarantee tested here: what a member
is served from a page another member rendered is, byte for byte, the page rendered for
them — their header, likes, reactions, bookmarks, edit rights, solution mark, follow
button, read position, banners and CSRF token — and a page is never shared where it
shows something of one member's (their held post) or where the next may not read it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.community.forums import services
from app.community.forums.models import TopicReadState
from app.community.forums.queries import topic_url
from app.core import page_cache
from app.extensions import db
from app.moderation import sanctions
from tests.community.factories import CategoryFactory, PostFactory, TopicFactory
from tests.factories import MemberFactory


def client_for(app: Flask, member) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = member.get_id()
        session["_fresh"] = True
    return client


def served_and_rendered(app, cache, member, path):  # type: ignore[no-untyped-def]
    """The page as the cache serves it to `member`, whether it was a hit, and the page
    rendered for them with the cache off (same session, so the same CSRF token)."""
    client = client_for(app, member)
    hits = cache.hits
    served = client.get(path)
    was_hit = cache.hits == hits + 1
    cache.seconds = 0
    try:
        rendered = client.get(path)
    finally:
        cache.seconds = 60
    assert served.status_code == rendered.status_code == 200
    return served.get_data(as_text=True), was_hit, rendered.get_data(as_text=True)


@pytest.fixture
def scene(db):  # type: ignore[no-untyped-def]
    """A Q&A topic asked by `asker`, six posts by three members, with likes, a reaction,
    a bookmark, a follow, a read position, an unconfirmed address and a silence."""
    asker, second, third = (MemberFactory(username=n) for n in ("Asker", "Second", "Third"))
    category = CategoryFactory(slug="help", name_en="Help", qa=True)
    topic = TopicFactory(category=category, author=asker, title="Which stove?")
    posts = [
        PostFactory(topic=topic, author=author)
        for author in (asker, second, third, asker, second, third)
    ]
    TopicFactory(category=category, title="Another stove question")  # suggested at the end
    db.session.flush()
    services.set_like(second, posts[0].id, True)
    services.set_like(second, posts[2].id, True)
    services.set_reaction(third, posts[1].id, services.reaction_set()[0], True)
    services.set_bookmark(second, posts[3].id, True)
    services.set_follow(asker, topic.id, True)
    db.session.add(TopicReadState(member_id=second.id, topic_id=topic.id, last_read_post_number=3))
    unconfirmed = MemberFactory(username="Unconfirmed", email_verified_at=None)
    silenced = MemberFactory(username="Silenced")
    staff = MemberFactory(role="moderator")
    sanctions.silence(staff, silenced.id, "Shouting")
    db.session.flush()
    return {
        "topic": topic,
        "posts": posts,
        # (a Gold member too: the skeleton is rendered by a Bronze one, and nothing of the
        # viewer's tier may show outside the holes)
        "viewers": [
            asker,
            second,
            third,
            unconfirmed,
            silenced,
            MemberFactory(tier="gold"),
        ],
        "staff": staff,
    }


def test_every_member_is_served_exactly_the_page_rendered_for_them(
    app, page_cache_on, scene
) -> None:  # type: ignore[no-untyped-def]
    path = topic_url(scene["topic"])
    assert client_for(app, MemberFactory()).get(path).status_code == 200  # stores the skeleton
    tokens = set()
    for member in scene["viewers"]:
        served, was_hit, rendered = served_and_rendered(app, page_cache_on, member, path)
        assert was_hit, member.username
        assert served == rendered, member.username
        assert member.name in served  # their own header
        tokens.add(served.split('name="csrf-token" content="', 1)[1].split('"', 1)[0])
    assert len(tokens) == len(scene["viewers"])  # each session's own token


def test_what_differs_between_members_is_theirs(app, page_cache_on, scene) -> None:  # type: ignore[no-untyped-def]
    path = topic_url(scene["topic"])
    client_for(app, MemberFactory()).get(path)
    unconfirmed = scene["viewers"][3]
    pages = {
        m.username: served_and_rendered(app, page_cache_on, m, path)[0] for m in scene["viewers"]
    }
    # the asker may mark a solution and follows; the others may not, and do not
    assert "Mark as solution" in pages["Asker"] and "Mark as solution" not in pages["Second"]
    assert "Following" in pages["Asker"] and "Following" not in pages["Third"]
    # likes, bookmarks and the read position are the member's own
    assert pages["Second"].count('aria-pressed="true" title="Unlike"') == 2
    assert 'title="Unlike"' not in pages["Third"]
    assert "Remove the bookmark" in pages["Second"].split('id="post-4"')[1].split("</article>")[0]
    assert "Jump to first unread" in pages["Second"]
    assert "Jump to first unread" not in pages["Third"]
    assert "is-mine" in pages["Third"] and "is-mine" not in pages["Second"]
    # the banners
    assert "Please confirm your email address" in pages["Unconfirmed"]
    assert unconfirmed.email in pages["Unconfirmed"]
    assert "You are silenced" in pages["Silenced"]
    for name, page in pages.items():
        if name != "Unconfirmed":
            assert "Please confirm your email address" not in page and unconfirmed.email not in page
        if name != "Silenced":
            assert "You are silenced" not in page


def test_a_locked_topic_and_a_later_page_are_shared_alike(app, page_cache_on, db) -> None:  # type: ignore[no-untyped-def]
    topic = TopicFactory(locked=True, lock_reason="Solved long ago")
    for _ in range(25):
        PostFactory(topic=topic)
    db.session.flush()
    reader = MemberFactory()
    for page in (1, 2):
        path = topic_url(topic, page)
        client_for(app, MemberFactory()).get(path)
        served, was_hit, rendered = served_and_rendered(app, page_cache_on, reader, path)
        assert was_hit and served == rendered
        assert "Quote" not in served  # locked: no reply actions for members


def test_a_member_with_a_held_post_on_the_page_never_shares_it(app, page_cache_on, scene) -> None:  # type: ignore[no-untyped-def]
    topic = scene["topic"]
    writer = MemberFactory(username="Heldwriter")
    PostFactory(
        topic=topic, author=writer, moderation_state="held", body_html="<p>Pending words</p>"
    )
    db.session.flush()
    path = topic_url(topic)
    # The writer renders first: their page shows their held post, and is not stored.
    served, was_hit, rendered = served_and_rendered(app, page_cache_on, writer, path)
    assert not was_hit and "Pending words" in served and served == rendered
    other = MemberFactory()
    page = client_for(app, other).get(path).get_data(as_text=True)
    assert "Pending words" not in page
    # Now a skeleton exists (from `other`): the writer is still rendered for, never served it.
    hits = page_cache_on.hits
    again = client_for(app, writer).get(path).get_data(as_text=True)
    assert page_cache_on.hits == hits and "Pending words" in again


def test_a_member_who_may_not_read_the_category_is_not_served_it(app, page_cache_on, db) -> None:  # type: ignore[no-untyped-def]
    gold = CategoryFactory(slug="gold", name_en="Gold", min_tier_rank=2)
    topic = TopicFactory(category=gold)
    PostFactory(topic=topic, author=topic.author)
    db.session.flush()
    path = topic_url(topic)
    assert client_for(app, MemberFactory(tier="gold")).get(path).status_code == 200
    hits = page_cache_on.hits
    assert client_for(app, MemberFactory(tier="bronze")).get(path).status_code == 404
    assert page_cache_on.hits == hits


def test_staff_are_always_rendered_for(app, page_cache_on, scene) -> None:  # type: ignore[no-untyped-def]
    path = topic_url(scene["topic"])
    client = client_for(app, scene["staff"])
    client.get(path)
    hits = page_cache_on.hits
    page = client.get(path).get_data(as_text=True)
    assert page_cache_on.hits == hits and "Move, merge or split" in page


def test_after_their_own_write_a_member_reads_a_fresh_page(app, page_cache_on, scene) -> None:  # type: ignore[no-untyped-def]
    """Read-your-writes across processes: another process's skeleton may predate it."""
    path = topic_url(scene["topic"])
    member = scene["viewers"][1]
    client = client_for(app, member)
    client.get(path)
    hits = page_cache_on.hits
    client.get(path)
    assert page_cache_on.hits == hits + 1
    answer = client.post(f"/t/{scene['topic'].id}/reply", data={"body": "A fresh reply here."})
    assert answer.status_code == 302
    with client.session_transaction() as session:
        assert session.get(page_cache._WROTE)
    # Another member renders the page again (as another process's cache could hold one
    # from before the reply): the writer is still rendered for, not served it.
    client_for(app, MemberFactory()).get(path)
    hits = page_cache_on.hits
    page = client.get(path).get_data(as_text=True)
    assert page_cache_on.hits == hits and "A fresh reply here." in page


def test_logging_in_is_no_write_of_theirs(app, page_cache_on, scene) -> None:  # type: ignore[no-untyped-def]
    """A login stamps the member's own row (last seen): their pages stay shared."""
    from tests.factories import PASSWORD

    member = MemberFactory()
    client = app.test_client()
    answer = client.post("/auth/login", data={"email": member.email, "password": PASSWORD})
    assert answer.status_code == 302
    with client.session_transaction() as session:
        assert not session.get(page_cache._WROTE)
    path = topic_url(scene["topic"])
    client.get(path)  # the welcome message shows here (a flash: never from the cache)
    client_for(app, MemberFactory()).get(path)
    hits = page_cache_on.hits
    client.get(path)
    assert page_cache_on.hits == hits + 1


def test_a_visitor_never_gets_a_members_page_nor_the_reverse(app, page_cache_on, scene) -> None:  # type: ignore[no-untyped-def]
    path = topic_url(scene["topic"])
    member = scene["viewers"][0]
    client_for(app, member).get(path)
    visitor = app.test_client().get(path).get_data(as_text=True)
    assert member.name not in visitor.split("<main", 1)[0]  # not in the visitor's header
    assert "Log in" in visitor and 'name="csrf-token"' not in visitor
