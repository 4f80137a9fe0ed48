"""Decoding and re-encoding with Pillow: the only code that reads a member's image bytes.

Every image is decoded to pixels and encoded again, so nothing of the file survives but
the picture: metadata (EXIF with GPS, comments, text chunks) is dropped, and a polyglot
file (an image that is also HTML, a script or an archive) loses its other half. The size
in pixels is read from the header and checked before any decoding, and Pillow's own bomb
guard (`Image.MAX_IMAGE_PIXELS`) backs it up.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from app.community.uploads.naming import EXTENSIONS, original_name, variant_name, variant_widths

FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
MAX_FRAMES = 100
# What may stay in an image's info when it is saved again: nothing that identifies.
_KEPT_INFO = ("transparency", "duration", "loop", "background", "icc_profile")


class ImageRejected(Exception):
    """The bytes are not an image we accept; `message` says why, for the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ProcessedImage:
    ext: str
    content_type: str
    width: int
    height: int
    digest: str
    name: str
    data: bytes
    variants: dict[int, bytes] = field(default_factory=dict)  # width -> bytes


def _open(data: bytes, max_pixels: int) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_too_big(max_pixels)) from None
    except UnidentifiedImageError:
        raise ImageRejected(
            _("This file is not an image we accept: use a JPEG, PNG, GIF or WebP.")
        ) from None
    except Exception:
        raise ImageRejected(_("This image is damaged and cannot be read.")) from None


def _too_big(max_pixels: int) -> str:
    return _(
        "This image is too large in pixels: at most %(n)s megapixels.",
        n=f"{max_pixels / 1_000_000:g}",
    )


def process(
    data: bytes, *, max_pixels: int, max_dimension: int, quality: int = 85
) -> ProcessedImage:
    """Check, decode and re-encode `data`; raise ImageRejected with a member's message."""
    image = _open(data, max_pixels)
    ext = FORMATS.get(image.format or "")
    if ext is None:
        raise ImageRejected(_("This file is not an image we accept: use a JPEG, PNG, GIF or WebP."))
    width, height = image.size
    if width * height > max_pixels or max(width, height) > max_dimension:
        raise ImageRejected(
            _(
                "This image is too large: at most %(d)s pixels on a side and %(n)s megapixels.",
                d=max_dimension,
                n=f"{max_pixels / 1_000_000:g}",
            )
        )
    frames = getattr(image, "n_frames", 1)
    animated = ext == "gif" and frames > 1
    if animated and (frames > MAX_FRAMES or frames * width * height > 4 * max_pixels):
        raise ImageRejected(_("This animation has too many frames."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            if not animated:
                ImageOps.exif_transpose(image, in_place=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_too_big(max_pixels)) from None
    except Exception:
        raise ImageRejected(_("This image is damaged and cannot be read.")) from None
    kept = {k: v for k, v in image.info.items() if k in _KEPT_INFO}
    image.info = kept
    image = _normalise_mode(image, ext)
    width, height = image.size
    original = _encode(image, ext, quality, animated=animated, info=kept)
    digest = hashlib.sha256(original).hexdigest()
    name = original_name(digest, width, height, ext)
    processed = ProcessedImage(
        ext=ext,
        content_type=_content_type(ext),
        width=width,
        height=height,
        digest=digest,
        name=name,
        data=original,
    )
    source = image
    for vw in sorted(variant_widths(width, ext), reverse=True):
        vh = max(1, round(height * vw / width))
        # Each copy from the next larger one; reducing_gap lets Pillow halve first (fast).
        source = source.resize((vw, vh), Image.Resampling.LANCZOS, reducing_gap=3.0)
        processed.variants[vw] = _encode(source, ext, quality, animated=False, info=kept)
    return processed


def variant_names(processed: ProcessedImage) -> dict[str, bytes]:
    """Every file of an image by name: the original and its copies."""
    files = {processed.name: processed.data}
    for width, data in processed.variants.items():
        files[variant_name(processed.name, width)] = data
    return files


def _content_type(ext: str) -> str:
    return EXTENSIONS[ext]


def _normalise_mode(image: Image.Image, ext: str) -> Image.Image:
    if ext == "jpg" and image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    if ext == "webp" and image.mode not in ("RGB", "RGBA"):
        return image.convert("RGBA" if image.has_transparency_data else "RGB")
    if ext == "png" and image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1", "I;16"):
        return image.convert("RGBA")
    return image


def _encode(image: Image.Image, ext: str, quality: int, *, animated: bool, info: dict) -> bytes:
    out = io.BytesIO()
    options: dict = {}
    if icc := info.get("icc_profile"):
        options["icc_profile"] = icc
    if ext == "jpg":
        # Baseline, not progressive: progressive encoding costs 5x the time on a photo.
        image.save(out, "JPEG", quality=quality, **options)
    elif ext == "webp":
        image.save(out, "WEBP", quality=quality, method=4, **options)
    elif ext == "png":
        if "transparency" in info and image.mode in ("P", "L", "RGB"):
            options["transparency"] = info["transparency"]
        image.save(out, "PNG", compress_level=6, **options)
    else:
        options = {k: info[k] for k in ("duration", "loop", "transparency") if k in info}
        image.save(out, "GIF", save_all=animated, **options)
    return out.getvalue()
