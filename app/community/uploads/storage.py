"""Where upload files live: one small interface, two implementations chosen by config.

`LocalStorage` keeps files under a directory (instance/uploads/ by default): right for one
host. `S3Storage` puts them in an S3-compatible bucket (AWS S3, MinIO, Garage, R2...) so
every app host sees the same files; it needs the optional `s3` extra (boto3), and reads its
credentials the usual boto3 way (environment, profile or instance role). Files are
content-addressed: a name is written once and never changes, so writes need no locking.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

from app.community.uploads.naming import EXTENSIONS, NAME

CACHE_CONTROL = "public, max-age=31536000, immutable"


class Storage(Protocol):
    def save(self, name: str, data: bytes) -> None: ...

    def read(self, name: str) -> bytes | None: ...

    def exists(self, name: str) -> bool: ...

    def delete(self, name: str) -> None: ...

    def local_path(self, name: str) -> Path | None: ...


def _checked(name: str) -> str:
    if not NAME.fullmatch(name):
        raise ValueError(f"not an upload name: {name!r}")
    return name


class LocalStorage:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        name = _checked(name)
        return self.root / name[:2] / name

    def save(self, name: str, data: bytes) -> None:
        path = self._path(name)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, name: str) -> bytes | None:
        path = self._path(name)
        return path.read_bytes() if path.is_file() else None

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def local_path(self, name: str) -> Path | None:
        path = self._path(name)
        return path if path.is_file() else None


class S3Storage:
    def __init__(self, bucket: str, prefix: str = "", client: Any = None, **client_options: Any):
        if client is None:
            import boto3  # the optional "s3" extra

            client = boto3.client("s3", **{k: v for k, v in client_options.items() if v})
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, name: str) -> str:
        return self.prefix + _checked(name)

    def save(self, name: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(name),
            Body=data,
            ContentType=EXTENSIONS[name.rsplit(".", 1)[1]],
            CacheControl=CACHE_CONTROL,
        )

    def read(self, name: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except self.client.exceptions.NoSuchKey:
            return None
        return response["Body"].read()

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError:
            return False
        return True

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def local_path(self, name: str) -> Path | None:
        return None


_KEY = "cercle.upload_storage"


def build_storage(app: Flask) -> Storage:
    kind = (app.config.get("UPLOAD_STORAGE") or "local").lower()
    if kind == "s3":
        return S3Storage(
            app.config["UPLOAD_S3_BUCKET"],
            app.config.get("UPLOAD_S3_PREFIX") or "",
            endpoint_url=app.config.get("UPLOAD_S3_ENDPOINT_URL"),
            region_name=app.config.get("UPLOAD_S3_REGION"),
        )
    if kind != "local":
        raise ValueError(f"UPLOAD_STORAGE must be local or s3, not {kind!r}")
    return LocalStorage(app.config["UPLOAD_DIR"])


def get_storage() -> Storage:
    """The app's storage, built on first use (tests may set their own)."""
    storage = current_app.extensions.get(_KEY)
    if storage is None:
        storage = current_app.extensions[_KEY] = build_storage(current_app)
    return storage


def set_storage(app: Flask, storage: Storage | None) -> None:
    if storage is None:
        app.extensions.pop(_KEY, None)
    else:
        app.extensions[_KEY] = storage
