"""The benchmark's server: the Cercle app plus two bare pages, behind waitress.

Run by `python -m bench` as `python -m bench.server PORT` with DATABASE_URL set (and
BENCH_THREADS, the waitress threads: 1 unless `--threads` says otherwise). The bare
pages exist only here. Both read the first 20 posts of a topic in one SELECT and render
them with a tiny Jinja template, in the same process, on the same database:

- /_bench/bare/<topic id>: a route added to the Cercle app, so it pays the app's
  per-request hooks (session, login, locale, security headers) but no layout or ORM;
- /_bench/plain/<topic id>: a separate plain Flask app mounted beside it: Flask, the
  driver and Jinja at the least.
"""

from __future__ import annotations

import logging
import os
import sys

from flask import Flask, render_template_string
from sqlalchemy import create_engine, select
from werkzeug.middleware.dispatcher import DispatcherMiddleware

# One by default, as `python -m bench --threads`: on SQLite with CPython < 3.12 a threaded
# process crashes (docs/performance.md). The Cercle app serialises its own requests there,
# but the plain yardstick below is not behind that gate.
THREADS = int(os.environ.get("BENCH_THREADS", "1"))

BARE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare</title></head><body><main>
{% for row in rows %}<article id="p{{ row.post_number }}"><h2>{{ row.username }}</h2>
<time>{{ row.created_at }}</time><div>{{ row.body_html|safe }}</div></article>
{% endfor %}</main></body></html>"""


def _first_posts(topic_id: int):  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post
    from app.members.models import Member

    return (
        select(Post.post_number, Post.body_html, Post.created_at, Member.username)
        .join(Member, Member.id == Post.author_id)
        .where(Post.topic_id == topic_id)
        .order_by(Post.post_number)
        .limit(20)
    )


def add_bare_route(app: Flask) -> None:
    """/_bench/bare/<topic id> on the Cercle app itself: its hooks, one SELECT, 20 rows."""
    from app.extensions import db

    def bare(topic_id: int) -> str:
        rows = db.session.execute(_first_posts(topic_id)).all()
        return render_template_string(BARE_TEMPLATE, rows=rows)

    app.add_url_rule("/_bench/bare/<int:topic_id>", "bench_bare", bare)


def plain_app(database_url: str) -> Flask:
    """A plain Flask app: one SELECT, a 20-row Jinja loop; nothing else."""
    engine = create_engine(database_url, pool_size=THREADS + 2)
    plain = Flask("plain")

    @plain.get("/<int:topic_id>")
    def page(topic_id: int) -> str:
        with engine.connect() as conn:
            rows = conn.execute(_first_posts(topic_id)).all()
        return render_template_string(BARE_TEMPLATE, rows=rows)

    return plain


def main() -> None:
    from waitress import serve

    from app import create_app

    port = int(sys.argv[1])
    logging.basicConfig(level=logging.WARNING)
    app = create_app({"SCHEDULER_ENABLED": False})
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    add_bare_route(app)
    app.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, {"/_bench/plain": plain_app(url).wsgi_app}
    )
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    serve(app, listen=f"127.0.0.1:{port}", threads=THREADS, _quiet=True)


if __name__ == "__main__":
    main()
