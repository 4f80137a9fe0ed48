"""Realtime: Socket.IO connections, rooms and the live pushes of domain events.

- `sockets`: connection auth (the Flask-Login session), joining rooms under the forums'
  readability rule, the member's read position, presence;
- `publisher`: the one way to send to a room (through Redis when REDIS_URL is set, so
  every server process's clients receive it);
- `subscribers`: ephemeral subscribers of domain events, run after commit;
- `presence`: "N reading now", in-process or in Redis.
"""
