"""Search: one box for every discussion (ideas and polls when they come), and only what
the viewer may read. The index follows the areas' events (app/search/subscribers.py)."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from app.search import models, routes  # noqa: E402,F401
