"""Uploading an image: the rules (who, how big, how many a day) and the one write.

`save_image(actor, file_storage)` is the API other areas use (the composer, polls): it
returns the `Upload`, whose `url(size)` gives the original or a smaller copy.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.community.uploads.events import ImageUploaded
from app.community.uploads.models import Upload
from app.community.uploads.processing import ImageRejected, process, variant_names
from app.community.uploads.storage import get_storage
from app.core.db import dialect_insert, unit_of_work
from app.core.errors import Invalid, PermissionDenied
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member

QUOTA_WINDOW = timedelta(days=1)


def _require_member(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to take part."))


def uploads_today(member_id: int) -> int:
    """How many images the member uploaded in the last 24 hours."""
    since = utcnow() - QUOTA_WINDOW
    return (
        db.session.scalar(
            select(func.count(Upload.id)).where(
                Upload.member_id == member_id, Upload.created_at > since
            )
        )
        or 0
    )


def quota_left(actor: Any) -> int | None:
    """Images the member may still upload today; None when not limited (staff)."""
    if getattr(actor, "is_staff", False):
        return None
    quota = int(current_app.config["UPLOAD_DAILY_QUOTA"])
    return max(0, quota - uploads_today(actor.id))


def _quota_error(actor: Any) -> str | None:
    left = quota_left(actor)
    if left is None or left > 0:
        return None
    quota = int(current_app.config["UPLOAD_DAILY_QUOTA"])
    return ngettext(
        "You can upload %(num)d image a day: try again tomorrow.",
        "You can upload %(num)d images a day: try again tomorrow.",
        quota,
    )


def _read(file: FileStorage | None) -> bytes:
    max_bytes = int(current_app.config["UPLOAD_MAX_BYTES"])
    if file is None or not (file.filename or file.content_length):
        raise Invalid({"file": _("Choose an image to upload.")})
    data = file.stream.read(max_bytes + 1)
    if not data:
        raise Invalid({"file": _("This file is empty.")})
    if len(data) > max_bytes:
        raise Invalid({"file": too_big_message()})
    return data


def too_big_message() -> str:
    max_bytes = int(current_app.config["UPLOAD_MAX_BYTES"])
    return _("This image is too big: at most %(size)s MB.", size=f"{max_bytes / 1_048_576:g}")


def save_image(actor: Member, file: FileStorage | None) -> Upload:
    """A member uploads an image: at most UPLOAD_MAX_BYTES, a JPEG, PNG, GIF or WebP within
    UPLOAD_MAX_PIXELS, and UPLOAD_DAILY_QUOTA images a day (staff unlimited). The image
    is re-encoded before anything is stored; the same image twice is the same upload."""
    _require_member(actor)
    # Cheap refusals first: the guard and the quota are asked again in the transaction.
    require_can_write(actor, "upload")
    if problem := _quota_error(actor):
        raise Invalid({"file": problem})
    data = _read(file)
    config = current_app.config
    try:
        image = process(
            data,
            max_pixels=int(config["UPLOAD_MAX_PIXELS"]),
            max_dimension=int(config["UPLOAD_MAX_DIMENSION"]),
            quality=int(config["UPLOAD_JPEG_QUALITY"]),
        )
    except ImageRejected as exc:
        raise Invalid({"file": exc.message}) from None
    with unit_of_work():
        require_can_write(actor, "upload")
        # One member's uploads are counted one at a time (PostgreSQL; SQLite has one writer).
        db.session.execute(select(Member.id).where(Member.id == actor.id).with_for_update())
        existing = db.session.scalar(
            select(Upload).where(Upload.member_id == actor.id, Upload.digest == image.digest)
        )
        if existing is not None:
            return existing
        if problem := _quota_error(actor):
            raise Invalid({"file": problem})
        # Files first: content-addressed, so a rolled-back row leaves at worst an unused file.
        storage = get_storage()
        for name, blob in variant_names(image).items():
            storage.save(name, blob)
        values = {
            "member_id": actor.id,
            "digest": image.digest,
            "name": image.name,
            "content_type": image.content_type,
            "width": image.width,
            "height": image.height,
            "byte_size": len(image.data),
            "variant_widths": ",".join(str(w) for w in sorted(image.variants)),
            "created_at": utcnow(),
        }
        inserted = db.session.execute(
            dialect_insert(Upload)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["member_id", "digest"])
        ).rowcount
        upload = db.session.scalars(
            select(Upload).where(Upload.member_id == actor.id, Upload.digest == image.digest)
        ).one()
        if inserted:
            emit(ImageUploaded(upload_id=upload.id, member_id=actor.id, byte_size=upload.byte_size))
    return upload
