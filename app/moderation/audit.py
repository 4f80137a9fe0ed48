"""Reading the audit log: filters, pages and the CSV export of exactly the filtered rows.

The log is append-only: entries are written by `app.moderation.subscribers.record` inside
the staff action's transaction, and nothing here (nor anywhere) updates or deletes one.
Filters run on indexed columns (actor, action, target, created_at); pages are keyset on
the id (newest first), so a deep page costs what the first does. The CSV streams the same
query in chunks.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.time import aware
from app.extensions import db
from app.members.models import Member
from app.moderation.models import AuditEntry
from app.moderation.queue import require_staff

PER_PAGE = 50
CSV_CHUNK = 1000
TARGET_TYPES = ("post", "topic", "member", "watched_word", "sanction", "category", "idea")

ACTION_LABELS = {
    "role_changed": _l("Role changed"),
    "post_deleted": _l("Post deleted"),
    "post_restored": _l("Post restored"),
    "post_edited": _l("Post edited"),
    "topic_pinned": _l("Topic pinned"),
    "topic_unpinned": _l("Topic unpinned"),
    "topic_locked": _l("Topic locked"),
    "topic_unlocked": _l("Topic unlocked"),
    "topic_moved": _l("Topic moved"),
    "topics_merged": _l("Topics merged"),
    "topic_split": _l("Topic split"),
    "move_undone": _l("Move undone"),
    "merge_undone": _l("Merge undone"),
    "split_undone": _l("Split undone"),
    "review_approved": _l("Post approved"),
    "review_hidden": _l("Post hidden"),
    "review_dismissed": _l("Review dismissed"),
    "review_restored": _l("Post shown again"),
    "member_warned": _l("Member warned"),
    "member_silenced": _l("Member silenced"),
    "member_suspended": _l("Member suspended"),
    "sanction_lifted": _l("Sanction lifted"),
    "trust_level_set": _l("Trust level set"),
    "watched_word_added": _l("Watched word added"),
    "watched_word_removed": _l("Watched word removed"),
    "ideas_merged": _l("Ideas merged"),
    "ideas_unmerged": _l("Ideas unmerged"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label else code.replace("_", " ").capitalize()


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: int | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args: Any) -> AuditFilters:
        def _date(name: str) -> date | None:
            try:
                return date.fromisoformat(args.get(name) or "")
            except ValueError:
                return None

        try:
            target_id = int(args.get("target_id") or 0) or None
        except ValueError:
            target_id = None
        target_type = args.get("target_type") or ""
        return cls(
            actor=(args.get("actor") or "").strip().lstrip("@")[:40],
            action=(args.get("action") or "")[:40],
            target_type=target_type if target_type in TARGET_TYPES else "",
            target_id=target_id,
            since=_date("since"),
            until=_date("until"),
        )

    def args(self) -> dict[str, Any]:
        out = {
            "actor": self.actor,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {k: v for k, v in out.items() if v}

    def conditions(self) -> list[Any]:
        conds: list[Any] = []
        if self.actor:
            actor_id = db.session.scalar(
                select(Member.id).where(Member.username_lower == self.actor.lower())
            )
            conds.append(AuditEntry.actor_id == (actor_id or 0))
        if self.action:
            conds.append(AuditEntry.action == self.action)
        if self.target_type:
            conds.append(AuditEntry.target_type == self.target_type)
        if self.target_id:
            conds.append(AuditEntry.target_id == self.target_id)
        if self.since:
            conds.append(AuditEntry.created_at >= _start(self.since))
        if self.until:
            conds.append(AuditEntry.created_at < _start(self.until + timedelta(days=1)))
        return conds


def _start(day: date) -> datetime:
    return aware(datetime.combine(day, time.min))


@dataclass
class AuditPage:
    rows: list[tuple[AuditEntry, Member | None]]
    total: int
    next_before: int | None
    first: bool


def _statement(filters: AuditFilters) -> Any:
    return (
        select(AuditEntry, Member)
        .outerjoin(Member, Member.id == AuditEntry.actor_id)
        .where(*filters.conditions())
    )


def audit_page(viewer: Any, filters: AuditFilters, before: int | None = None) -> AuditPage:
    """Entries newest first, PER_PAGE a page, `before` the last id of the previous page."""
    require_staff(viewer)
    total = (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(*filters.conditions()))
        or 0
    )
    stmt = _statement(filters)
    if before:
        stmt = stmt.where(AuditEntry.id < before)
    rows = db.session.execute(stmt.order_by(AuditEntry.id.desc()).limit(PER_PAGE + 1)).all()
    shown = [(r[0], r[1]) for r in rows[:PER_PAGE]]
    next_before = shown[-1][0].id if len(rows) > PER_PAGE else None
    return AuditPage(shown, total, next_before, before is None)


def known_actions() -> list[str]:
    found = set(db.session.scalars(select(AuditEntry.action).distinct()))
    return sorted(found | set(ACTION_LABELS))


CSV_HEADER = [
    "id",
    "created_at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "reason",
    "before",
    "after",
    "details",
]


def _csv_row(entry: AuditEntry, actor: Member | None) -> list[str]:
    details = dict(entry.details or {})
    reason = details.pop("reason", "") or ""
    before = details.pop("before", None)
    after = details.pop("after", None)

    def _json(value: Any) -> str:
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    return [
        str(entry.id),
        aware(entry.created_at).isoformat(timespec="seconds"),
        actor.username if actor else "",
        entry.action,
        entry.target_type,
        str(entry.target_id),
        _safe_cell(str(reason)),
        _safe_cell(_json(before)),
        _safe_cell(_json(after)),
        _safe_cell(_json(details)),
    ]


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_lines(viewer: Any, filters: AuditFilters) -> Iterator[str]:
    """The filtered entries as CSV, newest first, streamed a chunk at a time."""
    require_staff(viewer)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    before: int | None = None
    while True:
        stmt = _statement(filters)
        if before is not None:
            stmt = stmt.where(AuditEntry.id < before)
        rows = db.session.execute(stmt.order_by(AuditEntry.id.desc()).limit(CSV_CHUNK)).all()
        for entry, actor in rows:
            writer.writerow(_csv_row(entry, actor))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < CSV_CHUNK:
            return
        before = rows[-1][0].id


def summary(entry: AuditEntry) -> dict[str, Any]:
    """What the page shows of an entry's details: reason, before, after, the rest."""
    details = dict(entry.details or {})
    return {
        "reason": details.pop("reason", "") or "",
        "before": details.pop("before", None),
        "after": details.pop("after", None),
        "rest": {k: v for k, v in details.items() if v not in (None, "", [], {})},
    }
