"""Ideas: product feedback members propose and vote on, statuses with official responses,
the roadmap and the changelog of shipped ideas."""

from flask import Blueprint

bp = Blueprint("ideas", __name__)

from app.community.ideas import models, routes  # noqa: E402,F401
