"""The topic page's viewer holes (app/core/holes.py): what differs between two members
reading the same page.

- `post_actions`: the actions under each post (like, reactions, solution, bookmark,
  quote/reply, flag, edit, delete), from the post's shared values and this viewer's
  likes, reactions and bookmarks on the page — one query for the twenty posts;
- `topic_unread`: "Jump to first unread" from the member's read position;
- `topic_follow`: the follow button (and the reply button of earlier pages);
- `suggested`: the suggested topics at the end (unread and new first: the member's own).

Each renderer decides from the hole's arguments and the viewer alone, with the services'
own rules (`may_edit_post_of`, `may_solve`), so a page shared by members of a standing is,
once filled, the page rendered for the member (tests/community/test_shared_pages.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import get_locale

from app.community.forums import access, queries
from app.community.forums.services import may_edit_post_of, may_solve, reaction_set
from app.core import holes
from app.core.fragments import FragmentCache, cached_fragment
from app.core.fragments import cache_of as fragment_cache
from app.core.holes import Spot
from app.core.templating import request_cache


def _macro(name: str) -> Any:
    return getattr(current_app.jinja_env.get_template("macros/post.html").module, name)


@dataclass
class _Prepared:
    """What every post's actions share for this viewer, worked out once per page."""

    state: queries.ReaderState
    locale: str
    member: bool
    staff: bool
    viewer_id: int | None
    reactions: tuple[str, ...]
    cache: FragmentCache


def _state(viewer: Any, topic_id: int, post_ids: list[int] | None = None) -> queries.ReaderState:
    """The member's marks, read position and follow for the page: one query per request
    (the post actions' `prepare` asks first, with the page's posts)."""
    cache = request_cache("cercle.forums.reader_state")
    state = cache.get(topic_id)
    if state is None or (post_ids and not state.marks.post_ids.issuperset(post_ids)):
        state = cache[topic_id] = queries.reader_state(viewer, topic_id, post_ids or [])
    return state


def _prepare_post_actions(spots: list[Spot], viewer: Any) -> _Prepared:
    topic_id = spots[0].args["topic"]
    member = access.is_member(viewer)
    return _Prepared(
        state=_state(viewer, topic_id, [spot.args["id"] for spot in spots]),
        locale=str(get_locale()),
        member=member,
        staff=access.is_staff(viewer),
        viewer_id=viewer.id if member else None,
        reactions=reaction_set(),
        cache=fragment_cache(current_app),
    )


def _post_actions(spot: Spot, prepared: _Prepared, viewer: Any) -> str:
    """Twenty times a page: the cache is asked directly, with every bit in the key."""
    a = spot.args
    marks = prepared.state.marks
    member, staff = prepared.member, prepared.staff
    post_id, author = a["id"], a["author"]
    can_edit = may_edit_post_of(viewer, author)
    bits = (
        member,
        member and prepared.viewer_id == author,  # own
        staff,
        post_id in marks.liked,
        tuple(sorted(marks.reacted[post_id])) if post_id in marks.reacted else (),
        post_id in marks.bookmarked,
        can_edit,  # and can_delete: services.may_delete is whoever may edit
        member and not a["topic_deleted"] and (not a["locked"] or staff),  # can_reply
        may_solve(viewer, a["asker"], a["qa"], a["topic_deleted"]),
        prepared.reactions,
    )
    key = ("post_actions", spot.raw, prepared.locale, bits)
    text = prepared.cache.get(key)
    if text is not None:
        return text
    return cached_fragment(
        key, lambda: _macro("post_actions")(a, **dict(zip(_BITS, bits, strict=True)))
    )


_BITS = (
    "member", "own", "is_staff", "liked", "reacted", "bookmarked", "can_edit", "can_reply",
    "can_solve", "reactions",
)  # fmt: skip


def _topic_unread(spot: Spot, prepared: Any, viewer: Any) -> str:
    last_read = _state(viewer, spot.args["topic"]).last_read
    highest = spot.args["highest"]
    if last_read is None or last_read >= highest:
        return ""
    return render_template(
        "community/_unread_jump.html",
        new_posts=highest - last_read,
        url=f"{spot.args['prefix']}{last_read + 1}",
    )


def _topic_follow(spot: Spot, prepared: Any, viewer: Any) -> str:
    if not access.is_member(viewer):
        return ""
    a = spot.args
    following = _state(viewer, a["topic"]).following
    can_reply = not a["topic_deleted"] and (not a["locked"] or access.is_staff(viewer))
    bits = (following, can_reply and not a["last_page"])
    key = ("topic_follow", spot.raw, str(get_locale()), *bits)
    return cached_fragment(
        key,
        lambda: render_template(
            "community/_follow_box.html",
            topic_id=a["topic"],
            following=following,
            reply_button=bits[1],
        ),
    )


def _topic_bookmark(spot: Spot, prepared: Any, viewer: Any) -> str:
    if not access.is_member(viewer):
        return ""
    post_id = spot.args["post"]
    bookmarked = post_id in _state(viewer, spot.args["topic"], [post_id]).marks.bookmarked
    key = ("topic_bookmark", spot.raw, str(get_locale()), bookmarked)
    return cached_fragment(
        key,
        lambda: render_template(
            "community/_topic_bookmark.html", post_id=post_id, bookmarked=bookmarked
        ),
    )


def _suggested(spot: Spot, prepared: Any, viewer: Any) -> str:
    rows = queries.suggested_topics(viewer, spot.args["topic"], spot.args["category"])
    if not rows:
        return ""
    return render_template("community/_suggested.html", rows=rows)


def register(app: Flask) -> None:
    holes.register(app, "post_actions", _post_actions, _prepare_post_actions)
    holes.register(app, "topic_unread", _topic_unread)
    holes.register(app, "topic_follow", _topic_follow)
    holes.register(app, "topic_bookmark", _topic_bookmark)
    holes.register(app, "suggested", _suggested)
