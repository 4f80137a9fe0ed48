"""Community: forums (categories, topics, posts, reactions), uploads, ideas, polls and the
feedback report."""

from flask import Blueprint

bp = Blueprint("community", __name__)

from app.community.forums import (  # noqa: E402,F401
    composer,
    models,
    routes,
)
from app.community.forums import holes as forum_holes  # noqa: E402
from app.community.uploads import models as upload_models  # noqa: E402,F401
from app.community.uploads import routes as upload_routes  # noqa: E402,F401

bp.record_once(lambda state: forum_holes.register(state.app))  # the topic page's viewer holes
