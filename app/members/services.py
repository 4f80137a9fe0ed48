"""Account, profile and role rules. The only code that changes a member."""

from __future__ import annotations

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.core.db import DriverQuery, unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.time import utcnow
from app.extensions import db
from app.members import tokens
from app.members.events import (
    MemberLoggedIn,
    MemberRegistered,
    MemberVerified,
    ProfileUpdated,
    RoleChanged,
)
from app.members.models import ROLES, Member
from app.members.passwords import hash_password, needs_rehash, password_problem, verify_password
from app.notifications.events import MailQueued
from app.notifications.mail import TOKEN_SLOT, queue_mail

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$")
RESERVED_USERNAMES = frozenset(
    [
        "admin",
        "administrator",
        "mod",
        "moderator",
        "staff",
        "system",
        "cercle",
        "support",
        "help",
        "root",
        "api",
        "auth",
        "settings",
        "members",
        "forums",
        "latest",
        "ideas",
        "polls",
        "search",
        "loyalty",
        "notifications",
    ]
)
DISPLAY_NAME_MAX = 60
BIO_MAX = 2000
# Hash once so a login for an unknown email costs as much as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


# --- reading -----------------------------------------------------------------------------


def get_member(member_id: int) -> Member | None:
    return db.session.get(Member, member_id)


class _SessionMemberLoader:
    """Flask-Login's loader runs on every logged-in request: the member's row is read
    through a statement compiled once and sent straight to the driver (app/core/db.py
    DriverQuery), with the unread counter notifications attach, and made the session's
    persistent `Member` without the ORM's per-query machinery (a third of a logged-in
    member's cached page went there). The instance is the one `session.get` returns, its
    relationships and deferred columns load as usual, and changes to it flush as usual."""

    def __init__(self) -> None:
        self.query: DriverQuery | None = None
        self.keys: tuple[str, ...] = ()
        self.types: list[Any] = []
        self.processors: dict[str, tuple] = {}

    def _prepare(self) -> DriverQuery:
        if self.query is None:
            mapper = Member.__mapper__
            table = Member.__table__
            columns = list(table.c)
            keys = [mapper.get_property_by_column(c).key for c in columns]
            selected: list[Any] = list(columns)
            if "unread_notifications" in mapper.attrs:  # attached by notifications
                selected.append(mapper.attrs["unread_notifications"].expression.label("unread"))
                keys.append("unread_notifications")
            statement = select(*selected).where(table.c.id == bindparam("member_id"))
            self.types = [c.type for c in columns] + [None] * (len(keys) - len(columns))
            self.keys = tuple(keys)
            self.query = DriverQuery(lambda: statement, {})
        return self.query

    def _processors(self, dialect: Any) -> tuple:
        found = self.processors.get(dialect.name)
        if found is None:
            found = self.processors[dialect.name] = tuple(
                t.dialect_impl(dialect).result_processor(dialect, None) if t is not None else None
                for t in self.types
            )
        return found

    def load(self, member_id: int) -> Member | None:
        session = db.session()
        existing = session.identity_map.get(session.identity_key(Member, member_id))
        if existing is not None:
            return existing
        query = self._prepare()
        rows = query.rows(session, member_id=member_id)
        if not rows:
            return None
        processors = self._processors(session.get_bind().dialect)
        member = Member.__mapper__.class_manager.new_instance()
        for key, processor, value in zip(self.keys, processors, rows[0], strict=True):
            set_committed_value(member, key, processor(value) if processor else value)
        make_transient_to_detached(member)
        session.add(member)
        return member


_SESSION_MEMBER = _SessionMemberLoader()


def load_session_member(session_id: str) -> Member | None:
    """Flask-Login's loader: `<id>:<auth_version>`; an old version means signed out."""
    member_id, _sep, version = session_id.partition(":")
    if not member_id.isdigit():
        return None
    member = _SESSION_MEMBER.load(int(member_id))
    if member is None or str(member.auth_version) != version:
        return None
    return member


def get_by_username(username: str) -> Member:
    # No username holds a NUL byte, and PostgreSQL refuses one in a query (a 500).
    if "\x00" in username:
        raise NotFound(_("No member is called %(name)s.", name=username.replace("\x00", "")))
    member = db.session.scalar(select(Member).where(Member.username_lower == username.lower()))
    if member is None:
        raise NotFound(_("No member is called %(name)s.", name=username))
    return member


def find_by_email(email: str) -> Member | None:
    return db.session.scalar(select(Member).where(Member.email == normalise_email(email)))


# --- validation --------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _email_error(email: str, exclude_id: int | None = None) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _("Enter a valid email address.")
    query = select(Member.id).where(Member.email == email)
    if exclude_id is not None:
        query = query.where(Member.id != exclude_id)
    if db.session.scalar(query) is not None:
        return _("An account already uses this email. Log in or reset your password.")
    return None


