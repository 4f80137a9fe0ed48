"""Realtime: one topic room with 200, 500 and 1,000 connected clients; time from a reply's
commit to its receipt at every client.

A scratch SQLite database and one gunicorn process (`gunicorn.conf.py`: the threaded
worker `make run` uses, no Redis) on loopback. The clients are raw Socket.IO-over-websocket
connections (websocket-client), a few hundred per bench process, each process reading its
sockets with one `select` loop: light enough that 1,000 clients do not starve the server
of the machine's two cores. For each size the bench posts `replies` replies through HTTP,
as a member would; the server's live push carries `ts`, taken right after the commit (the
push's rendering included), and each client notes when the push arrived (same machine,
same clock).

Figures: p50 and p95 of commit-to-receipt over every (reply, client), and messages
delivered per second (clients / time from commit to the last client's receipt, median
over the replies). Target: p95 under 250 ms for 500 clients.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
SIZES = (200, 500, 1000)
TARGET_P95_MS = 250
CLIENTS_PER_PROCESS = 250
SECRET = "bench-realtime-secret"


def _seed(url: str) -> tuple[int, str]:
    from flask_migrate import upgrade

    from app import create_app
    from app.community.forums import services as forums
    from app.community.forums.models import Category
    from app.extensions import db
    from app.members.models import Member

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "SCHEDULER_ENABLED": False}
    )
    with app.app_context():
        upgrade()
        member = Member(
            username="bench", username_lower="bench", email="bench@example.com",
            password_hash="x", display_name="Bench", role="member", tier="bronze",
        )  # fmt: skip
        category = Category(slug="bench", name_en="Bench", name_fr="Banc")
        db.session.add_all([member, category])
        db.session.commit()
        topic = forums.create_topic(member, category.id, "Bench topic", "Live replies land here.")
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": member.get_id(), "_fresh": True}
        )
        topic_id = topic.id
        db.session.remove()
        db.engine.dispose()
    return topic_id, cookie


def _client_process(port: int, topic_id: int, count: int, ready, stop, results) -> None:  # type: ignore[no-untyped-def]
    """`count` clients in one select loop: connect, join the topic, note every receipt."""
    import websocket

    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    sockets = []
    for _ in range(count):
        ws = websocket.create_connection(url, timeout=30)
        ws.recv()  # engine.io open
        ws.send("40")
        ws.recv()  # socket.io connect
        ws.send(f'420["join",{{"room":"topic:{topic_id}"}}]')
        sockets.append(ws)
    by_fd = {ws.sock.fileno(): ws for ws in sockets}
    joined = 0
    samples: list[tuple[int, float, float]] = []
    while not stop.is_set():
        readable, _, _ = select.select(list(by_fd), [], [], 0.2)
        for fd in readable:
            ws = by_fd[fd]
            message = ws.recv()
            now = time.time()
            if message == "2":
                ws.send("3")
            elif message.startswith("430"):
                joined += 1
                if joined == count:
                    ready.put(count)
            elif message.startswith('42["post_created"'):
                data = json.loads(message[2:])[1]
                samples.append((data["post_number"], data["ts"], now))
    results.put(samples)
    for ws in sockets:
        with contextlib.suppress(Exception):
            ws.close()


def _serve(url: str, port: int, threads: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "SCHEDULER_ENABLED": "0",
        "REPLY_RATE_LIMIT": "100000 per minute",
        "PORT": str(port),
        "WEB_THREADS": str(threads),
    }
    env.pop("REDIS_URL", None)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen(
        [gunicorn, "--config", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"),
    )  # fmt: skip


def _wait_up(base: str) -> None:
    import requests

    for _ in range(150):
        try:
            requests.get(base + "/healthz", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError("the bench server did not start")


def measure_size(clients: int, replies: int = 5) -> dict:
    import requests

    folder = Path(tempfile.mkdtemp(prefix="cercle-bench-rt-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    topic_id, cookie = _seed(url)
    port = load.free_port()
    server = _serve(url, port, clients + 50, folder / "server.log")
    base = f"http://127.0.0.1:{port}"
    ctx = multiprocessing.get_context("spawn")
    ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    processes = []
    samples: list[tuple[int, float, float]] = []
    try:
        _wait_up(base)
        left = clients
        while left:
            n = min(CLIENTS_PER_PROCESS, left)
            left -= n
            process = ctx.Process(
                target=_client_process, args=(port, topic_id, n, ready, stop, results), daemon=True
            )
            process.start()
            processes.append(process)
        connected = sum(ready.get(timeout=300) for _ in processes)
        http = requests.Session()
        http.cookies.set("session", cookie, domain="127.0.0.1")
        page = http.get(f"{base}/t/{topic_id}", timeout=30)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
        for i in range(replies):
            http.post(
                f"{base}/t/{topic_id}/reply",
                data={"csrf_token": token, "body": f"Bench reply number {i} for everyone."},
                timeout=30,
                allow_redirects=False,
            )
            time.sleep(1.0)
        time.sleep(2.0)
        stop.set()
        for _ in processes:
            samples.extend(results.get(timeout=60))
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    latencies = [(received - ts) * 1000 for _n, ts, received in samples]
    per_reply: dict[int, list[tuple[float, float]]] = {}
    for number, ts, received in samples:
        per_reply.setdefault(number, []).append((ts, received))
    rates = [len(v) / max(max(r for _t, r in v) - v[0][0], 1e-6) for v in per_reply.values()]
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "clients": clients,
        "connected": connected,
        "replies": replies,
        "delivered": len(samples),
        "expected": connected * replies,
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": quantiles[94],
        "max_ms": max(latencies) if latencies else float("nan"),
        "per_second": statistics.median(rates) if rates else 0.0,
    }


def measure(sizes: tuple[int, ...] = SIZES, replies: int = 5) -> dict:
    return {"runs": [measure_size(n, replies) for n in sizes]}


def lines(result: dict) -> list[str]:
    out = [
        "### Realtime: one topic room, one gunicorn process (threaded worker), SQLite",
        "",
        "| clients | replies | delivered | commit → receipt p50 | p95 | max | messages/s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in result["runs"]:
        out.append(
            f"| {run['clients']:,} | {run['replies']} | {run['delivered']:,}/{run['expected']:,}"
            f" | {run['p50_ms']:.0f} ms | {run['p95_ms']:.0f} ms | {run['max_ms']:.0f} ms"
            f" | {run['per_second']:,.0f} |"
        )
    five = next((r for r in result["runs"] if r["clients"] == 500), None)
    if five:
        met = "met" if five["p95_ms"] < TARGET_P95_MS else "NOT met"
        out += ["", f"Target p95 < {TARGET_P95_MS} ms for 500 clients: {met}."]
    return out


if __name__ == "__main__":  # python -m bench.realtime [sizes...]
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    print("\n".join(lines(measure(sizes))))
