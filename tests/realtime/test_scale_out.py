"""Scale-out: two gunicorn processes share the database and Redis (the Socket.IO message
queue); a client connected to one receives a reply posted through the other.

Needs Redis on 127.0.0.1:6379 (REDIS_TEST_URL overrides): skipped without it, except in
CI, where `.ci/run` starts one and a missing Redis fails the test.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import make_test_app, scratch_database

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")

pytestmark = pytest.mark.slow


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(url: str, port: int, tmp_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "scale-out-test-secret",
        "SCHEDULER_ENABLED": "0",
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "REPLY_RATE_LIMIT": "1000 per minute",
        "PORT": str(port),
        "WEB_THREADS": "20",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen(
        [gunicorn, "--config", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / f"server-{port}.log", "wb"),
    )


def _wait_until_up(base: str, process: subprocess.Popen, timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server {base} exited with {process.returncode}")
        try:
            if requests.get(base + "/healthz", timeout=1).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"server {base} did not start")


def _seed_in_process(url: str) -> tuple[int, str]:
    """Seed in a process of its own: here the `db` fixture holds the test's transaction."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_seed, args=(url, queue))
    process.start()
    result = queue.get(timeout=60)
    process.join(timeout=10)
    return result


def _seed(url: str, queue) -> None:  # type: ignore[no-untyped-def]
    """A member and a public topic, really committed: (topic id, session cookie)."""
    from app.community.forums import services as forums
    from app.extensions import db
    from tests.community.factories import CategoryFactory
    from tests.factories import MemberFactory

    app = make_test_app(url, SECRET_KEY="scale-out-test-secret")
    with app.app_context():
        member = MemberFactory(username="relay")
        category = CategoryFactory()
        db.session.commit()
        topic = forums.create_topic(member, category.id, "Relayed topic", "First post here.")
        serializer = app.session_interface.get_signing_serializer(app)
        cookie = serializer.dumps({"_user_id": member.get_id(), "_fresh": True})
        topic_id = topic.id
        db.session.remove()
        db.engine.dispose()
    queue.put((topic_id, cookie))


def test_a_reply_posted_through_one_process_reaches_a_client_of_the_other(tmp_path):
    if not _redis_answers():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("Redis does not answer on " + REDIS_URL)
        pytest.skip("Redis does not answer on " + REDIS_URL)
    import requests
    import socketio

    url = scratch_database(tmp_path, "relay")
    topic_id, cookie = _seed_in_process(url)
    ports = (_free_port(), _free_port())
    servers = [_serve(url, port, tmp_path) for port in ports]
    client = socketio.Client(reconnection=False)
    try:
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        for base, process in zip((a, b), servers, strict=True):
            _wait_until_up(base, process)
        received: list[dict] = []
        arrived = threading.Event()

        @client.on("post_created")
        def _on_post(data):  # type: ignore[no-untyped-def]
            received.append(data)
            arrived.set()

        client.connect(a, transports=["websocket"], wait_timeout=10)
        assert client.call("join", {"room": f"topic:{topic_id}"}, timeout=10)["ok"] is True

        http = requests.Session()
        http.cookies.set("session", cookie, domain="127.0.0.1")
        page = http.get(f"{b}/t/{topic_id}", timeout=10)
        assert page.status_code == 200
        token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
        started = time.monotonic()
        answer = http.post(
            f"{b}/t/{topic_id}/reply",
            data={"csrf_token": token, "body": "Relayed through Redis, hello!"},
            timeout=10,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[:500]
        assert arrived.wait(5), "the reply never reached the other process's client"
        assert time.monotonic() - started < 5
        [push] = received
        assert push["topic_id"] == topic_id and push["post_number"] == 2
        assert "Relayed through Redis, hello!" in push["html"]
    finally:
        if client.connected:
            client.disconnect()
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
