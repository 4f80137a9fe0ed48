"""factory_boy factories bound to the test session (flush, never commit)."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.core.time import utcnow
from app.extensions import db
from app.members.models import Interest, Member

# Hashed once with the fast test parameters; every factory member's password is this.
PASSWORD = "correct horse battery"


def _password_hash() -> str:
    from app.members.passwords import hash_password

    return hash_password(PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class MemberFactory(BaseFactory):
    class Meta:
        model = Member

    username = factory.Sequence(lambda n: f"member{n}")
    username_lower = factory.LazyAttribute(lambda o: o.username.lower())
    email = factory.LazyAttribute(lambda o: f"{o.username.lower()}@example.com")
    password_hash = factory.LazyFunction(_password_hash)
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    bio = ""
    role = "member"
    tier = "bronze"
    points = 0
    locale = None
    auth_version = 1
    email_verified_at = factory.LazyFunction(utcnow)
    # An established member (moderation's trust level 1): not held, not limited as new.
    # Tests of new members' limits ask for trust_level=0.
    trust_level = 1


class InterestFactory(BaseFactory):
    class Meta:
        model = Interest

    kind = "theme"
    slug = factory.Sequence(lambda n: f"interest-{n}")
    name_en = factory.Sequence(lambda n: f"Interest {n}")
    name_fr = factory.Sequence(lambda n: f"Intérêt {n}")
    description_en = ""
    description_fr = ""
    position = factory.Sequence(lambda n: n)
    active = True
