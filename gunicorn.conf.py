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
# A websocket is one long request: never kill a worker because of it.
timeout = 0
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