def _username_error(username: str) -> str | None:
    if not USERNAME_RE.match(username):
        return _(
            "3 to 30 characters: letters, digits, dot, dash or underscore, "
            "starting with a letter or digit."
        )
    if username.lower() in RESERVED_USERNAMES:
        return _("This username is reserved.")
    taken = db.session.scalar(select(Member.id).where(Member.username_lower == username.lower()))
    if taken is not None:
        return _("This username is taken.")
    return None


# --- accounts ----------------------------------------------------------------------------


def register(username: str, email: str, password: str, locale: str | None = None) -> Member:
    """Create a member account (role member, tier Bronze) and send the verification email."""
    username = (username or "").strip()
    email = normalise_email(email)
    with unit_of_work():
        errors: dict[str, str] = {}
        if problem := _username_error(username):
            errors["username"] = problem
        if problem := _email_error(email):
            errors["email"] = problem
        if problem := password_problem(password or "", username, email):
            errors["password"] = problem
        if errors:
            raise Invalid(errors)
        member = Member(
            username=username,
            username_lower=username.lower(),
            email=email,
            password_hash=hash_password(password),
            display_name="",
            bio="",
            role="member",
            tier="bronze",
            points=0,
            locale=locale,
            auth_version=1,
        )
        db.session.add(member)
        db.session.flush()
        _queue_verification(member)
        emit(MemberRegistered(member_id=member.id, username=member.username, locale=locale))
    return member


def authenticate(email: str, password: str, remember: bool = False) -> Member:
    """The member these credentials open; one message whatever was wrong."""
    member = find_by_email(email)
    if member is None:
        verify_password(_dummy_hash(), password or "")
        raise Invalid({"_": _("Email or password is incorrect.")})
    if not verify_password(member.password_hash, password or ""):
        raise Invalid({"_": _("Email or password is incorrect.")})
    from app.core.guards import write_refusal

    # A suspended member is told why and until when (moderation's guard answers "login").
    if refusal := write_refusal(member, "login"):
        raise Invalid({"_": refusal})
    with unit_of_work():
        member = db.session.get(Member, member.id)
        if needs_rehash(member.password_hash):
            member.password_hash = hash_password(password)
        member.last_seen_at = utcnow()
        emit(MemberLoggedIn(member_id=member.id, remember=remember))
    return member


def _dummy_hash() -> str:
    from flask import current_app

    key = "fast" if current_app.config.get("FAST_PASSWORD_HASH") else "default"
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password("not-a-real-password-for-timing")
    return _DUMMY_HASH[key]


def _link_template(endpoint: str) -> str:
    """The link a security mail carries, with the token's place left for the worker."""
    return url_for(endpoint, token=TOKEN_SLOT, _external=True)


def _queue_verification(member: Member) -> None:
    message = queue_mail(
        member.email,
        _l("Confirm your email address"),
        "verify_email",
        locale=member.locale,
        kind="verify_email",
        secure_link=(
            tokens.VERIFY,
            member.id,
            _link_template("auth.verify"),
            tokens.state_digest(member, tokens.VERIFY),
        ),
        member=member,
    )
    db.session.flush()
    emit(MailQueued(message_id=message.id))


def resend_verification(actor: Member) -> None:
    """Send a new verification link to a member whose email is not yet confirmed."""
    with unit_of_work():
        member = db.session.get(Member, actor.id)
        if member.is_verified:
            raise Invalid({"_": _("Your email address is already confirmed.")})
        _queue_verification(member)


def verify_email(token: str) -> Member:
    """Confirm the email a valid verification token was issued for (once)."""
    with unit_of_work():
        try:
            member = tokens.read_token(token, tokens.VERIFY, get_member)
        except tokens.TokenError as exc:
            raise Invalid({"token": _token_message(exc.reason)}) from exc
        member.email_verified_at = utcnow()
        emit(MemberVerified(member_id=member.id))
    return member


def request_password_reset(email: str) -> None:
    """Email a reset link if an account has this address; say nothing either way."""
    with unit_of_work():
        member = find_by_email(email)
        if member is None:
            return
        message = queue_mail(
            member.email,
            _l("Reset your password"),
            "reset_password",
            locale=member.locale,
            kind="reset_password",
            secure_link=(
                tokens.RESET,
                member.id,
                _link_template("auth.reset_with_token"),
                tokens.state_digest(member, tokens.RESET),
            ),
            member=member,
        )
        db.session.flush()
        emit(MailQueued(message_id=message.id))


def check_reset_token(token: str) -> Member:
    """The member a reset token is for, without spending it (GET shows the form)."""
    try:
        return tokens.read_token(token, tokens.RESET, get_member)
    except tokens.TokenError as exc:
        raise Invalid({"token": _token_message(exc.reason)}) from exc


