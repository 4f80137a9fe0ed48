"""Domain events of the single customer view (payloads documented in docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class LifecycleChanged(DomainEvent):
    """A member's lifecycle stage changed (new, active, advocate, reactivated, at-risk...)."""

    member_id: int
    old_stage: str | None
    new_stage: str


@dataclass(frozen=True)
class MemberErased(DomainEvent):
    """A member erased their account: areas holding personal data about them scrub it."""

    member_id: int
