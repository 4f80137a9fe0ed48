"""The health probe and the error pages."""

from __future__ import annotations

from sqlalchemy.orm import scoped_session

from tests.html import parse


def test_healthz_reports_the_database_ok(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["database_backend"] in {"sqlite", "postgresql"}


def test_healthz_answers_503_when_the_database_fails(client, db, monkeypatch) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(scoped_session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "error"


def test_unknown_page_is_404_in_the_sites_look(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    doc = parse(response.data)
    assert doc.find("header", class_="site-header")
    assert doc.find("footer", class_="site-footer")
    assert "We could not find this page" in doc.text
    assert doc.find("a", href="/")


def test_unknown_member_is_404(client) -> None:
    response = client.get("/members/nobody-here")
    assert response.status_code == 404
    assert "We could not find this page" in parse(response.data).text


def test_forbidden_page_is_403_in_the_sites_look(client, login_as) -> None:
    login_as("member")
    response = client.get("/admin/")
    assert response.status_code == 403
    doc = parse(response.data)
    assert doc.find("header", class_="site-header")
    assert "You do not have access to this page" in doc.text


def test_error_page_is_translated(client) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert parse(response.data).find("html")[0].attrs["lang"] == "fr"


JSON = {"Accept": "application/json"}


def test_json_clients_get_problem_details(client) -> None:
    response = client.get("/no-such-page", headers=JSON)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "We could not find this page",
    }


def test_problem_detail_follows_the_language_and_the_title_does_not(client) -> None:
    response = client.get("/no-such-page", headers={**JSON, "Accept-Language": "fr"})
    assert response.status_code == 404
    body = response.get_json()
    assert body["title"] == "Not Found"
    assert body["detail"] == "Nous n’avons pas trouvé cette page"


def test_forbidden_json_error_has_its_title(client, login_as) -> None:
    login_as("member")
    response = client.get("/admin/", headers=JSON)
    assert response.status_code == 403
    body = response.get_json()
    assert (body["type"], body["title"], body["status"]) == ("about:blank", "Forbidden", 403)
    assert body["detail"]


def test_missing_csrf_token_json_error_says_so(client, csrf_enabled) -> None:
    response = client.post("/auth/login", data={"email": "a@example.com"}, headers=JSON)
    assert response.status_code == 400
    body = response.get_json()
    assert (body["title"], body["status"]) == ("Bad Request", 400)
    assert body["detail"] == "This form has expired"


def test_throttled_json_error_has_its_title(client) -> None:
    codes = [client.post("/auth/reset", data={}, headers=JSON).status_code for _ in range(10)]
    assert codes[-1] == 429
    body = client.post("/auth/reset", data={}, headers=JSON).get_json()
    assert (body["type"], body["title"], body["status"]) == (
        "about:blank",
        "Too Many Requests",
        429,
    )


def test_wrong_method_json_error_names_the_allowed_methods(client) -> None:
    response = client.get("/auth/logout", headers=JSON)
    assert response.status_code == 405
    assert response.get_json()["title"] == "Method Not Allowed"
    assert response.headers["Allow"] == "OPTIONS, POST"


def test_wrong_method_is_an_error_page_not_a_crash(client) -> None:
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert parse(response.data).find("header", class_="site-header")
    assert "POST" in response.headers["Allow"]


def test_server_error_json_has_its_title(app, client, monkeypatch) -> None:
    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "core.healthz", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/healthz", headers=JSON)
    assert response.status_code == 500
    assert response.get_json()["title"] == "Internal Server Error"


def test_malformed_page_number_is_404(client, login_as) -> None:
    login_as("admin")
    assert client.get("/admin/members?page=1").status_code == 200
    assert client.get("/admin/members?page=abc").status_code == 404
    assert client.get("/admin/members?page=-1").status_code == 404
