"""The API's worker job: the webhook outbox, retried with backoff (every 10 s)."""

from __future__ import annotations

from flask import Flask

from app.core.jobs import add_job


def deliver_webhooks() -> int:
    from app.api.webhooks import deliver_due

    return deliver_due()


def register(app: Flask) -> None:
    add_job(app, "deliver_webhooks", deliver_webhooks, 10)
