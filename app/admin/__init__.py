"""The admin area: pages over the areas' services for members, roles, taxonomy and outbox.

It owns no models: every change goes through the owning area's service, which checks the
actor's role again.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import api_keys, categories, events, loyalty, routes  # noqa: E402,F401
