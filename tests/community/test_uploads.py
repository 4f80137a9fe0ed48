"""Image uploads: limits, re-encoding (metadata stripped, polyglots defused, bombs refused),
storage, safe serving, the daily quota and the write guard."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.community.uploads import services
from app.community.uploads.models import Upload
from app.community.uploads.naming import describe
from app.community.uploads.storage import get_storage
from app.core.errors import Invalid, PermissionDenied
from app.core.guards import _KEY as GUARDS_KEY
from tests.community.images import bomb_png, image_bytes, jpeg_with_gps
from tests.factories import MemberFactory

JSON = {"Accept": "application/json"}
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'


def _post(client, data: bytes, filename: str = "photo.jpg", headers=JSON):  # type: ignore[no-untyped-def]
    return client.post(
        "/uploads/new",
        data={"file": (io.BytesIO(data), filename)},
        headers=headers,
        content_type="multipart/form-data",
    )


def _count(db) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count(Upload.id)))


def _stored_files(app) -> set[str]:  # type: ignore[no-untyped-def]
    import pathlib

    root = pathlib.Path(app.config["UPLOAD_DIR"])
    return {p.name for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def config(app):  # type: ignore[no-untyped-def]
    saved = dict(app.config)
    yield app.config
    app.config.clear()
    app.config.update(saved)


def test_member_uploads_a_jpeg_and_gets_markdown_and_sizes(client, login_as, db):  # type: ignore[no-untyped-def]
    member = login_as()
    response = _post(client, image_bytes("JPEG", (1600, 1200)))
    assert response.status_code == 200
    body = response.get_json()
    assert body["markdown"] == f"![]({body['url']})"
    assert body["width"] == 1600 and body["height"] == 1200
    upload = db.session.scalars(select(Upload).where(Upload.member_id == member.id)).one()
    assert upload.widths == [320, 640, 1280]
    assert upload.url(320).endswith("-320w.jpg")
    assert upload.url(700).endswith("-1280w.jpg")
    assert upload.url(5000) == upload.url()
    for width in (None, 320, 640, 1280):
        served = client.get(upload.url(width))
        assert served.status_code == 200
        assert Image.open(io.BytesIO(served.data)).width == (width or 1600)


def test_gps_and_camera_metadata_are_stripped(client, login_as, db):  # type: ignore[no-untyped-def]
    login_as()
    source = jpeg_with_gps()
    assert b"Secret Camera" in source
    url = _post(client, source).get_json()["url"]
    stored = client.get(url).data
    assert b"Secret Camera" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif().get_ifd(0x8825)
    assert "exif" not in image.info


def test_a_polyglot_loses_its_script(client, login_as, db):  # type: ignore[no-untyped-def]
    login_as()
    payload = b"<html><script>alert(document.cookie)</script></html>"
    response = _post(client, image_bytes("PNG", (64, 64)) + payload, "cat.png")
    assert response.status_code == 200
    served = client.get(response.get_json()["url"])
    assert b"<script" not in served.data
    assert served.headers["Content-Type"] == "image/png"


def test_served_files_carry_safe_headers(client, login_as, db):  # type: ignore[no-untyped-def]
    login_as()
    url = _post(client, image_bytes("WEBP", (300, 200)), "a.webp").get_json()["url"]
    served = client.get(url)
    assert served.headers["Content-Type"] == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in served.headers["Cache-Control"]
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert "sandbox" in served.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "name",
    ["../secret_key", "x.html", "a" * 40 + "-10x10.svg", "a" * 40 + "-10x10.jpg", "evil.php"],
)
def test_only_stored_images_are_served(client, name):  # type: ignore[no-untyped-def]
    assert client.get(f"/uploads/{name}").status_code == 404


def test_too_large_a_file_is_refused_and_nothing_stored(client, login_as, db, app, config):  # type: ignore[no-untyped-def]
    login_as()
    config["UPLOAD_MAX_BYTES"] = 2_000
    before = _stored_files(app)
    response = _post(client, image_bytes("PNG", (400, 400), compress_level=0))
    assert response.status_code in (400, 413)
    assert "too big" in response.get_json()["error"]
    assert _count(db) == 0
    assert _stored_files(app) == before


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"just some text, not an image", "notes.txt", "not an image we accept"),
        (SVG, "x.svg", "not an image we accept"),
        (image_bytes("BMP", (20, 20)), "old.bmp", "not an image we accept"),
        (image_bytes("JPEG", (400, 300))[:300], "cut.jpg", "damaged"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(  # type: ignore[no-untyped-def]
    client, login_as, db, app, data, filename, message
):
    login_as()
    before = _stored_files(app)
    response = _post(client, data, filename)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert _count(db) == 0
    assert _stored_files(app) == before


def test_an_image_bomb_is_refused_before_decoding(client, login_as, db, app):  # type: ignore[no-untyped-def]
    login_as()
    data = bomb_png()
    assert len(data) < 200_000
    response = _post(client, data, "bomb.png")
    assert response.status_code == 400
    assert "too large" in response.get_json()["error"]
    assert _count(db) == 0


def test_too_many_pixels_on_a_side_is_refused(client, login_as, db, config):  # type: ignore[no-untyped-def]
    login_as()
    config["UPLOAD_MAX_DIMENSION"] = 1000
    response = _post(client, image_bytes("PNG", (1200, 10)), "strip.png")
    assert response.status_code == 400
    assert "1000 pixels" in response.get_json()["error"]


def test_the_same_image_twice_is_one_upload(client, login_as, db, published):  # type: ignore[no-untyped-def]
    login_as()
    data = image_bytes("JPEG", (500, 400))
    first = _post(client, data).get_json()
    second = _post(client, data).get_json()
    assert first["id"] == second["id"]
    assert _count(db) == 1
    assert [type(e).__name__ for e in published].count("ImageUploaded") == 1


def test_the_daily_quota_refuses_the_next_image(client, login_as, db, config):  # type: ignore[no-untyped-def]
    login_as()
    config["UPLOAD_DAILY_QUOTA"] = 2
    for shade in (10, 20):
        assert _post(client, image_bytes("PNG", (40 + shade, 40)), "a.png").status_code == 200
    response = _post(client, image_bytes("PNG", (99, 40)), "a.png")
    assert response.status_code == 400
    assert "2 images a day" in response.get_json()["error"]
    assert _count(db) == 2


def test_staff_are_not_held_to_the_quota(client, login_as, db, config):  # type: ignore[no-untyped-def]
    login_as("moderator")
    config["UPLOAD_DAILY_QUOTA"] = 1
    for width in (50, 60):
        assert _post(client, image_bytes("PNG", (width, 40)), "a.png").status_code == 200
    assert _count(db) == 2


def test_a_silenced_member_cannot_upload(client, login_as, db, app):  # type: ignore[no-untyped-def]
    login_as()
    guards = app.extensions.setdefault(GUARDS_KEY, [])

    def silenced(actor, action):  # type: ignore[no-untyped-def]
        return "You are silenced." if action == "upload" else None

    guards.append(silenced)
    try:
        response = _post(client, image_bytes("PNG", (40, 40)), "a.png")
    finally:
        guards.remove(silenced)
    assert response.status_code == 403
    assert response.get_json()["error"] == "You are silenced."
    assert _count(db) == 0


def test_visitors_cannot_upload(client, db):  # type: ignore[no-untyped-def]
    response = _post(client, image_bytes("PNG", (40, 40)), "a.png", headers={})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    with pytest.raises(PermissionDenied):
        services.save_image(None, None)


def test_upload_without_a_csrf_token_is_refused(client, login_as, db, csrf_enabled):  # type: ignore[no-untyped-def]
    login_as()
    response = _post(client, image_bytes("PNG", (40, 40)), "a.png")
    assert response.status_code == 400
    assert _count(db) == 0


def test_no_file_is_a_clear_message(client, login_as, db):  # type: ignore[no-untyped-def]
    member = login_as()
    with pytest.raises(Invalid) as caught:
        services.save_image(member, None)
    assert "Choose an image" in caught.value.errors["file"]


def test_the_page_without_javascript_shows_the_markdown(client, login_as, db):  # type: ignore[no-untyped-def]
    login_as()
    assert client.get("/uploads/new").status_code == 200
    html_only = {"Accept": "text/html"}
    response = _post(client, image_bytes("PNG", (700, 500)), "a.png", headers=html_only)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "![a](/uploads/" in html
    assert 'loading="lazy"' in html


def test_errors_are_in_french_for_a_french_member(client, login_as, db):  # type: ignore[no-untyped-def]
    login_as(locale="fr")
    response = _post(client, b"not an image", "x.txt")
    assert "image" in response.get_json()["error"]
    assert "not an image we accept" not in response.get_json()["error"]


def test_the_url_tells_the_renderer_its_size_and_copies(client, login_as, db):  # type: ignore[no-untyped-def]
    login_as()
    url = _post(client, image_bytes("JPEG", (1000, 500))).get_json()["url"]
    described = describe(url)
    assert (described.width, described.height) == (1000, 500)
    assert "-320w.jpg 320w" in described.srcset and "-640w.jpg 640w" in described.srcset
    assert describe("/uploads/../x.jpg") is None
    assert describe("https://example.com/uploads/x.jpg") is None


def test_uploaded_images_show_inline_with_lazy_loading_and_srcset(client, login_as, db):  # type: ignore[no-untyped-def]
    from app.core.markup import render_markdown

    login_as()
    url = _post(client, image_bytes("JPEG", (1000, 500))).get_json()["url"]
    html = render_markdown(f"Look: ![my tent]({url})")
    assert f'src="{url}"' in html
    assert 'loading="lazy"' in html
    assert 'width="1000"' in html and 'height="500"' in html
    assert "srcset=" in html and "320w" in html
    assert "<a " not in html  # shown inline, not turned into a link


def test_s3_storage_round_trip_on_a_local_fake(app):  # type: ignore[no-untyped-def]
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from app.community.uploads.storage import S3Storage

    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="cercle-test")
        storage = S3Storage("cercle-test", "uploads", client=client)
        name = "a" * 40 + "-10x10.png"
        assert storage.read(name) is None and not storage.exists(name)
        storage.save(name, b"png-bytes")
        assert storage.read(name) == b"png-bytes"
        head = client.head_object(Bucket="cercle-test", Key="uploads/" + name)
        assert head["ContentType"] == "image/png"
        assert "immutable" in head["CacheControl"]
        storage.delete(name)
        assert not storage.exists(name)
        with pytest.raises(ValueError):
            storage.save("../etc/passwd", b"x")


def test_the_service_counts_only_the_last_day(db):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from app.core.time import utcnow

    member = MemberFactory()
    db.session.add(
        Upload(
            member_id=member.id, digest="0" * 64, name="0" * 40 + "-1x1.png",
            content_type="image/png", width=1, height=1, byte_size=1,
            variant_widths="", created_at=utcnow() - timedelta(days=2),
        )
    )  # fmt: skip
    db.session.flush()
    assert services.uploads_today(member.id) == 0
    assert get_storage() is not None


@pytest.mark.parametrize(
    ("filename", "alt"),
    [
        ("tent-pitch_2.jpg", "tent pitch 2"),
        ("my [best] tent.png", "my best tent"),
        ("IMG_0042.JPG", ""),
        ("image.png", ""),
        ("Screenshot 2026-11-29 at 10.00.00.png", ""),
    ],
)
def test_the_markdown_takes_a_first_alt_text_from_the_file_name(  # type: ignore[no-untyped-def]
    client, login_as, db, filename, alt
):
    login_as()
    body = _post(client, image_bytes("PNG", (60, 40)), filename).get_json()
    assert body["markdown"] == f"![{alt}]({body['url']})"


def _gif(frames: int, size: tuple[int, int] = (40, 30)) -> bytes:
    images = [Image.new("RGB", size, ((i * 37) % 256, (i * 91) % 256, 40)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0)
    return out.getvalue()


def test_an_animated_gif_keeps_its_frames(client, login_as, db):  # type: ignore[no-untyped-def]
    login_as()
    source = _gif(5)
    assert Image.open(io.BytesIO(source)).n_frames == 5
    response = _post(client, source, "spinner.gif")
    assert response.status_code == 200
    served = Image.open(io.BytesIO(client.get(response.get_json()["url"]).data))
    assert served.format == "GIF" and served.n_frames == 5


def test_an_animation_with_too_many_frames_is_refused(client, login_as, db):  # type: ignore[no-untyped-def]
    login_as()
    response = _post(client, _gif(120, (8, 8)), "long.gif")
    assert response.status_code == 400
    assert "too many frames" in response.get_json()["error"]
    assert _count(db) == 0


def test_a_photo_taken_sideways_is_turned_upright(client, login_as, db):  # type: ignore[no-untyped-def]
    login_as()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    Image.new("RGB", (400, 200), (90, 90, 90)).save(out, "JPEG", exif=exif.tobytes())
    body = _post(client, out.getvalue(), "sideways.jpg").get_json()
    assert (body["width"], body["height"]) == (200, 400)
    served = Image.open(io.BytesIO(client.get(body["url"]).data))
    assert served.size == (200, 400)
    assert not served.getexif()
