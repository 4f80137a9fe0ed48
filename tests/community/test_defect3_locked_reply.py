"""Defect 3: a locked topic's reply page showed a working form to members who cannot reply.
Members now see the lock notice only; staff still get the form."""

from __future__ import annotations

import pytest

from app.community.forums import services


@pytest.fixture
def locked(member, other, moderator, category):  # type: ignore[no-untyped-def]
    topic = services.create_topic(member, category.id, "Pegs for sandy ground", "Which pegs?")
    services.reply(other, topic.id, "The long V-shaped ones.")
    services.set_locked(moderator, topic.id, True, "Solved in post 2.")
    return topic


def test_member_sees_only_the_lock_notice_on_the_reply_page(client, login_as, locked):  # type: ignore[no-untyped-def]
    login_as("member")
    response = client.get(f"/t/{locked.id}/reply")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Solved in post 2." in html
    assert "<textarea" not in html
    assert f'action="/t/{locked.id}/reply"' not in html
    assert "Post reply" not in html


def test_member_quoting_in_a_locked_topic_gets_no_form_either(client, login_as, locked):  # type: ignore[no-untyped-def]
    login_as("member")
    html = client.get(f"/t/{locked.id}/reply?quote=1").get_data(as_text=True)
    assert "<textarea" not in html


def test_a_refused_reply_keeps_the_members_text_outside_any_form(client, login_as, locked):  # type: ignore[no-untyped-def]
    login_as("member")
    response = client.post(f"/t/{locked.id}/reply", data={"body": "But wait, there is more"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "But wait, there is more" in html
    assert "<textarea" not in html


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_still_get_the_form_on_a_locked_topic(client, login_as, locked, role):  # type: ignore[no-untyped-def]
    login_as(role)
    html = client.get(f"/t/{locked.id}/reply").get_data(as_text=True)
    assert "<textarea" in html
    assert "as a member of the team you can still reply" in html


def test_the_lock_notice_is_in_french_for_a_french_member(client, login_as, locked):  # type: ignore[no-untyped-def]
    login_as("member", locale="fr")
    html = client.get(f"/t/{locked.id}/reply").get_data(as_text=True)
    assert "verrouillé" in html
    assert "<textarea" not in html
