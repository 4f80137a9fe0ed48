"""Periodic jobs: registered by the areas, run by APScheduler, per-process state written
at exit — a real server process stopped with SIGTERM keeps its buffered topic views."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.core.jobs import JobSpec, add_job, registered_jobs, run_due, run_job, start_embedded
from tests.conftest import scratch_database

ROOT = Path(__file__).resolve().parents[2]


def test_each_area_registers_its_jobs(app) -> None:  # type: ignore[no-untyped-def]
    jobs = {spec.name: spec for spec in registered_jobs(app)}
    assert {"drain_events", "deliver_mail", "flush_views"} <= set(jobs)
    assert jobs["flush_views"].per_process and jobs["flush_views"].on_exit is not None
    assert not jobs["drain_events"].per_process and jobs["drain_events"].wake_on_events


def test_a_job_name_is_registered_once(app) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="already registered"):
        add_job(app, "drain_events", lambda: None, 1)


def test_a_failing_job_is_logged_and_does_not_escape(app, caplog) -> None:  # type: ignore[no-untyped-def]
    def boom() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="app.core.jobs"):
        assert run_job(app, JobSpec("boom", boom, 1)) is None
    assert "job boom failed" in caplog.text


def test_run_due_runs_the_worker_jobs_not_the_per_process_ones(app, db) -> None:  # type: ignore[no-untyped-def]
    results = run_due(app)
    assert "drain_events" in results and "deliver_mail" in results
    assert "flush_views" not in results


def test_no_scheduler_thread_in_tests(app) -> None:  # type: ignore[no-untyped-def]
    app.config["SCHEDULER_ENABLED"] = True
    try:
        assert start_embedded(app) is None
    finally:
        app.config["SCHEDULER_ENABLED"] = False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, agent: str = "probe") -> int:
    request = urllib.request.Request(url, headers={"User-Agent": agent})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@pytest.mark.slow
def test_sigterm_keeps_the_buffered_topic_views(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = scratch_database(tmp_path, "sigterm")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "sigterm-test",
        "SCHEDULER_ENABLED": "1",
        "VIEW_FLUSH_SECONDS": "3600",  # nothing is written before the stop
        "PORT": str(port),
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "seed", "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    engine = create_engine(url)
    with engine.connect() as conn:
        topic_id, slug, before = conn.execute(
            text(
                "SELECT t.id, t.slug, t.view_count FROM topics t JOIN categories c"
                " ON c.id = t.category_id WHERE COALESCE(c.allowed_roles, '') = ''"
                " AND c.min_tier_rank = 0"
                " AND t.deleted_at IS NULL ORDER BY t.id LIMIT 1"
            )
        ).one()
    server = subprocess.Popen(
        [sys.executable, "wsgi.py"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if _get(f"{base}/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        viewers = 7
        for n in range(viewers):
            assert _get(f"{base}/t/{topic_id}-{slug}", agent=f"browser-{n}") == 200
        with engine.connect() as conn:
            buffered = conn.execute(
                text("SELECT view_count FROM topics WHERE id = :id"), {"id": topic_id}
            ).scalar_one()
        assert buffered == before  # only in the process's buffer so far

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, server.stderr.read().decode()[-2000:]
    with engine.connect() as conn:
        after = conn.execute(
            text("SELECT view_count FROM topics WHERE id = :id"), {"id": topic_id}
        ).scalar_one()
    engine.dispose()
    assert after == before + viewers
