"""Webhooks: `tier_changed` and `lifecycle_changed` pushed to the brand's endpoints.

The durable `webhooks` subscriber writes one delivery per endpoint and event (unique on
both: a repeat adds nothing) — an outbox. The `deliver_webhooks` job (the worker, or
`flask jobs run-due`) POSTs each due delivery, signed: `Cercle-Signature: t=<unix
time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>` (Stripe's scheme:
the time in the signed text stops replays). A failure is retried with exponential backoff
up to WEBHOOK_MAX_ATTEMPTS, then marked failed; /admin/webhooks shows the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.api.models import WebhookDelivery, WebhookEndpoint
from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import DomainEvent, EventBus
from app.core.time import utcnow
from app.extensions import db
from app.members.engagement.events import LifecycleChanged
from app.members.events import TierChanged
from app.members.models import Member

EVENTS = ("tier_changed", "lifecycle_changed")
BATCH = 50


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def _enqueue(evt: DomainEvent) -> None:
    endpoints = db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    ).all()
    wanted = [e for e in endpoints if evt.name in e.events.split()]
    if not wanted:
        return
    from app.core.db import dialect_insert

    payload = {
        "id": evt.event_id,
        "type": evt.name,
        "occurred_at": evt.occurred_at.isoformat(),
        "data": evt.payload(),
    }
    db.session.execute(
        dialect_insert(WebhookDelivery).on_conflict_do_nothing(
            index_elements=["endpoint_id", "event_id"]
        ),
        [
            {
                "endpoint_id": e.id,
                "event_id": evt.event_id,
                "event_type": evt.name,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": utcnow(),
                "last_error": "",
                "created_at": utcnow(),
            }
            for e in wanted
        ],
    )


def register(bus: EventBus) -> None:
    bus.subscribe_durable("webhooks", {TierChanged: _enqueue, LifecycleChanged: _enqueue})


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def deliver_due(limit: int = BATCH) -> int:
    """Send the due deliveries; never while holding a transaction open during HTTP."""
    config = current_app.config
    now = utcnow()
    rows = db.session.execute(
        select(
            WebhookDelivery.id, WebhookEndpoint.url, WebhookEndpoint.secret, WebhookDelivery.payload
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id)
        .limit(limit)
    ).all()
    db.session.commit()  # end the read: no transaction stays open during HTTP
    sent = 0
    for delivery_id, url, secret, payload in rows:
        body = json.dumps(payload, separators=(",", ":")).encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Cercle-Webhooks/1",
            "Cercle-Signature": f"t={stamp},v1={sign(secret, stamp, body)}",
            "Cercle-Event": payload.get("type", ""),
        }
        code: int | None = None
        error = ""
        try:
            code = _post(url, body, headers, config["WEBHOOK_TIMEOUT"])
        except urllib.error.HTTPError as exc:
            code, error = exc.code, f"HTTP {exc.code}"
        except Exception as exc:  # network errors of every kind: retried
            error = f"{type(exc).__name__}: {exc}"[:500]
        ok = code is not None and 200 <= code < 300
        with unit_of_work():
            delivery = db.session.get(WebhookDelivery, delivery_id)
            if delivery is None or delivery.status != "pending":
                continue
            delivery.attempts += 1
            delivery.response_code = code
            delivery.last_error = "" if ok else error
            if ok:
                delivery.status = "delivered"
                delivery.delivered_at = utcnow()
                sent += 1
            elif delivery.attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
                delivery.status = "failed"
            else:
                base = config["WEBHOOK_RETRY_BASE_SECONDS"]
                delivery.next_attempt_at = utcnow() + timedelta(
                    seconds=min(base * 2 ** (delivery.attempts - 1), 6 * 3600)
                )
    return sent


# --- admin ---------------------------------------------------------------------------------


def _require_admin(actor: Member) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators manage webhooks."))


def create_endpoint(actor: Member, url: str, events: list[str]) -> WebhookEndpoint:
    """A new endpoint with a generated secret (shown in the admin list)."""
    url = (url or "").strip()
    errors = {}
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc or len(url) > 500:
        errors["url"] = _("Enter an http(s) URL.")
    if not events or any(e not in EVENTS for e in events):
        errors["events"] = _("Choose at least one event from the list.")
    if errors:
        raise Invalid(errors)
    with unit_of_work():
        _require_admin(actor)
        endpoint = WebhookEndpoint(
            url=url, secret=f"whsec_{secrets.token_hex(20)}", events=" ".join(events), active=True
        )
        db.session.add(endpoint)
    return endpoint


def disable_endpoint(actor: Member, endpoint_id: int) -> None:
    with unit_of_work():
        _require_admin(actor)
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise NotFound()
        endpoint.active = False


def recent_deliveries(limit: int = 100) -> list[Any]:
    return db.session.execute(
        select(WebhookDelivery, WebhookEndpoint.url)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    ).all()
