"""'N reading now' per topic: distinct viewers (a member's tabs count once).

In one process a dictionary is enough; with REDIS_URL every process shares a Redis hash
per topic (field: the viewer, value: how many of their sockets are in the room), so a
count is the same whichever process a client reached. A process that dies leaves its
counts behind until the hash expires (an hour after the last change): presence is a hint,
never a number anything else relies on.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict

EXPIRE_SECONDS = 3600


class LocalPresence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._topics: dict[int, Counter[str]] = defaultdict(Counter)

    def enter(self, topic_id: int, viewer: str) -> int:
        with self._lock:
            self._topics[topic_id][viewer] += 1
            return len(self._topics[topic_id])

    def leave(self, topic_id: int, viewer: str) -> int:
        with self._lock:
            viewers = self._topics[topic_id]
            viewers[viewer] -= 1
            if viewers[viewer] <= 0:
                del viewers[viewer]
            count = len(viewers)
            if not viewers:
                del self._topics[topic_id]
            return count


class RedisPresence:
    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def _key(self, topic_id: int) -> str:
        return f"cercle:presence:topic:{topic_id}"

    def enter(self, topic_id: int, viewer: str) -> int:
        key = self._key(topic_id)
        pipe = self._redis.pipeline()
        pipe.hincrby(key, viewer, 1)
        pipe.expire(key, EXPIRE_SECONDS)
        pipe.hlen(key)
        return int(pipe.execute()[-1])

    def leave(self, topic_id: int, viewer: str) -> int:
        key = self._key(topic_id)
        if self._redis.hincrby(key, viewer, -1) <= 0:
            self._redis.hdel(key, viewer)
        return int(self._redis.hlen(key))


def make_presence(redis_url: str | None) -> LocalPresence | RedisPresence:
    return RedisPresence(redis_url) if redis_url else LocalPresence()
