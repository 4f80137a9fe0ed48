"""Pages of the single customer view: /loyalty, /settings/privacy, the cookie choice, and the
staff pages (member 360, directory, dashboard)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("customers", __name__)

from app.members import customer_routes  # noqa: E402,F401
from app.members.engagement import models as _engagement_models  # noqa: E402,F401
from app.members.loyalty import models as _loyalty_models  # noqa: E402,F401
