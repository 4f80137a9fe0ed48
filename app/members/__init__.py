"""Members: accounts and auth, profiles and interests, loyalty standing — the single
customer view."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from app.members import language, routes  # noqa: E402,F401
