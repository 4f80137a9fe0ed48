"""URL converters: ids in URLs are bounded, so a huge number is a 404, not a database
overflow error."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# The largest id any supported database stores (SQLite and PostgreSQL BIGINT).
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a positive integer no larger than MAX_ID."""

    def __init__(self, url_map: Map, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
