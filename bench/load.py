"""A small HTTP load generator: keep-alive connections from a few threads, to 127.0.0.1 only.

Each run stops by itself: after `seconds`, or after `max_requests`, whichever comes first.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class Result:
    requests: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def add(self, other: Result) -> None:
        """Fold in another run of the same page (the bench's interleaved rounds)."""
        self.requests += other.requests
        self.errors += other.errors
        self.elapsed += other.elapsed
        self.latencies.extend(other.latencies)
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index] * 1000


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One GET on a fresh connection (for probes and warm-up checks)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def run(
    port: int,
    path: str,
    concurrency: int,
    seconds: float,
    max_requests: int,
    headers: dict[str, str] | list[dict[str, str]] | None = None,
) -> Result:
    """GET `path` from `concurrency` keep-alive connections until time or count runs out;
    with a list of headers, the requests take them in turn (several members' cookies)."""
    result = Result()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    sent = 0
    rotation = headers if isinstance(headers, list) else [headers or {}]

    def worker() -> None:
        nonlocal sent
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        while time.perf_counter() < deadline:
            with lock:
                if sent >= max_requests:
                    break
                sent += 1
                these = rotation[sent % len(rotation)]
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=these)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            for status, n in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    result.requests = len(result.latencies)
    return result


# --- serving helpers the bench modules share ----------------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    """Wait for a started server to answer /healthz; stop if its process has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the bench server exited with {process.returncode}")
        try:
            if fetch(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the bench server did not answer /healthz in time")


def login(port: int, email: str, password: str) -> dict[str, str] | None:
    """Log in through the real form (CSRF token included); the session cookie, or None."""
    import re
    import urllib.parse
    from http.cookies import SimpleCookie

    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/auth/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookies = SimpleCookie(response.getheader("Set-Cookie") or "")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page
        )
        if token is None:
            return None
        body = urllib.parse.urlencode(
            {"email": email, "password": password, "csrf_token": token.group(1)}
        )
        cookie = "; ".join(f"{k}={v.value}" for k, v in cookies.items())
        conn.request(
            "POST",
            "/auth/login",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = conn.getresponse()
        response.read()
        cookies.load(response.getheader("Set-Cookie") or "")
        if response.status not in (302, 303):
            return None
        # Follow the redirect as a browser does: the page it lands on shows (and so takes
        # out of the session cookie) the "Welcome back" message; the cookie it sets back is
        # the one the member's later requests carry.
        cookie = "; ".join(f"{k}={v.value}" for k, v in cookies.items())
        target = urllib.parse.urlsplit(response.getheader("Location") or "/")
        conn.request("GET", target.path or "/", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        cookies.load(response.getheader("Set-Cookie") or "")
        return {"Cookie": "; ".join(f"{k}={v.value}" for k, v in cookies.items())}
    finally:
        conn.close()
