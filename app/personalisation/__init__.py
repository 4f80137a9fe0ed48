"""Personalisation: the personalised home today; segments, campaigns and nudges next."""

from flask import Blueprint

bp = Blueprint("personalisation", __name__)

from app.personalisation import routes  # noqa: E402,F401
