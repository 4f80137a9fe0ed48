from app.core.events import EventBus


def register(bus: EventBus) -> None:
    return None
