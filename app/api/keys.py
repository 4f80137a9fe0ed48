"""API keys: created by admins, shown once, stored as a SHA-256, scoped and revocable.

A key reads `ck_<prefix>_<secret>`: the prefix finds the row (and names the key in lists
and in rate limits), the secret's hash is compared in constant time. The secret has 256
bits of entropy, so a plain SHA-256 is enough (no password hash: nothing to guess).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.api.models import SCOPES, ApiKey
from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    token: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    parts = (token or "").split("_")
    if len(parts) != 3 or parts[0] != "ck" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def create_key(actor: Member | None, name: str, scopes: list[str]) -> NewKey:
    """Admins create keys (None: the command line). The token is returned only now."""
    name = (name or "").strip()
    errors = {}
    if not name or len(name) > 80:
        errors["name"] = _("Give the key a name of 1 to 80 characters.")
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        errors["scopes"] = _("Choose at least one scope from the list.")
    if errors:
        raise Invalid(errors)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32).replace("_", "-")
    with unit_of_work():
        if actor is not None and not actor.is_admin:
            raise PermissionDenied(_("Only administrators manage API keys."))
        key = ApiKey(
            name=name,
            prefix=prefix,
            key_hash=_hash(secret),
            scopes=" ".join(s for s in SCOPES if s in scopes),
            created_by_id=actor.id if actor else None,
        )
        db.session.add(key)
    return NewKey(key, f"ck_{prefix}_{secret}")


def revoke_key(actor: Member | None, key_id: int) -> ApiKey:
    with unit_of_work():
        if actor is not None and not actor.is_admin:
            raise PermissionDenied(_("Only administrators manage API keys."))
        key = db.session.get(ApiKey, key_id)
        if key is None:
            raise NotFound()
        if key.revoked_at is None:
            key.revoked_at = utcnow()
    return key


def authenticate(token: str) -> ApiKey | None:
    """The active key this bearer token opens, or None."""
    parts = split_token(token)
    if parts is None:
        return None
    prefix, secret = parts
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or not hmac.compare_digest(key.key_hash, _hash(secret)):
        return None
    if key.revoked_at is not None:
        return None
    return key


def list_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))
