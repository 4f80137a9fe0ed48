"""Password hashing (Argon2id) and the strength rules shown to members."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 256
# The most common passwords of breach corpora that pass the length rule.
COMMON = frozenset(
    [
        "1234567890",
        "12345678910",
        "0123456789",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "password12",
        "password123",
        "password1234",
        "iloveyou12",
        "abcdefghij",
        "aaaaaaaaaa",
        "qwerty1234",
        "qwertyuiop1",
        "motdepasse",
        "motdepasse1",
        "azertyuiop",
        "azerty1234",
        "123456789a",
        "a123456789",
        "football12",
        "1234qwerty",
        "passw0rd12",
        "welcome123",
        "letmein123",
        "administrator",
        "changeme123",
        "sunshine12",
    ]
)


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> PasswordHasher:
    # Tests use cheap parameters; production keeps argon2-cffi's RFC 9106 defaults.
    return (
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    )


def hasher() -> PasswordHasher:
    return _hasher(bool(current_app.config.get("FAST_PASSWORD_HASH")))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def password_problem(password: str, username: str = "", email: str = "") -> str | None:
    """The first strength rule the password breaks, as a message; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if len(set(lowered)) < 4:
        return str(_l("Use more than a few different characters."))
    if lowered in COMMON:
        return str(_l("This password is too common; choose another."))
    for part in (username, email.split("@")[0] if email else ""):
        if part and len(part) >= 3 and part.lower() in lowered:
            return str(_l("Your password must not contain your username or email."))
    return None
