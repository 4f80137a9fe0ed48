"""Notifications: the type registry, in-app notices and their badge, preferences, the email
outbox, notification emails, digests and the one-click unsubscribe."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from app.notifications import models, routes  # noqa: E402,F401
