"""The feedback report (`/reports/feedback`): what members ask for and who asks it, per
product and period, for the product team and admins."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.community.reports import models, routes  # noqa: E402,F401
