"""Render stored posts again with today's sanitiser and settings (`flask posts render`).

Posts keep the HTML made when they were written (`Post.body_html`), so pages never render
Markdown per view. After a change that alters the output — `POST_IMAGE_HOSTS`, the
sanitiser's rules — this brings the stored HTML of every post up to date, in batches of
one short transaction each, and says how many changed.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from app.community.forums.models import Post
from app.core.db import unit_of_work
from app.core.markup import render_markdown
from app.extensions import db

BATCH = 500


def render_all_posts(batch: int = BATCH) -> tuple[int, int]:
    """Re-render every post's body; returns (posts read, posts whose HTML changed)."""
    read = changed = 0
    after = 0
    while True:
        rows = db.session.execute(
            select(Post.id, Post.body, Post.body_html)
            .where(Post.id > after)
            .order_by(Post.id)
            .limit(batch)
        ).all()
        db.session.rollback()
        if not rows:
            return read, changed
        after = rows[-1].id
        read += len(rows)
        updates = [
            {"b_id": row.id, "b_body": row.body, "b_html": html}
            for row in rows
            if (html := render_markdown(row.body)) != row.body_html
        ]
        if updates:
            table = Post.__table__
            with unit_of_work():
                # Only where the body is still the one rendered: an edit meanwhile wins.
                db.session.execute(
                    update(table)
                    .where(table.c.id == bindparam("b_id"), table.c.body == bindparam("b_body"))
                    .values(body_html=bindparam("b_html")),
                    updates,
                )
            changed += len(updates)
