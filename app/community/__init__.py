"""Community: forums (categories, topics, posts, likes); ideas and polls come next."""

from flask import Blueprint

bp = Blueprint("community", __name__)

from app.community.forums import models, routes  # noqa: E402,F401
from app.community.forums import composer  # noqa: E402,F401
from app.community.uploads import models as upload_models  # noqa: E402,F401
from app.community.uploads import routes as upload_routes  # noqa: E402,F401
