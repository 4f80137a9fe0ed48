"""Members: accounts and auth, profiles and interests, loyalty standing — the single
customer view."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from app.members import (  # noqa: E402,F401
    holes,
    language,
    routes,
)

bp.record_once(lambda state: holes.register(state.app))  # the header's viewer holes
