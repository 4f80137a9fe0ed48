"""Consent, the member's data export and account erasure.

- Consent: personalisation (behavioural inference: affinities from what they read, write
  and like) and marketing email, each off until the member turns it on. Withdrawing
  personalisation deletes what was inferred.
- Export: everything we hold about the member, as one JSON document.
- Erasure: the member row stays as a pseudonym (`former-member-<id>`) so posts, the
  points ledger and every total stay consistent; everything that identifies them is
  removed or blanked, in every table (tests scan them all). Their posts are kept under
  the pseudonym or deleted (soft, through the forums' own service), their choice.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app.core.db import unit_of_work
from app.core.errors import Invalid
from app.core.events import emit
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.engagement.events import MemberErased
from app.members.engagement.models import (
    EngagementEvent,
    MemberAffinity,
    MemberConsent,
    PendingProfile,
    StaffNote,
)
from app.members.engagement.read import profiles_data
from app.members.loyalty.models import LedgerEntry
from app.members.models import Member, MemberInterest
from app.members.passwords import hash_password, verify_password


def consent_of(member_id: int) -> MemberConsent:
    found = db.session.get(MemberConsent, member_id)
    return found or MemberConsent(member_id=member_id, personalisation=False, marketing_email=False)


def set_consent(actor: Member, personalisation: bool, marketing_email: bool) -> MemberConsent:
    """A member sets their own consents; withdrawing personalisation forgets inferences."""
    with unit_of_work():
        consent = db.session.get(MemberConsent, actor.id)
        if consent is None:
            consent = MemberConsent(
                member_id=actor.id, personalisation=False, marketing_email=False
            )
            db.session.add(consent)
        if personalisation and not consent.personalisation:
            consent.personalisation_since = utcnow()
        if not personalisation:
            consent.personalisation_since = None
            db.session.execute(delete(MemberAffinity).where(MemberAffinity.member_id == actor.id))
        consent.personalisation = personalisation
        consent.marketing_email = marketing_email
        consent.updated_at = utcnow()
    return consent


def _iso(value: Any) -> Any:
    return aware(value).isoformat() if hasattr(value, "isoformat") else value


def export_data(member: Member) -> dict[str, Any]:
    """Everything held about the member (their download)."""
    from app.community.forums.models import Post

    consent = consent_of(member.id)
    profile = profiles_data([member])[0]
    events = db.session.execute(
        select(
            EngagementEvent.type,
            EngagementEvent.channel,
            EngagementEvent.object_type,
            EngagementEvent.object_id,
            EngagementEvent.properties,
            EngagementEvent.occurred_at,
        )
        .where(EngagementEvent.member_id == member.id)
        .order_by(EngagementEvent.id)
    ).all()
    ledger = db.session.execute(
        select(
            LedgerEntry.points,
            LedgerEntry.source_type,
            LedgerEntry.reference,
            LedgerEntry.earned_at,
            LedgerEntry.note,
        )
        .where(LedgerEntry.member_id == member.id)
        .order_by(LedgerEntry.id)
    ).all()
    posts = db.session.execute(
        select(Post.id, Post.topic_id, Post.post_number, Post.body, Post.created_at)
        .where(Post.author_id == member.id)
        .order_by(Post.id)
    ).all()
    return {
        "account": {
            "id": member.id,
            "username": member.username,
            "email": member.email,
            "display_name": member.display_name,
            "bio": member.bio,
            "locale": member.locale,
            "role": member.role,
            "tier": member.tier,
            "external_id": member.external_id,
            "created_at": _iso(member.created_at),
            "email_verified_at": _iso(member.email_verified_at),
        },
        "interests": [i.slug for i in member.interests],
        "consent": {
            "personalisation": bool(consent.personalisation),
            "marketing_email": bool(consent.marketing_email),
        },
        "profile": {k: _iso(v) if k.endswith("_at") else v for k, v in profile.items()}
        | {"value": str(profile["value"])},
        "activity": [
            {
                "type": e.type,
                "channel": e.channel,
                "object": f"{e.object_type}:{e.object_id}" if e.object_type else None,
                "properties": e.properties,
                "occurred_at": _iso(e.occurred_at),
            }
            for e in events
        ],
        "points": [
            {
                "points": entry.points,
                "source": entry.source_type,
                "reference": entry.reference,
                "earned_at": _iso(entry.earned_at),
                "note": entry.note,
            }
            for entry in ledger
        ],
        "posts": [
            {
                "id": p.id,
                "topic_id": p.topic_id,
                "post_number": p.post_number,
                "body": p.body,
                "created_at": _iso(p.created_at),
            }
            for p in posts
        ],
    }


def erase_account(actor: Member, password: str, remove_posts: bool) -> None:
    """Erase the member's personal data (their own account, with their password)."""
    if actor.erased_at is not None:
        raise Invalid({"_": _("This account is already erased.")})
    if not verify_password(actor.password_hash, password or ""):
        raise Invalid({"password": _("Your password is incorrect.")})
    if remove_posts:
        _remove_posts(actor)
    with unit_of_work():
        _erase(db.session.get(Member, actor.id))


