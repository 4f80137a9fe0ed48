"""Upload and serve images. Thin: the rules are in `services`, the bytes in `storage`.

Served files carry the type of the re-encoded image, `nosniff`, and a policy that lets
nothing run even if a browser were talked into treating one as a page; names are content
hashes, so they are cached for a year. Only names of images are routed: nothing else is
ever served from here.
"""

from __future__ import annotations

from flask import Response, abort, current_app, jsonify, render_template, request, send_file
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.community import bp
from app.community.uploads import services
from app.community.uploads.models import alt_from_filename
from app.community.uploads.naming import EXTENSIONS, NAME, describe
from app.community.uploads.storage import CACHE_CONTROL, get_storage
from app.core.errors import Invalid, PermissionDenied
from app.core.markup import set_image_describer

FORM_OVERHEAD = 64 * 1024  # the multipart envelope around the file
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > 0


def _refused(message: str, status: int):  # type: ignore[no-untyped-def]
    if _wants_json():
        return jsonify({"error": message}), status
    return render_template("community/upload.html", upload=None, error=message), status


@bp.route("/uploads/new", methods=["GET", "POST"])
@login_required
def upload_image():  # type: ignore[no-untyped-def]
    """JSON for the composer (button, drop, paste); a plain page without JavaScript."""
    if request.method == "GET":
        return render_template("community/upload.html", upload=None, error=None)
    # Refused before the body is read: a huge request is never spooled to disk.
    limit = int(current_app.config["UPLOAD_MAX_BYTES"]) + FORM_OVERHEAD
    if request.content_length is not None and request.content_length > limit:
        return _refused(services.too_big_message(), 413)
    request.max_content_length = limit
    try:
        file = request.files.get("file")
        alt = alt_from_filename(file.filename if file is not None else None)
        upload = services.save_image(current_user, file)
    except RequestEntityTooLarge:
        return _refused(services.too_big_message(), 413)
    except (Invalid, PermissionDenied) as exc:
        message = str(next(iter(exc.errors.values()))) if isinstance(exc, Invalid) else exc.message
        return _refused(message, 403 if isinstance(exc, PermissionDenied) else 400)
    if _wants_json():
        return jsonify(
            {
                "id": upload.id,
                "url": upload.url(),
                "thumbnail": upload.url(320),
                "width": upload.width,
                "height": upload.height,
                "markdown": upload.markdown_with(alt),
            }
        )
    return render_template(
        "community/upload.html", upload=upload, markdown=upload.markdown_with(alt), error=None
    )


@bp.get("/uploads/<name>")
def upload_file(name: str):  # type: ignore[no-untyped-def]
    match = NAME.fullmatch(name)
    if match is None:
        abort(404)
    storage = get_storage()
    mimetype = EXTENSIONS[match["ext"]]
    path = storage.local_path(name)
    if path is not None:
        response = send_file(path, mimetype=mimetype, conditional=True, etag=True)
    else:
        data = storage.read(name)
        if data is None:
            abort(404)
        response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = CACHE_CONTROL
    for header, value in FILE_HEADERS.items():
        response.headers[header] = value
    return response


def _describe(src: str) -> dict[str, str] | None:
    described = describe(src)
    if described is None:
        return None
    return {
        "width": str(described.width),
        "height": str(described.height),
        "srcset": described.srcset,
        "sizes": IMAGE_SIZES,
    }


# A post's column is at most about 46rem wide; narrower screens show it edge to edge.
IMAGE_SIZES = "(max-width: 760px) 100vw, 740px"


@bp.record_once
def _register_describer(state) -> None:  # type: ignore[no-untyped-def]
    set_image_describer(state.app, _describe)
