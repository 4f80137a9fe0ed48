"""Co-design polls: single, multiple, number or scale and ranked questions put to the whole
club or to an audience, with quotas per group and results re-weighted to the member base."""

from flask import Blueprint

bp = Blueprint("polls", __name__)

from app.community.polls import models, routes  # noqa: E402,F401
