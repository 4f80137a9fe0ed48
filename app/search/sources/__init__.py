"""The searchable areas, one module each. Ideas and polls add theirs here when they arrive.

Why here and not in each area: search is an area above the others (it reads them; they
never import it), so the builders live with search and read each area through its own
models and readability rule. See docs/decisions.md, "Search".
"""

from __future__ import annotations

from flask import Flask

from app.search.documents import register_source


def register(app: Flask) -> None:
    from app.search.sources import forums

    register_source(app, forums.SOURCE)
