"""Huge or malformed ids and positions are a 404 or a field error, never a server error."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

HUGE = "99999999999999999999"


def assert_route_exists(app: Flask, path: str, method: str = "GET") -> None:
    """The path with an ordinary id matches a route, so the 404 is the id's doing."""
    try:
        app.url_map.bind("club.test").match(path.replace(HUGE, "1"), method=method)
    except NotFound:
        pytest.fail(f"no route serves {path.replace(HUGE, '1')}: the 404 proves nothing")


@pytest.mark.parametrize(
    "path",
    [
        f"/t/{HUGE}",
        f"/t/{HUGE}-slug",
        f"/posts/{HUGE}/history",
        f"/admin/outbox/{HUGE}",
        f"/admin/taxonomy/{HUGE}",
    ],
)
def test_a_huge_id_in_a_url_is_not_found(app, client, login_as, path):  # type: ignore[no-untyped-def]
    assert_route_exists(app, path)
    login_as("admin")
    assert client.get(path).status_code == 404


def test_a_huge_like_target_is_not_found(app, client, login_as):  # type: ignore[no-untyped-def]
    assert_route_exists(app, f"/posts/{HUGE}/like", method="POST")
    login_as("member")
    assert client.post(f"/posts/{HUGE}/like").status_code == 404


def test_a_huge_interest_id_is_refused_with_a_message(client, login_as):  # type: ignore[no-untyped-def]
    login_as("member")
    response = client.post("/settings/interests", data={"interests": HUGE})
    assert response.status_code == 400
    assert "no longer exist" in response.get_data(as_text=True)


def test_a_huge_taxonomy_position_is_a_field_error(client, login_as, db):  # type: ignore[no-untyped-def]
    from app.members.models import Interest

    login_as("admin")
    response = client.post(
        "/admin/taxonomy",
        data={"kind": "theme", "slug": "big-one", "name_en": "Big", "name_fr": "Grand",
              "position": "5000000000", "active": "y"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "between -1,000,000 and 1,000,000" in response.get_data(as_text=True)
    assert db.session.query(Interest).filter_by(slug="big-one").count() == 0
