"""Events ingestion: a batch is validated whole, then recorded in one transaction.

Any invalid event rejects the batch with every bad field named (nothing applied). Members
are matched set-based (a few queries per batch, whatever its size): by `member_id`, then
`external_id`, then `email`; an unknown email or external id gets a pending profile.
Each event's idempotency key is its log row's source key (`api:<key>`), so a retried
batch counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select

from app.api.models import ApiKey
from app.api.schemas import CHANNEL_OF, BatchSchema
from app.core.db import dialect_insert, unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.members.engagement.models import PendingProfile
from app.members.engagement.pipeline import Activity, record
from app.members.models import Member


class BatchInvalid(Exception):
    """The batch breaks the schema: `errors` is a list of (JSON pointer, message)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    pending_profiles: int


def _pointers(messages: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            part = "" if key == "_schema" else f"/{key}"
            out.extend(_pointers(value, path + part))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(path or "/", m) for m in messages]
    if isinstance(messages, list):
        return [p for m in messages for p in _pointers(m, path)]
    return [(path or "/", str(messages))]


_schemas: dict[tuple[str, ...], BatchSchema] = {}


def _schema() -> BatchSchema:
    currencies = tuple(current_app.config["CURRENCY_RATES"])
    if currencies not in _schemas:
        schema = BatchSchema()
        schema.fields["events"].inner.schema.currencies = currencies  # type: ignore[attr-defined]
        _schemas[currencies] = schema
    return _schemas[currencies]


def validate(body: Any) -> list[dict[str, Any]]:
    """The batch's events, validated; a lone event object is a batch of one."""
    if isinstance(body, dict) and "events" not in body:
        body = {"events": [body]}
    if not isinstance(body, dict):
        raise BatchInvalid([("/", 'Send a JSON object: one event, or {"events": [...]}.')])
    events = body.get("events")
    limit = current_app.config["API_MAX_BATCH"]
    if isinstance(events, list) and not 1 <= len(events) <= limit:
        raise BatchInvalid([("/events", f"Send between 1 and {limit} events.")])
    try:
        data = _schema().load(body)
    except ValidationError as exc:
        raise BatchInvalid(_pointers(exc.messages)) from exc
    keys: dict[str, int] = {}
    duplicates = []
    for i, evt in enumerate(data["events"]):
        if evt["idempotency_key"] in keys:
            duplicates.append(
                (f"/events/{i}/idempotency_key", "Repeats the key of another event in this batch.")
            )
        keys[evt["idempotency_key"]] = i
    if duplicates:
        raise BatchInvalid(duplicates)
    return data["events"]


def _base_cents(amount: Decimal, currency: str) -> int:
    rate = Decimal(str(current_app.config["CURRENCY_RATES"][currency]))
    return int((amount * rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _match(events: list[dict[str, Any]]) -> tuple[list[tuple[int | None, int | None]], int]:
    """(member id, pending id) per event; unknown member ids are invalid."""
    ids = {e["customer"]["member_id"] for e in events if "member_id" in e["customer"]}
    emails = {e["customer"]["email"].lower() for e in events if "email" in e["customer"]}
    externals = {e["customer"]["external_id"] for e in events if "external_id" in e["customer"]}
    by_id = set(db.session.scalars(select(Member.id).where(Member.id.in_(ids)))) if ids else set()
    by_email: dict[str, int] = {}
    by_external: dict[str, int] = {}
    if emails:
        by_email = dict(
            db.session.execute(
                select(Member.email, Member.id).where(Member.email.in_(emails))
            ).all()
        )
    if externals:
        by_external = dict(
            db.session.execute(
                select(Member.external_id, Member.id).where(Member.external_id.in_(externals))
            ).all()
        )
    errors = [
        (f"/events/{i}/customer/member_id", "No member has this id.")
        for i, e in enumerate(events)
        if "member_id" in e["customer"] and e["customer"]["member_id"] not in by_id
    ]
    if errors:
        raise BatchInvalid(errors)
    matched: list[int | None] = []
    unknown: list[dict[str, Any]] = []
    for e in events:
        c = e["customer"]
        member = (
            c.get("member_id")
            or by_external.get(c.get("external_id"))  # type: ignore[arg-type]
            or by_email.get((c.get("email") or "").lower())
        )
        matched.append(member)
        if member is None:
            unknown.append(c)
    pending_of = _pending_profiles(unknown)
    out = []
    for e, member in zip(events, matched, strict=True):
        if member is not None:
            out.append((member, None))
            continue
        c = e["customer"]
        pending = pending_of.get(("x", c.get("external_id"))) or pending_of.get(
            ("e", (c.get("email") or "").lower())
        )
        out.append((None, pending))
    return out, len(unknown)


def _pending_profiles(customers: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    if not customers:
        return {}
    emails = {c["email"].lower() for c in customers if c.get("email") and not c.get("external_id")}
    externals = {c["external_id"] for c in customers if c.get("external_id")}
    rows = [{"email": None, "external_id": x} for x in sorted(externals)]
    if rows:
        db.session.execute(
            dialect_insert(PendingProfile).on_conflict_do_nothing(index_elements=["external_id"]),
            [{**r, "created_at": utcnow()} for r in rows],
        )
    if emails:
        db.session.execute(
            dialect_insert(PendingProfile).on_conflict_do_nothing(index_elements=["email"]),
            [{"email": e, "external_id": None, "created_at": utcnow()} for e in sorted(emails)],
        )
    # An external id's profile also answers for its email, so a registration claims it.
    for c in customers:
        if c.get("external_id") and c.get("email"):
            db.session.execute(
                PendingProfile.__table__.update()
                .where(
                    PendingProfile.external_id == c["external_id"],
                    PendingProfile.email.is_(None),
                )
                .values(email=c["email"].lower())
                .execution_options(synchronize_session=False),
            )
    out: dict[tuple[str, str], int] = {}
    if externals:
        for pid, ext in db.session.execute(
            select(PendingProfile.id, PendingProfile.external_id).where(
                PendingProfile.external_id.in_(externals)
            )
        ):
            out[("x", ext)] = pid
    if emails:
        for pid, email in db.session.execute(
            select(PendingProfile.id, PendingProfile.email).where(PendingProfile.email.in_(emails))
        ):
            out[("e", email)] = pid
    return out


def ingest(key: ApiKey, body: Any) -> IngestResult:
    """Validate the whole batch, then record it in one transaction (all or nothing)."""
    events = validate(body)
    now = utcnow()
    with unit_of_work():
        matches, pending = _match(events)
        activities = []
        for evt, (member_id, pending_id) in zip(events, matches, strict=True):
            props = dict(evt.get("properties") or {})
            value = None
            if evt.get("amount") is not None:
                props["amount"] = str(evt["amount"])
                props["currency"] = evt.get("currency")
                value = _base_cents(evt["amount"], evt["currency"]) if evt.get("currency") else None
            if evt.get("products"):
                props["products"] = [
                    {k: str(v) if isinstance(v, Decimal) else v for k, v in p.items()}
                    for p in evt["products"]
                ]
            activities.append(
                Activity(
                    type=evt["type"],
                    occurred_at=evt.get("occurred_at") or now,
                    source_key=f"api:{evt['idempotency_key']}",
                    member_id=member_id,
                    pending_id=pending_id,
                    channel=CHANNEL_OF[evt["type"]],
                    value_cents=value,
                    properties=props,
                )
            )
        result = record(activities)
        db.session.execute(
            ApiKey.__table__.update().where(ApiKey.id == key.id).values(last_used_at=now)
        )
    return IngestResult(result.inserted, result.duplicates, pending)
