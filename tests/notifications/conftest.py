from __future__ import annotations

import pytest

from tests.community.factories import CategoryFactory
from tests.factories import MemberFactory


@pytest.fixture
def category():  # type: ignore[no-untyped-def]
    return CategoryFactory()


@pytest.fixture
def staff_category():  # type: ignore[no-untyped-def]
    return CategoryFactory(allowed_roles="moderator,admin")


@pytest.fixture
def ana():  # type: ignore[no-untyped-def]
    return MemberFactory(username="ana")


@pytest.fixture
def bob():  # type: ignore[no-untyped-def]
    return MemberFactory(username="bob")