def reset_password(token: str, password: str) -> Member:
    """Set a new password with a reset token; the token and every session stop working."""
    with unit_of_work():
        member = check_reset_token(token)
        if problem := password_problem(password or "", member.username, member.email):
            raise Invalid({"password": problem})
        member.password_hash = hash_password(password)
        member.auth_version += 1
        if member.email_verified_at is None:
            # Following a link sent to the address proves the member reads it.
            member.email_verified_at = utcnow()
    return member


def _token_message(reason: str) -> str:
    if reason == "expired":
        return _("This link has expired. Ask for a new one.")
    return _("This link is not valid or has already been used.")


# --- settings ----------------------------------------------------------------------------


def _require_self_or_admin(actor: Member, member: Member) -> None:
    if actor.id != member.id and not actor.is_admin:
        raise PermissionDenied(_("You can only change your own profile."))


def update_profile(actor: Member, member: Member, display_name: str, bio: str) -> Member:
    """A member edits their own display name and bio (admins may edit anyone's)."""
    display_name = (display_name or "").strip()
    bio = (bio or "").strip()
    with unit_of_work():
        _require_self_or_admin(actor, member)
        # A bio is public text: a silenced member may not change it (staff still may).
        require_can_write(actor, "profile")
        member = db.session.get(Member, member.id)
        errors = {}
        if len(display_name) > DISPLAY_NAME_MAX:
            errors["display_name"] = _("At most %(n)d characters.", n=DISPLAY_NAME_MAX)
        if len(bio) > BIO_MAX:
            errors["bio"] = _("At most %(n)d characters (you wrote %(m)d).", n=BIO_MAX, m=len(bio))
        if errors:
            raise Invalid(errors)
        changed = tuple(
            name
            for name, value in (("display_name", display_name), ("bio", bio))
            if getattr(member, name) != value
        )
        member.display_name = display_name
        member.bio = bio
        if changed:
            emit(ProfileUpdated(member_id=member.id, fields=changed))
    return member


def change_email(actor: Member, new_email: str, current_password: str) -> Member:
    """A new email needs the current password and is unconfirmed until verified."""
    new_email = normalise_email(new_email)
    with unit_of_work():
        member = db.session.get(Member, actor.id)
        if not verify_password(member.password_hash, current_password or ""):
            raise Invalid({"current_password": _("Your current password is incorrect.")})
        if new_email == member.email:
            raise Invalid({"email": _("This is already your email address.")})
        if problem := _email_error(new_email, exclude_id=member.id):
            raise Invalid({"email": problem})
        member.email = new_email
        member.email_verified_at = None
        _queue_verification(member)
        emit(ProfileUpdated(member_id=member.id, fields=("email",)))
    return member


def change_password(actor: Member, current_password: str, new_password: str) -> Member:
    """Needs the current password; signs out every other session."""
    with unit_of_work():
        member = db.session.get(Member, actor.id)
        if not verify_password(member.password_hash, current_password or ""):
            raise Invalid({"current_password": _("Your current password is incorrect.")})
        if problem := password_problem(new_password or "", member.username, member.email):
            raise Invalid({"new_password": problem})
        member.password_hash = hash_password(new_password)
        member.auth_version += 1
        emit(ProfileUpdated(member_id=member.id, fields=("password",)))
    return member


def set_locale(actor: Member, locale: str | None) -> Member:
    """The member's interface language; None follows the browser."""
    from flask import current_app

    if locale is not None and locale not in current_app.config["LANGUAGES"]:
        raise Invalid({"locale": _("Choose a language from the list.")})
    with unit_of_work():
        member = db.session.get(Member, actor.id)
        if member.locale != locale:
            member.locale = locale
            emit(ProfileUpdated(member_id=member.id, fields=("locale",)))
    return member


# --- administration ----------------------------------------------------------------------


def change_role(actor: Member, member_id: int, role: str) -> Member:
    """Admins give roles; nobody removes the last admin."""
    with unit_of_work():
        if not actor.is_admin:
            raise PermissionDenied(_("Only administrators can change roles."))
        member = db.session.get(Member, member_id)
        if member is None:
            raise NotFound()
        if role not in ROLES:
            raise Invalid({"role": _("Choose a role from the list.")})
        if member.role == "admin" and role != "admin":
            admins = db.session.scalar(select(func.count()).where(Member.role == "admin"))
            if admins <= 1:
                raise Invalid({"role": _("The club needs at least one administrator.")})
        old = member.role
        if old != role:
            member.role = role
            emit(RoleChanged(member_id=member.id, actor_id=actor.id, old_role=old, new_role=role))
    return member


def create_admin(username: str, email: str, password: str) -> Member:
    """For `flask users create-admin`: a verified administrator account."""
    member = register(username, email, password)
    with unit_of_work():
        member = db.session.get(Member, member.id)
        member.role = "admin"
        member.email_verified_at = utcnow()
    return member
