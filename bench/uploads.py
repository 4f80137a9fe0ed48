"""Uploads: a 5 MB camera photo through the whole image pipeline, timed.

A 4000×3000 photo is made with numpy (smooth light, texture and sensor-like noise), saved
as a JPEG at quality 95 (about 5 MB) with EXIF holding GPS coordinates. Each run sends it
through what an upload does after the request is read: the header checks, the decoding,
EXIF orientation, the re-encoding without metadata, the three smaller copies (1280, 640
and 320 wide) and the writing of the four files to a `LocalStorage` in a temporary
directory. The database row (one INSERT) is left out: it is the same as any form post.

Target: under 1 s per photo (the median of the runs) on the bench machine.
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time

TARGET_SECONDS = 1.0


def make_photo(width: int = 4000, height: int = 3000, seed: int = 7) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    sky = np.stack(
        [120 + 80 * (y / height), 150 + 60 * np.sin(x / 700.0), 200 - 90 * (y / height)], axis=-1
    )
    texture = 25 * np.sin(x / 37.0 + y / 53.0)[..., None]
    noise = rng.normal(0, 9, (height, width, 3))
    pixels = np.clip(sky + texture + noise, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    exif = Image.Exif()
    exif[0x0110] = "Bench Camera"
    exif[0x8825] = {1: "N", 2: (45.0, 55.0, 12.5), 3: "E", 4: (6.0, 38.0, 2.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def measure(runs: int = 5) -> dict:
    from app.community.uploads.processing import process, variant_names
    from app.community.uploads.storage import LocalStorage

    photo = make_photo()
    timings, cpu = [], []
    with tempfile.TemporaryDirectory(prefix="cercle-bench-uploads-") as root:
        storage = LocalStorage(root)
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            image = process(photo, max_pixels=40_000_000, max_dimension=12_000)
            for name, data in variant_names(image).items():
                storage.save(name, data)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            for name in variant_names(image):
                storage.delete(name)  # the next run writes them again
    return {
        "runs": runs,
        "photo_bytes": len(photo),
        "stored_bytes": len(image.data),
        "copies": sorted(image.variants),
        "p50_seconds": statistics.median(timings),
        "max_seconds": max(timings),
        "cpu_p50_seconds": statistics.median(cpu),
    }


def lines(result: dict) -> list[str]:
    met = "met" if result["p50_seconds"] < TARGET_SECONDS else "NOT met"
    return [
        f"- Upload of a {result['photo_bytes'] / 1_048_576:.1f} MB 4000×3000 JPEG (quality 95, "
        f"GPS in EXIF), decoded, re-encoded without metadata "
        f"({result['stored_bytes'] / 1_048_576:.1f} MB at quality 85), copies "
        f"{', '.join(str(w) for w in reversed(result['copies']))} px wide, four files written: "
        f"p50 {result['p50_seconds'] * 1000:.0f} ms, worst {result['max_seconds'] * 1000:.0f} ms "
        f"over {result['runs']} runs, {result['cpu_p50_seconds'] * 1000:.0f} ms of CPU "
        f"(target under {TARGET_SECONDS:.0f} s: {met}).",
    ]


if __name__ == "__main__":
    figures = measure()
    print("\n".join(lines(figures)))
