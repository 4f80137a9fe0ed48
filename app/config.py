"""Configuration read from the environment, with safe defaults.

Every setting has a default that works on a laptop; production overrides them with
environment variables (see docs/configuration.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, else one generated once into instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created with 0600 so other local users cannot read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'cercle.db'}"
    # Heroku-style URLs and bare postgresql:// both mean psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def build_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The settings of one app instance: environment first, then explicit overrides."""
    overrides = dict(overrides or {})
    env = os.environ
    redis_url = env.get("REDIS_URL") or None
    config: dict[str, Any] = {
        "SECRET_KEY": overrides.pop("SECRET_KEY", None) or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": overrides.pop("SQLALCHEMY_DATABASE_URI", None)
        or _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SEARCH_INDEX_DIR": env.get("SEARCH_INDEX_DIR") or str(instance_path / "search-index"),
        "REDIS_URL": redis_url,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"},
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Cercle <no-reply@cercle.invalid>"),
        "SITE_NAME": env.get("SITE_NAME", "Alpenglow Club"),
        "PREFERRED_URL_SCHEME": env.get("PREFERRED_URL_SCHEME", "http"),
        "SERVER_NAME": env.get("SERVER_NAME") or None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ["en", "fr"],
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_STRATEGY": "moving-window",
        # Per client address, and per account for logins (distributed guessing).
        "LOGIN_RATE_LIMIT": "10 per minute;60 per hour",
        "LOGIN_ACCOUNT_RATE_LIMIT": "20 per 10 minutes",
        "REGISTER_RATE_LIMIT": "10 per hour",
        "RESET_RATE_LIMIT": "5 per 10 minutes",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "").lower() in {"1", "true"},
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "VERIFY_TOKEN_MAX_AGE": 3 * 24 * 3600,
        "RESET_TOKEN_MAX_AGE": 2 * 3600,
        # Buffered topic views are written every VIEW_FLUSH_SECONDS, or sooner once
        # VIEW_FLUSH_SIZE distinct views wait (app/community/forums/views.py).
        "VIEW_FLUSH_SECONDS": float(env.get("VIEW_FLUSH_SECONDS", "10")),
        "VIEW_FLUSH_SIZE": int(env.get("VIEW_FLUSH_SIZE", "500")),
        # The in-process scheduler of `make run` (app/core/scheduler.py).
        "SCHEDULER_ENABLED": env.get("SCHEDULER_ENABLED", "").lower() in {"1", "true"},
    }
    config.update(overrides)
    return config
