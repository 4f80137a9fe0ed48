"""Domain events of the members area (payloads documented in docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class MemberRegistered(DomainEvent):
    member_id: int
    username: str
    locale: str | None


@dataclass(frozen=True)
class MemberLoggedIn(DomainEvent):
    member_id: int
    remember: bool


@dataclass(frozen=True)
class MemberVerified(DomainEvent):
    member_id: int


@dataclass(frozen=True)
class ProfileUpdated(DomainEvent):
    member_id: int
    fields: tuple[str, ...]


@dataclass(frozen=True)
class InterestsChanged(DomainEvent):
    member_id: int
    added: tuple[int, ...]
    removed: tuple[int, ...]


@dataclass(frozen=True)
class RoleChanged(DomainEvent):
    member_id: int
    actor_id: int
    old_role: str
    new_role: str


@dataclass(frozen=True)
class TierChanged(DomainEvent):
    """A member's loyalty tier changed (up or down), from their rolling 12-month points."""

    member_id: int
    old_tier: str
    new_tier: str
    points: int
