"""The live queue: ephemeral pushes to the `staff` room (moderators and admins only).

A new or grown item is pushed as its rendered queue row, once per language (the staff
room is small); the row's forms carry no CSRF token (it belongs to each moderator's
session): the queue page's script fills in its own. Claims and decisions are pushed as a
small update so another moderator's page greys out or removes the row. Without
JavaScript, a reload shows the same rows.
"""

from __future__ import annotations

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale

from app.core.events import EventBus
from app.core.templating import fresh_caches
from app.extensions import db
from app.members.models import Member
from app.moderation.events import ReviewItemOpened
from app.moderation.models import ReviewItem
from app.moderation.queue import (
    ReviewItemClaimed,
    ReviewItemResolved,
    Row,
    _rows_statement,
    _with_flags,
    template_context,
)
from app.realtime.publisher import publish

STAFF_ROOM = "staff"


class _StaffViewer:
    """Who the pushed row is rendered for: any moderator (no per-viewer buttons state)."""

    is_authenticated = True
    is_staff = True
    id = 0


def render_row(row: Row, locale: str) -> str:
    if not has_request_context():  # the worker or a command: links are built site-relative
        with current_app.test_request_context("/"):
            return render_row(row, locale)
    with fresh_caches(), force_locale(locale):
        return render_template(
            "moderation/_queue_row.html",
            row=row,
            viewer=_StaffViewer(),
            pushed=True,
            now=None,
            **template_context(),
        )


def on_item_opened(event: ReviewItemOpened) -> None:
    found = db.session.execute(_rows_statement().where(ReviewItem.id == event.item_id)).first()
    if found is None:
        return
    row = _with_flags([Row(*found)])[0]
    html = {locale: render_row(row, locale) for locale in current_app.config["LANGUAGES"]}
    publish(
        STAFF_ROOM,
        "review_item",
        {
            "item_id": event.item_id,
            "kind": event.kind,
            "reason": event.reason,
            "category_id": event.category_id,
            "html": html,
        },
    )


def on_item_claimed(event: ReviewItemClaimed) -> None:
    member = db.session.get(Member, event.actor_id)
    publish(
        STAFF_ROOM,
        "review_item_claimed",
        {
            "item_id": event.item_id,
            "claimed": event.claimed,
            "by_id": event.actor_id,
            "by": member.name if member else "",
        },
    )


def on_item_resolved(event: ReviewItemResolved) -> None:
    publish(
        STAFF_ROOM,
        "review_item_resolved",
        {"item_id": event.item_id, "decision": event.decision, "by_id": event.actor_id},
    )


def register(bus: EventBus) -> None:
    bus.subscribe(ReviewItemOpened, on_item_opened)
    bus.subscribe(ReviewItemClaimed, on_item_claimed)
    bus.subscribe(ReviewItemResolved, on_item_resolved)
