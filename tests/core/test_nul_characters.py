"""NUL characters in a query string or a form never reach a view (PostgreSQL refuses them)."""

from __future__ import annotations

from flask import request


def test_query_and_form_fields_lose_their_nul_characters(app):
    with app.test_request_context("/x?q=a%00b&n=1", method="POST", data={"t\x00": "c\x00d"}):
        assert request.args["q"] == "ab"
        assert request.args["n"] == "1"
        assert request.form["t"] == "cd"


def test_a_request_without_nul_keeps_its_fields_as_sent(app):
    with app.test_request_context("/x?q=tent", method="POST", data={"t": "ok"}):
        assert request.args["q"] == "tent"
        assert request.form["t"] == "ok"


def test_search_and_profile_pages_answer_a_nul_in_the_address(client):
    # (No index is built in this test: the search page may answer 503, never 500.)
    assert client.get("/search?q=tent%00stove").status_code != 500
    assert client.get("/members/nobody%00x").status_code == 404
