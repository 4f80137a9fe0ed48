"""The community area's reactions to events (its own and others')."""

from app.core.events import EventBus


def register(bus: EventBus) -> None:
    from app.community.forums.events import PostDeleted
    from app.community.forums.services.solutions import forget_deleted_solution

    # In the deleting transaction: a deleted reply is never left as a topic's solution.
    bus.subscribe_in_transaction(PostDeleted, forget_deleted_solution)
