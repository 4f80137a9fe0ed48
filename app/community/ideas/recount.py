"""Recount the ideas' stored counters from their rows (`flask counters recount`).

Votes and importance (the `IdeaVote` rows), followers (`IdeaFollow`), comments (visible
replies of the idea's discussion topic, as `ideas_counters` keeps them) and each board's
idea count. Repairs what differs and says what it changed.
"""

from __future__ import annotations

from sqlalchemy import exists, func, select, update

from app.community.forums.models import Post, Topic
from app.community.ideas.models import Idea, IdeaBoard, IdeaFollow, IdeaVote
from app.core.db import unit_of_work
from app.core.worker import hold_at_head
from app.extensions import db


def recount_ideas() -> list[str]:
    report: list[str] = []
    with unit_of_work():
        # Events already reflected in the rows must not be counted again by the worker.
        hold_at_head("ideas_counters")
        votes = {
            int(i): (int(n), int(t or 0))
            for i, n, t in db.session.execute(
                select(IdeaVote.idea_id, func.count(), func.sum(IdeaVote.importance)).group_by(
                    IdeaVote.idea_id
                )
            )
        }
        follows = dict(
            db.session.execute(
                select(IdeaFollow.idea_id, func.count()).group_by(IdeaFollow.idea_id)
            ).all()
        )
        comments = dict(
            db.session.execute(
                select(Idea.id, func.count(Post.id))
                .join(Post, Post.topic_id == Idea.topic_id)
                .where(
                    Post.post_number > 1,
                    Post.deleted_at.is_(None),
                    Post.moderation_state == "visible",
                )
                .group_by(Idea.id)
            ).all()
        )
        rows = db.session.execute(
            select(
                Idea.id,
                Idea.vote_count,
                Idea.importance_total,
                Idea.follower_count,
                Idea.comment_count,
            ).order_by(Idea.id)
        )
        for row in rows.all():
            count, total = votes.get(row.id, (0, 0))
            wanted = {
                "vote_count": count,
                "importance_total": total,
                "follower_count": int(follows.get(row.id, 0)),
                "comment_count": int(comments.get(row.id, 0)),
            }
            changes = {k: v for k, v in wanted.items() if getattr(row, k) != v}
            if changes:
                for name, value in changes.items():
                    report.append(f"idea {row.id} {name}: {getattr(row, name)} → {value}")
                db.session.execute(
                    update(Idea).where(Idea.id == row.id).values(**changes),
                    execution_options={"synchronize_session": False},
                )
        # Ideas held or hidden by moderation (their discussion topic) are not counted.
        taken_down = exists().where(Topic.id == Idea.topic_id, Topic.moderation_state != "visible")
        per_board = dict(
            db.session.execute(
                select(Idea.board_id, func.count()).where(~taken_down).group_by(Idea.board_id)
            ).all()
        )
        for board_id, stored in db.session.execute(select(IdeaBoard.id, IdeaBoard.idea_count)):
            actual = int(per_board.get(board_id, 0))
            if stored != actual:
                report.append(f"board {board_id} idea_count: {stored} → {actual}")
                db.session.execute(
                    update(IdeaBoard).where(IdeaBoard.id == board_id).values(idea_count=actual)
                )
    db.session.expire_all()
    return report
