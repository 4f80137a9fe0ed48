def seed_forums() -> dict:
    return {}


def seed_load(scale: int) -> None:
    return None
