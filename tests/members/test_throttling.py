"""Throttling of log-in, registration and reset (the limiter is reset before each test)."""

from __future__ import annotations

from tests.factories import MemberFactory
from tests.html import parse


def statuses(client, path: str, times: int, data_for=lambda i: {}, address="192.0.2.1"):  # type: ignore[no-untyped-def]
    return [
        client.post(path, data=data_for(i), environ_base={"REMOTE_ADDR": address}).status_code
        for i in range(times)
    ]


def assert_throttled_after_some(codes: list[int], allowed: int) -> None:
    """The first attempts get an answer, the later ones only 429, and 429 never lets go."""
    assert 429 not in codes[:1]
    first = codes.index(429)
    assert all(code != 429 for code in codes[:first])
    assert set(codes[first:]) == {429}
    assert first <= allowed


def test_repeated_wrong_passwords_are_throttled(client) -> None:
    member = MemberFactory()
    codes = statuses(
        client, "/auth/login", 20, lambda i: {"email": member.email, "password": f"wrong {i}"}
    )
    assert codes[0] == 400
    assert_throttled_after_some(codes, allowed=10)


def test_throttled_login_refuses_even_the_right_password(client) -> None:
    from tests.factories import PASSWORD

    member = MemberFactory()
    codes = statuses(
        client, "/auth/login", 20, lambda i: {"email": member.email, "password": "wrong"}
    )
    assert codes[0] == 400
    response = client.post(
        "/auth/login",
        data={"email": member.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.1"},
    )
    assert response.status_code == 429


def test_guessing_one_account_from_many_addresses_is_throttled(client) -> None:
    member = MemberFactory()
    codes = [
        client.post(
            "/auth/login",
            data={"email": member.email, "password": f"wrong {i}"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"},
        ).status_code
        for i in range(30)
    ]
    assert_throttled_after_some(codes, allowed=20)


def test_throttled_page_explains_it_in_the_sites_look(client) -> None:
    codes = statuses(client, "/auth/login", 20, lambda i: {"email": "a@example.com"})
    assert codes[-1] == 429
    response = client.post("/auth/login", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert response.status_code == 429
    doc = parse(response.data)
    assert doc.find("header", class_="site-header")
    assert "Too many attempts" in doc.text


def test_another_address_is_not_throttled_by_someone_elses_attempts(client) -> None:
    codes = statuses(client, "/auth/login", 20, lambda i: {"email": f"x{i}@example.com"})
    assert codes[-1] == 429
    assert statuses(client, "/auth/login", 1, address="203.0.113.9") == [400]


def test_viewing_the_login_page_is_never_throttled(client) -> None:
    codes = statuses(client, "/auth/login", 20, lambda i: {"email": f"x{i}@example.com"})
    assert codes[-1] == 429
    response = client.get("/auth/login", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert response.status_code == 200


def test_registrations_are_throttled(client) -> None:
    codes = statuses(client, "/auth/register", 15, lambda i: {"username": f"bot{i}"})
    assert_throttled_after_some(codes, allowed=10)


def test_reset_requests_are_throttled(client) -> None:
    codes = statuses(client, "/auth/reset", 10, lambda i: {"email": f"victim{i}@example.com"})
    assert_throttled_after_some(codes, allowed=5)


def test_reset_link_posts_are_throttled(client) -> None:
    codes = statuses(client, "/auth/reset/not-a-token", 10, lambda i: {"password": "x"})
    assert_throttled_after_some(codes, allowed=5)
