from flask import abort

from app.community import bp


@bp.get("/forums/")
def forums_index():  # type: ignore[no-untyped-def]
    abort(404)


@bp.get("/latest")
def latest():  # type: ignore[no-untyped-def]
    abort(404)
