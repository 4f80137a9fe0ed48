"""One row per stored image: who uploaded it, its content-addressed name and sizes."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.time import utcnow
from app.extensions import db

URL_PREFIX = "/uploads/"


class Upload(db.Model):
    """An image a member uploaded. The files are named after the hash of their content,
    so a name never changes meaning and can be cached for a year."""

    __tablename__ = "uploads"
    __table_args__ = (
        # The same image twice from one member (a double click) is one upload.
        UniqueConstraint("member_id", "digest", name="uq_uploads_member_digest"),
        # The daily quota counts a member's uploads since midnight.
        Index("ix_uploads_member_created", "member_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    # Widths of the smaller copies, comma-separated ascending ("320,640,1280"); "" if none.
    variant_widths: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def widths(self) -> list[int]:
        return [int(w) for w in self.variant_widths.split(",") if w]

    def url(self, size: int | None = None) -> str:
        """The original's URL, or with `size` the smallest copy at least that wide (the
        original when none is)."""
        from app.community.uploads.naming import variant_name

        if size is not None:
            for width in self.widths:
                if width >= size:
                    return URL_PREFIX + variant_name(self.name, width)
        return URL_PREFIX + self.name

    @property
    def markdown(self) -> str:
        return self.markdown_with()

    def markdown_with(self, alt: str = "") -> str:
        """The Markdown that shows the image, with `alt` as its text for screen readers
        (brackets and line breaks taken out, so it cannot end the image early)."""
        alt = " ".join(re.sub(r"[\[\]\\]+", " ", alt).split())[:120]
        return f"![{alt}]({self.url()})"


_INVENTED_NAME = re.compile(
    r"(?i)(img|image|dsc|dscn|pxl|photo|screenshot|screen shot|capture|clipboard)(\s|\d|$)"
)


def alt_from_filename(filename: str | None) -> str:
    """A first alt text from the file's name ("tent-pitch_2.jpg" -> "tent pitch 2");
    names cameras and clipboards invent ("IMG_0042", "image") give none."""
    stem = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    if not re.search(r"[^\W\d]", words) or _INVENTED_NAME.match(words):
        return ""
    return words
