"""Images made on the fly for the upload tests (no binary fixtures in the repository)."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), **save) -> bytes:  # type: ignore[no-untyped-def]
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    image = Image.new(mode, size, (200, 80, 40, 255) if mode == "RGBA" else (200, 80, 40))
    for x in range(0, size[0], 7):  # some detail, so encoders have work to do
        image.putpixel((x, (x * 3) % size[1]), (10, 200, 90) + ((255,) if mode == "RGBA" else ()))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG whose EXIF holds a camera model and GPS coordinates."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera 3000"  # Model
    gps = {1: "N", 2: (45.0, 55.0, 12.5), 3: "E", 4: (6.0, 38.0, 2.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def bomb_png(side: int = 20_000) -> bytes:
    """A small PNG file that would decode to `side`² pixels."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG", optimize=True)
    return out.getvalue()
