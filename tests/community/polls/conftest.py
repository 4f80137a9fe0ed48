"""Poll fixtures: a product manager, members of each tier, and a poll factory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.community.polls import services
from app.core.time import utcnow
from tests.factories import MemberFactory


def poll_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title_en": "Which colour for the new Summit jacket?",
        "title_fr": "Quelle couleur pour la nouvelle veste Summit ?",
        "kind": "single",
        "options": [
            {"label_en": "Glacier blue", "label_fr": "Bleu glacier"},
            {"label_en": "Moss green", "label_fr": "Vert mousse"},
            {"label_en": "Ember orange", "label_fr": "Orange braise"},
        ],
        "results_visibility": "always",
        "outsiders": "read_only",
        "anonymous": "on",
        "weight_attribute": "tier",
    }
    data.update(overrides)
    return data


@pytest.fixture
def product(db):  # type: ignore[no-untyped-def]
    return MemberFactory(role="product", username="ines_product")


@pytest.fixture
def make_poll(product):  # type: ignore[no-untyped-def]
    def _make(**overrides: Any):  # type: ignore[no-untyped-def]
        return services.create_poll(product, poll_data(**overrides))

    return _make


@pytest.fixture
def members(db):  # type: ignore[no-untyped-def]
    """One member per tier, by tier name."""
    return {
        tier: MemberFactory(tier=tier, username=f"m_{tier}")
        for tier in ("bronze", "silver", "gold", "platinum")
    }


def past(minutes: int = 60) -> str:
    return (utcnow() - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def future(minutes: int = 60) -> str:
    return (utcnow() + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")
