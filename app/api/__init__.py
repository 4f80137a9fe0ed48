"""The versioned JSON API (`/api/v1`): bearer API keys, events ingestion, profiles, export,
errors as RFC 9457 problem details, and the OpenAPI 3 document generated from the code."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import models, routes  # noqa: E402,F401
