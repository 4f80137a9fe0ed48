"""Interests: members choose active taxonomy entries; admins manage the taxonomy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import Invalid, PermissionDenied
from app.members import taxonomy
from app.members.events import InterestsChanged
from app.members.models import Interest
from tests.factories import InterestFactory, MemberFactory


def test_member_sets_interests(db) -> None:
    member = MemberFactory()
    a, b = InterestFactory(), InterestFactory()
    taxonomy.set_interests(member, [a.id, b.id])
    assert taxonomy.member_interest_ids(member.id) == {a.id, b.id}


def test_changing_interests_announces_what_was_added_and_removed(db, published) -> None:
    member = MemberFactory()
    a, b, c = InterestFactory(), InterestFactory(), InterestFactory()
    taxonomy.set_interests(member, [a.id, b.id])
    published.clear()
    taxonomy.set_interests(member, [b.id, c.id])
    assert published == [InterestsChanged(member_id=member.id, added=(c.id,), removed=(a.id,))]
    assert taxonomy.member_interest_ids(member.id) == {b.id, c.id}


def test_same_interests_again_announce_nothing(db, published) -> None:
    member = MemberFactory()
    a = InterestFactory()
    taxonomy.set_interests(member, [a.id])
    assert published == [InterestsChanged(member_id=member.id, added=(a.id,), removed=())]
    published.clear()
    taxonomy.set_interests(member, [a.id])
    assert published == []
    assert taxonomy.member_interest_ids(member.id) == {a.id}


def test_unknown_interest_is_refused_and_nothing_changes(db) -> None:
    member = MemberFactory()
    a = InterestFactory()
    taxonomy.set_interests(member, [a.id])
    with pytest.raises(Invalid) as info:
        taxonomy.set_interests(member, [a.id, 987654])
    assert "interests" in info.value.errors
    assert taxonomy.member_interest_ids(member.id) == {a.id}


def test_inactive_interest_is_refused(db) -> None:
    member = MemberFactory()
    hidden = InterestFactory(active=False)
    with pytest.raises(Invalid):
        taxonomy.set_interests(member, [hidden.id])
    assert taxonomy.member_interest_ids(member.id) == set()


def test_more_than_the_maximum_of_interests_is_refused(db) -> None:
    member = MemberFactory()
    ids = [InterestFactory().id for _ in range(taxonomy.MAX_INTERESTS + 1)]
    with pytest.raises(Invalid):
        taxonomy.set_interests(member, ids)


def test_inactive_interests_are_not_offered(db) -> None:
    shown, hidden = InterestFactory(), InterestFactory(active=False)
    offered = {i.id for i in taxonomy.list_interests()}
    assert shown.id in offered
    assert hidden.id not in offered
    assert hidden.id in {i.id for i in taxonomy.list_interests(include_inactive=True)}


NEW_ENTRY = {"kind": "theme", "slug": "bouldering", "name_en": "Bouldering", "name_fr": "Bloc"}


def test_admin_adds_a_taxonomy_entry(db) -> None:
    interest = taxonomy.save_interest(MemberFactory(role="admin"), NEW_ENTRY)
    stored = db.session.scalar(select(Interest).where(Interest.slug == "bouldering"))
    assert stored.id == interest.id
    assert stored.name("fr") == "Bloc"


@pytest.mark.parametrize("role", ["member", "moderator", "product"])
def test_only_admins_manage_the_taxonomy(db, role: str) -> None:
    with pytest.raises(PermissionDenied):
        taxonomy.save_interest(MemberFactory(role=role), NEW_ENTRY)
    assert db.session.scalar(select(Interest).where(Interest.slug == "bouldering")) is None


def test_taxonomy_slug_is_unique(db) -> None:
    InterestFactory(slug="bouldering")
    with pytest.raises(Invalid) as info:
        taxonomy.save_interest(MemberFactory(role="admin"), NEW_ENTRY)
    assert info.value.errors == {"slug": "Another interest already uses this slug."}


def test_taxonomy_entry_needs_both_names_and_a_clean_slug(db) -> None:
    with pytest.raises(Invalid) as info:
        taxonomy.save_interest(
            MemberFactory(role="admin"),
            {"kind": "other", "slug": "Not A Slug", "name_en": "", "name_fr": ""},
        )
    assert set(info.value.errors) == {"kind", "slug", "name_en", "name_fr"}
