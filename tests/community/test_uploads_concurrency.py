"""Uploads and drafts written by several processes at the same instant (SQLite and
PostgreSQL): one row for one image, the daily quota holds, one draft per member and key."""

from __future__ import annotations

import io
import traceback
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select

from app.community.forums.drafts import Draft
from app.community.forums.models import Category
from app.community.uploads.models import Upload
from app.members.models import Member
from tests.conftest import make_test_app, scratch_database
from tests.processes import run_together

WORKERS = 4
pytestmark = [pytest.mark.slow]


@pytest.fixture
def scene(tmp_path: Path) -> dict:
    """A database of its own with one member and one category, and an uploads directory."""
    url = scratch_database(tmp_path, "uploads")
    engine = create_engine(url)
    with engine.begin() as conn:
        member_id = conn.execute(
            insert(Member)
            .values(
                username="racer", username_lower="racer", email="racer@example.com",
                password_hash="x", display_name="Racer",
            )
            .returning(Member.id)
        ).scalar_one()  # fmt: skip
        category_id = conn.execute(
            insert(Category)
            .values(slug="race", name_en="Race", name_fr="Course", colour="#2f6f8f")
            .returning(Category.id)
        ).scalar_one()
    engine.dispose()
    upload_dir = tmp_path / "uploads"
    upload_dir.mkdir()
    return {"url": url, "member": member_id, "category": category_id, "dir": str(upload_dir)}


def _count(url: str, model) -> int:  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(model)).scalar_one()
    engine.dispose()
    return count


def _png(width: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, 40), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _upload_worker(url, worker, barrier, errors, scene, same_image, quota):  # type: ignore[no-untyped-def]
    try:
        app = make_test_app(url, UPLOAD_DIR=scene["dir"], UPLOAD_DAILY_QUOTA=quota)
        with app.test_request_context():
            from werkzeug.datastructures import FileStorage

            from app.community.uploads import services
            from app.core.errors import Invalid
            from app.extensions import db

            data = _png(300 if same_image else 300 + worker)
            actor = db.session.get(Member, scene["member"])
            barrier.wait(timeout=60)
            try:
                services.save_image(actor, FileStorage(io.BytesIO(data), filename="a.png"))
            except Invalid as exc:
                assert "images a day" in exc.errors["file"], exc.errors
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _draft_worker(url, worker, barrier, errors, scene):  # type: ignore[no-untyped-def]
    try:
        app = make_test_app(url)
        with app.test_request_context():
            from app.community.forums import drafts
            from app.extensions import db

            actor = db.session.get(Member, scene["member"])
            barrier.wait(timeout=60)
            for n in range(5):
                drafts.save_draft(actor, f"topic:{scene['category']}", f"w{worker} v{n}", "T")
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def test_the_same_image_sent_at_once_from_several_processes_is_one_upload(scene) -> None:  # type: ignore[no-untyped-def]
    args = (scene["url"], scene, True, 40)
    assert run_together([(_upload_worker, args)] * WORKERS, timeout=120) == []
    assert _count(scene["url"], Upload) == 1


def test_the_daily_quota_holds_under_concurrent_uploads(scene) -> None:  # type: ignore[no-untyped-def]
    args = (scene["url"], scene, False, 2)
    assert run_together([(_upload_worker, args)] * WORKERS, timeout=120) == []
    assert _count(scene["url"], Upload) == 2


def test_one_draft_per_member_and_key_under_concurrent_saves(scene) -> None:  # type: ignore[no-untyped-def]
    args = (scene["url"], scene)
    assert run_together([(_draft_worker, args)] * WORKERS, timeout=120) == []
    assert _count(scene["url"], Draft) == 1
