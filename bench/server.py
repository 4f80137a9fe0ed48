"""The benchmark's servers: Cercle and the baseline, both served by gunicorn as in production.

Each runs in its own process, `gunicorn --config gunicorn.conf.py` (the threaded worker
`make run` and docs/deploy.md use: one process, WEB_THREADS threads), on its own port,
on the same database (DATABASE_URL):

- Cercle (`bench.server:cercle()`): the real app, production settings (no debug, CSRF on,
  rate limits as configured), realtime on as in `make run` but no scheduler, plus one
  route that exists only here, `/_bench/empty`: an empty response that still pays every
  per-request hook of the app (session, login, locale, security headers, the SQLite gate)
  — Cercle's own overhead per request;
- the baseline (`bench.baseline_app:create()`): a minimal Flask app outside Cercle.

`python -m bench` starts both with `start()` and stops them with `stop()`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"
APPS = {"cercle": "bench.server:cercle()", "baseline": "bench.baseline_app:create()"}


def cercle() -> Flask:
    """The Cercle app as `make run` builds it (wsgi.py), plus the empty route."""
    from app import create_app

    app = create_app({"SCHEDULER_ENABLED": False})

    def empty() -> str:
        return ""

    app.add_url_rule("/_bench/empty", "bench_empty", empty)
    return app


def start(which: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    """gunicorn with the project's own config, serving `which` on 127.0.0.1:`port`."""
    server_env = dict(env, HOST="127.0.0.1", PORT=str(port), WEB_PROCESSES="1")
    server_env.pop("ACCESS_LOG", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-X",
            "faulthandler",
            "-m",
            "gunicorn",
            "--config",
            str(CONFIG),
            "--log-level",
            "warning",
            APPS[which],
        ],
        cwd=ROOT,
        env=server_env,
    )


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def threads() -> int:
    """The worker threads gunicorn.conf.py gives each process (WEB_THREADS)."""
    return int(os.environ.get("WEB_THREADS", "200"))
