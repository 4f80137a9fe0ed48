"""How the members area reacts to other areas' events.

Activity counters on the member record (topics, posts, likes received) are kept here from
community events, so the forums never import members' code.
"""

from __future__ import annotations

from app.core.events import EventBus


def register(bus: EventBus) -> None:
    from app.members import counters
    from app.members.engagement import subscribers as engagement

    counters.register(bus)
    engagement.register(bus)
