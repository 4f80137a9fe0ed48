"""Signed, expiring, single-use tokens for email verification and password reset.

A token carries the member id and a fingerprint of the state it is meant to change: the
email and verification state for verification, the password hash for reset. Once used, that
state changes, so the same token no longer matches: single use without a token table.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.members.models import Member

VERIFY = "verify-email"
RESET = "reset-password"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"cercle.{purpose}")


def _fingerprint(member: Member, purpose: str) -> str:
    if purpose == VERIFY:
        state = f"{member.email}|{member.email_verified_at is not None}"
    else:
        state = member.password_hash
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def make_token(member: Member, purpose: str) -> str:
    return _serializer(purpose).dumps({"m": member.id, "f": _fingerprint(member, purpose)})


class TokenError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def read_token(token: str, purpose: str, load_member) -> Member:  # type: ignore[no-untyped-def]
    """The member a valid, unexpired, unused token is for; TokenError otherwise."""
    max_age = current_app.config[
        "VERIFY_TOKEN_MAX_AGE" if purpose == VERIFY else "RESET_TOKEN_MAX_AGE"
    ]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    member = load_member(data.get("m")) if isinstance(data, dict) else None
    if member is None or data.get("f") != _fingerprint(member, purpose):
        raise TokenError("invalid")
    return member


def state_digest(member: Member, purpose: str) -> str:
    """A keyed digest of the member's address and the state a token would change, kept with
    a queued security mail (no secret: it cannot be turned into a token)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    state = f"{purpose}|{member.email.lower()}|{_fingerprint(member, purpose)}"
    return hmac.new(key, state.encode(), hashlib.sha256).hexdigest()[:32]


def _minter(purpose: str):  # type: ignore[no-untyped-def]
    def mint(member_id: int, to_address: str, state: str) -> str | None:
        """A token only for the address the mail goes to and the state it was asked for:
        a mail to a former address, or about a password changed since, gets none."""
        from app.extensions import db

        member = db.session.get(Member, member_id)
        if member is None or member.email.lower() != (to_address or "").lower():
            return None
        if state != state_digest(member, purpose):
            return None
        return make_token(member, purpose)

    return mint


def init_app(app: Flask) -> None:
    """Security mails get their token minted when the worker sends them, never before."""
    from app.notifications.mail import register_link_minter

    for purpose in (VERIFY, RESET):
        register_link_minter(app, purpose, _minter(purpose))