def _remove_posts(actor: Member) -> None:
    from app.community.forums.models import Post
    from app.community.forums.services import delete_post

    # Replies first, then first posts (deleting a first post deletes its topic).
    posts = db.session.execute(
        select(Post.id, Post.post_number)
        .where(Post.author_id == actor.id, Post.deleted_at.is_(None))
        .order_by(Post.post_number.desc(), Post.id)
    ).all()
    for post_id, _number in posts:
        try:
            delete_post(actor, post_id)
        except Exception:  # already gone with its topic
            db.session.rollback()


def _erase(member: Member) -> None:
    old_email = member.email
    member_id = member.id
    member.username = f"former-member-{member_id}"
    member.username_lower = member.username
    member.email = f"erased-{member_id}@erased.invalid"
    member.display_name = ""
    member.bio = ""
    member.locale = None
    member.external_id = None
    member.password_hash = hash_password(secrets.token_urlsafe(32))
    member.auth_version += 1
    member.email_verified_at = None
    member.last_seen_at = None
    member.erased_at = utcnow()
    db.session.flush()
    for model in (MemberInterest, MemberConsent, MemberAffinity):
        db.session.execute(delete(model).where(model.member_id == member_id))
    db.session.execute(delete(StaffNote).where(StaffNote.member_id == member_id))
    db.session.execute(
        delete(PendingProfile).where(
            (PendingProfile.claimed_by_id == member_id) | (PendingProfile.email == old_email)
        )
    )
    # Events stay (totals, ledger references) but say nothing about the person any more.
    db.session.execute(
        update(EngagementEvent)
        .where(EngagementEvent.member_id == member_id)
        .values(properties={}, visitor_id=None)
        .execution_options(synchronize_session=False)
    )
    _scrub_recorded_events(member_id)
    _scrub_outbox(old_email)
    emit(MemberErased(member_id=member_id))


def _scrub_recorded_events(member_id: int) -> None:
    """The events table keeps payloads: blank the personal fields of this member's."""
    from app.core.event_store import DomainEventRecord

    personal = {"member_registered": ("username",), "searched": ("query",)}
    rows = db.session.execute(
        select(DomainEventRecord.id, DomainEventRecord.type, DomainEventRecord.payload).where(
            DomainEventRecord.type.in_(personal)
        )
    ).all()
    for row_id, kind, payload in rows:
        if (payload or {}).get("member_id") != member_id:
            continue
        blanked = {**payload, **dict.fromkeys(personal[kind], "")}
        db.session.execute(
            update(DomainEventRecord)
            .where(DomainEventRecord.id == row_id)
            .values(payload=blanked)
            .execution_options(synchronize_session=False)
        )


def _scrub_outbox(email: str) -> None:
    """Mail already sent or waiting for this address (it holds their name and address)."""
    from app.notifications.models import OutboxMessage

    db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.to_address == email)
        .execution_options(synchronize_session=False)
    )
