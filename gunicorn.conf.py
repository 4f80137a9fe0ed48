"""Gunicorn settings for Cercle (`make run`, and the base of a production setup).

Flask-SocketIO with `async_mode="threading"` and simple-websocket is served by gunicorn's
threaded worker: one process, many threads (a websocket holds a thread for its life).
Several processes need sticky sessions in front and Redis (REDIS_URL) behind: see
docs/deploy.md. Every value can be overridden on the command line or by environment.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_PROCESSES", "1"))
# Each open websocket holds a thread: this is the number of live connections per process.
threads = int(os.environ.get("WEB_THREADS", "200"))
# The gthread worker stops accepting at `worker_connections` open connections (default
# 1,000, websockets included) and keeps `worker_connections - threads` idle keep-alive
# connections: always leave room above the threads, or the 1,001st tab is never accepted.
worker_connections = int(os.environ.get("WEB_CONNECTIONS", str(threads + 100)))
# A websocket is one long request: never kill a worker because of it.
timeout = 0
graceful_timeout = 20
keepalive = 5
# Beyond the default backlog (2,048) a burst of reconnecting tabs is refused by the kernel.
backlog = 4096
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
