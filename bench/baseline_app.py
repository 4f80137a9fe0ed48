"""The honest baseline: a minimal Flask app, not Cercle, reading what the topic page reads.

`make bench` serves it exactly as it serves Cercle: gunicorn with `gunicorn.conf.py` (the
threaded worker `make run` and docs/deploy.md use), one process, the same database. Two
routes:

- `/t/<topic id>?page=N`: the same 20 posts as Cercle's topic page (post numbers
  ((N-1)*20, N*20]) with their authors, in one SELECT over a pooled connection, rendered
  by a small Jinja template (author, date, the stored HTML). No ORM, no session, no login,
  no translations, no layout: what any Flask app showing those rows must at least pay.
- `/empty`: an empty response, the floor of Flask under gunicorn.

On SQLite with CPython < 3.12 Cercle serves one request at a time per process (see
docs/performance.md, "Known problem"); this app does the same there, so that both are
served the same way. `gunicorn --config gunicorn.conf.py 'bench.baseline_app:create()'`.
"""

from __future__ import annotations

import os
import sys
import threading

from flask import Flask, abort, request
from sqlalchemy import create_engine, text

POSTS_PER_PAGE = 20

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Topic {{ topic_id }}</title></head>
<body><main><h1>Topic {{ topic_id }}, page {{ page }}</h1>
{% for row in rows %}<article id="post-{{ row.post_number }}">
<header><a href="/members/{{ row.username }}">{{ row.display_name or row.username }}</a>
<time datetime="{{ row.created_at }}">{{ row.created_at }}</time></header>
<div class="post-body">{{ row.body_html|safe }}</div></article>
{% endfor %}</main></body></html>"""

QUERY = text(
    "SELECT p.post_number, p.body_html, p.created_at, m.username, m.display_name"
    " FROM posts p JOIN members m ON m.id = p.author_id"
    " WHERE p.topic_id = :topic_id AND p.post_number > :after AND p.post_number <= :last"
    " ORDER BY p.post_number"
)


def create(database_url: str | None = None) -> Flask:
    url = database_url or os.environ["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_size=8, pool_pre_ping=False)
    app = Flask("baseline")
    template = app.jinja_env.from_string(TEMPLATE)

    if url.startswith("sqlite") and sys.version_info < (3, 12):
        lock = threading.Lock()

        @app.before_request
        def _one_at_a_time() -> None:
            lock.acquire()

        @app.teardown_request
        def _release(_exc: BaseException | None) -> None:
            lock.release()

    @app.get("/t/<int:topic_id>")
    def topic(topic_id: int) -> str:
        page = request.args.get("page", 1, type=int)
        if page < 1:
            abort(404)
        after = (page - 1) * POSTS_PER_PAGE
        with engine.connect() as conn:
            rows = conn.execute(
                QUERY, {"topic_id": topic_id, "after": after, "last": after + POSTS_PER_PAGE}
            ).all()
        if not rows:
            abort(404)
        return template.render(rows=rows, topic_id=topic_id, page=page)

    @app.get("/empty")
    def empty() -> str:
        return ""

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app


if __name__ == "__main__":  # quick look: python -m bench.baseline_app
    create().run(port=int(os.environ.get("PORT", "5001")))
