"""Webhooks (signed, retried with backoff, logged) and the integration admin pages."""

from __future__ import annotations

import hashlib
import hmac
import json

from sqlalchemy import select

from app.api import webhooks
from app.api.models import WebhookDelivery
from app.core.db import unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.members.engagement.pipeline import Activity, record
from tests.conftest import drain_events
from tests.factories import MemberFactory


def _tier_up(member) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work():
        record(
            [
                Activity(
                    "purchase", utcnow(), f"w:{member.id}", member_id=member.id, value_cents=90_000
                )
            ]
        )
    drain_events()


def test_a_tier_change_is_delivered_signed(db, monkeypatch) -> None:
    admin = MemberFactory(role="admin")
    endpoint = webhooks.create_endpoint(admin, "https://crm.example.com/hook", ["tier_changed"])
    sent = []
    monkeypatch.setattr(
        webhooks,
        "_post",
        lambda url, body, headers, timeout: sent.append((url, body, headers)) or 200,
    )
    _tier_up(MemberFactory())
    assert webhooks.deliver_due() == 1
    _url, body, headers = sent[0]
    stamp, signature = (part.split("=", 1)[1] for part in headers["Cercle-Signature"].split(","))
    expected = hmac.new(endpoint.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    assert signature == expected.hexdigest()
    assert json.loads(body)["data"]["new_tier"] == "silver"
    assert webhooks.deliver_due() == 0  # delivered once


def test_a_failing_endpoint_is_retried_with_backoff_then_marked_failed(
    db, app, monkeypatch
) -> None:
    admin = MemberFactory(role="admin")
    webhooks.create_endpoint(admin, "https://down.example.com/hook", ["tier_changed"])

    def _refuse(*_args):  # type: ignore[no-untyped-def]
        raise OSError("connection refused")

    monkeypatch.setattr(webhooks, "_post", _refuse)
    _tier_up(MemberFactory())
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    try:
        webhooks.deliver_due()
        delivery = db.session.scalar(select(WebhookDelivery))
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
        assert webhooks.deliver_due() == 0  # not due yet
        with unit_of_work():
            db.session.get(WebhookDelivery, delivery.id).next_attempt_at = utcnow()
        webhooks.deliver_due()
        db.session.refresh(delivery)
        assert (delivery.status, delivery.attempts) == ("failed", 2)
        assert "connection refused" in delivery.last_error
    finally:
        app.config["WEBHOOK_MAX_ATTEMPTS"] = 8


def test_admins_create_and_revoke_keys_and_see_the_delivery_log(client, login_as) -> None:
    login_as("admin")
    created = client.post("/admin/api-keys", data={"name": "Shop", "scopes": ["events:write"]})
    assert created.status_code == 200
    token = created.get_data(as_text=True).split('id="new-api-key">')[1].split("<")[0]
    assert token.startswith("ck_")
    from app.api.models import ApiKey

    key = db.session.scalar(select(ApiKey))
    assert client.post(f"/admin/api-keys/{key.id}/revoke").status_code == 302
    db.session.refresh(key)
    assert key.revoked_at is not None
    assert client.post("/admin/api-keys", data={"name": ""}).status_code == 400
    assert client.get("/admin/webhooks").status_code == 200
    assert client.get("/admin/loyalty").status_code == 200


def test_admins_set_caps_and_tier_thresholds(client, login_as) -> None:
    from app.members.loyalty.models import EarningRule, Tier

    login_as("admin")
    rule = db.session.scalar(select(EarningRule).where(EarningRule.event_type == "replied"))
    response = client.post(
        f"/admin/loyalty/rules/{rule.id}", data={"points": "12", "daily_cap": "24", "active": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(rule)
    assert (rule.points, rule.daily_cap) == (12, 24)
    bad = client.post(
        "/admin/loyalty/tiers/gold", data={"threshold": "100", "perks_en": "", "perks_fr": ""}
    )
    assert bad.status_code == 400  # below Silver's threshold
    ok = client.post(
        "/admin/loyalty/tiers/gold", data={"threshold": "2500", "perks_en": "A", "perks_fr": "B"}
    )
    assert ok.status_code == 302
    assert db.session.get(Tier, "gold").threshold == 2500


def test_members_cannot_open_the_integration_pages(client, login_as) -> None:
    login_as("moderator")
    assert client.get("/admin/api-keys").status_code == 403
