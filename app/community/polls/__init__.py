"""Co-design polls: single, multiple, number or scale and ranked questions put to the whole
club or to an audience, with quotas per group and results re-weighted to the member base."""

from flask import Blueprint

bp = Blueprint("polls", __name__)

from app.community.polls import models, routes  # noqa: E402,F401


def _topic_polls(spot, prepared, viewer):  # type: ignore[no-untyped-def]
    """The `topic_polls` viewer hole: the polls embedded in a topic, as this viewer may
    answer them (app/core/holes.py)."""
    from flask import render_template

    return render_template(
        "polls/_embedded.html", poll_topic_id=spot.args["topic"], current_user=viewer
    )


def _register_holes(state) -> None:  # type: ignore[no-untyped-def]
    from app.core import holes

    holes.register(state.app, "topic_polls", _topic_polls)


bp.record_once(_register_holes)
