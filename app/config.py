"""Configuration read from the environment, with safe defaults.

Every setting has a default that works on a laptop; production overrides them with
environment variables (see docs/configuration.md).
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Mapping
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


def _flag(env: Mapping[str, str], *names: str) -> bool:
    """True when any of the variables is set to 1, true or yes."""
    return any(env.get(name, "").strip().lower() in {"1", "true", "yes"} for name in names)


def _proxy_count(env: Mapping[str, str], name: str) -> int:
    """How many proxies in front of the app set this X-Forwarded-* header (0: trust none)."""
    raw = env.get(name, "").strip() or "0"
    try:
        count = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of proxies, not {raw!r}") from None
    if count < 0:
        raise ValueError(f"{name} must be 0 or more, not {count}")
    return count


# A host name with an optional port: nothing that could end a CSP directive or add a source.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?")


def image_hosts(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """POST_IMAGE_HOSTS as lower-case `host[:port]` entries (commas or spaces between them).

    A scheme or a trailing slash is tolerated (`https://cdn.example.com/`); anything else
    that is not a plain host is refused at start-up, because each entry is also written
    into the Content-Security-Policy header.
    """
    if value is None:
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    hosts: list[str] = []
    for item in items:
        host = str(item).strip().lower()
        for scheme in ("https://", "http://"):
            if host.startswith(scheme):
                host = host[len(scheme) :]
        host = host.rstrip("/")
        if not _HOST.fullmatch(host):
            raise ValueError(f"POST_IMAGE_HOSTS: {item!r} is not a host name")
        if host not in hosts:
            hosts.append(host)
    return tuple(hosts)


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
        # whoosh (an index on this host's disk) or postgres (shared by every host).
        "SEARCH_BACKEND": env.get("SEARCH_BACKEND", "whoosh").strip().lower() or "whoosh",
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
        # Per member, on forum writes (Discourse's defaults; docs/decisions.md "Hardening:
        # forums"). FLAG_RATE_LIMIT is for moderation flags. Staff are not limited.
        "POST_RATE_LIMIT": env.get("POST_RATE_LIMIT", "1 per 15 seconds;20 per day"),
        "REPLY_RATE_LIMIT": env.get("REPLY_RATE_LIMIT", "1 per 5 seconds;200 per day"),
        "EDIT_RATE_LIMIT": env.get("EDIT_RATE_LIMIT", "30 per day"),
        "LIKE_RATE_LIMIT": env.get("LIKE_RATE_LIMIT", "20 per minute;100 per day"),
        "FLAG_RATE_LIMIT": env.get("FLAG_RATE_LIMIT", "20 per day"),
        # Moderation (docs/configuration.md "Moderation"): trust level 0 posts more slowly,
        # its first N posts wait for approval (0, Discourse's default: none) and its links
        # and images are held; flags hide a post at
        # FLAG_HIDE_THRESHOLD weight; spam heuristics. TRUST_LEVEL_THRESHOLDS and
        # FLAG_WEIGHTS override app.moderation.trust's defaults (Discourse's).
        "NEW_MEMBER_POST_RATE_LIMIT": env.get(
            "NEW_MEMBER_POST_RATE_LIMIT", "1 per minute;5 per day"
        ),
        "NEW_MEMBER_REPLY_RATE_LIMIT": env.get(
            "NEW_MEMBER_REPLY_RATE_LIMIT", "1 per 30 seconds;30 per day"
        ),
        "TRUST_LEVEL_0_LIMITS": {
            "held_posts": int(env.get("TRUST_LEVEL_0_HELD_POSTS", "0")),
            "links": int(env.get("TRUST_LEVEL_0_MAX_LINKS", "0")),
            "images": int(env.get("TRUST_LEVEL_0_MAX_IMAGES", "0")),
        },
        "TRUST_LEVEL_THRESHOLDS": {},
        "FLAG_WEIGHTS": {},
        "FLAG_HIDE_THRESHOLD": int(env.get("FLAG_HIDE_THRESHOLD", "3")),
        "SPAM_VELOCITY": (
            int(env.get("SPAM_VELOCITY_POSTS", "10")),
            int(env.get("SPAM_VELOCITY_SECONDS", "300")),
        ),
        "SPAM_SAME_CONTENT_TOPICS": int(env.get("SPAM_SAME_CONTENT_TOPICS", "1")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Served over HTTPS: session and remember-me cookies are Secure and HSTS is sent.
        # SESSION_COOKIE_SECURE is the older name of the same switch.
        "SECURE_COOKIES": _flag(env, "SECURE_COOKIES", "SESSION_COOKIE_SECURE"),
        # Behind N reverse proxies, trust the last N X-Forwarded-For/-Proto/-Host values
        # (app/core/security.py); 0 ignores the headers, which anyone can send.
        "PROXY_FIX_X_FOR": _proxy_count(env, "PROXY_FIX_X_FOR"),
        "PROXY_FIX_X_PROTO": _proxy_count(env, "PROXY_FIX_X_PROTO"),
        "PROXY_FIX_X_HOST": _proxy_count(env, "PROXY_FIX_X_HOST"),
        # Hosts whose images a post may show inline; any other image is a link (markup.py).
        "POST_IMAGE_HOSTS": env.get("POST_IMAGE_HOSTS", ""),
        # Uploaded images (app/community/uploads): limits, a daily quota per member, and
        # where the files go: "local" (UPLOAD_DIR) or "s3" (any S3-compatible bucket;
        # credentials the usual boto3 way). docs/deploy.md "Uploads".
        "UPLOAD_MAX_BYTES": int(env.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))),
        "UPLOAD_MAX_PIXELS": int(env.get("UPLOAD_MAX_PIXELS", "40000000")),
        "UPLOAD_MAX_DIMENSION": int(env.get("UPLOAD_MAX_DIMENSION", "12000")),
        "UPLOAD_JPEG_QUALITY": int(env.get("UPLOAD_JPEG_QUALITY", "85")),
        "UPLOAD_DAILY_QUOTA": int(env.get("UPLOAD_DAILY_QUOTA", "40")),
        "UPLOAD_STORAGE": env.get("UPLOAD_STORAGE", "local").strip().lower() or "local",
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(instance_path / "uploads"),
        "UPLOAD_S3_BUCKET": env.get("UPLOAD_S3_BUCKET") or None,
        "UPLOAD_S3_PREFIX": env.get("UPLOAD_S3_PREFIX", "uploads/"),
        "UPLOAD_S3_ENDPOINT_URL": env.get("UPLOAD_S3_ENDPOINT_URL") or None,
        "UPLOAD_S3_REGION": env.get("UPLOAD_S3_REGION") or None,
        # Composer drafts saved as the member types (app/community/forums/drafts.py).
        "DRAFT_RATE_LIMIT": env.get("DRAFT_RATE_LIMIT", "30 per minute;1000 per day"),
        "WTF_CSRF_TIME_LIMIT": None,
        "VERIFY_TOKEN_MAX_AGE": 3 * 24 * 3600,
        "RESET_TOKEN_MAX_AGE": 2 * 3600,
        # Buffered topic views are written every VIEW_FLUSH_SECONDS, or sooner once
        # VIEW_FLUSH_SIZE distinct views wait (app/community/forums/views.py).
        "VIEW_FLUSH_SECONDS": float(env.get("VIEW_FLUSH_SECONDS", "10")),
        "VIEW_FLUSH_SIZE": int(env.get("VIEW_FLUSH_SIZE", "500")),
        # The reactions offered beside the like, space-separated (a small set: each post
        # shows a button per reaction used, and a picker of all of them).
        "FORUM_REACTIONS": env.get("FORUM_REACTIONS", "👍 🎉 😂 😮 🙏").split(),
        # The web process's scheduler thread (app/core/jobs.py): its own jobs (buffered
        # views) and, with EMBEDDED_WORKER, the worker's (events, mail). `make run` sets it.
        "SCHEDULER_ENABLED": env.get("SCHEDULER_ENABLED", "").lower() in {"1", "true"},
        # One request at a time per process on SQLite (app/core/db.py). Unset: on with
        # CPython < 3.12, where a threaded server crashes (docs/performance.md); 1/0 force it.
        "SQLITE_SERIALIZE_REQUESTS": {"1": True, "true": True, "0": False, "false": False}.get(
            env.get("SQLITE_SERIALIZE_REQUESTS", "").strip().lower()
        ),
        "EMBEDDED_WORKER": env.get("EMBEDDED_WORKER", "1").lower() in {"1", "true"},
        # Durable events (app/core/worker.py): poll interval, retries before parking.
        "EVENT_POLL_SECONDS": float(env.get("EVENT_POLL_SECONDS", "1")),
        "EVENT_MAX_ATTEMPTS": int(env.get("EVENT_MAX_ATTEMPTS", "5")),
        "EVENT_RETRY_BASE_SECONDS": float(env.get("EVENT_RETRY_BASE_SECONDS", "2")),
        # Mail (app/notifications/mail.py): without MAIL_SERVER, messages go to files here.
        "MAIL_FILE_DIR": env.get("MAIL_FILE_DIR") or str(instance_path / "mail"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "10")),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", "5")),
        "MAIL_RETRY_BASE_SECONDS": float(env.get("MAIL_RETRY_BASE_SECONDS", "60")),
        # Notifications (app/notifications): the site's address in emails sent by the
        # worker, the hourly cap of notification emails per member, mentions per post.
        "SITE_URL": env.get("SITE_URL") or f"http://127.0.0.1:{env.get('PORT', '5000')}",
        "NOTIFY_EMAIL_PER_HOUR": int(env.get("NOTIFY_EMAIL_PER_HOUR", "6")),
        "NOTIFY_MAX_MENTIONS": int(env.get("NOTIFY_MAX_MENTIONS", "10")),
        "REALTIME_PRESENCE_SECONDS": float(env.get("REALTIME_PRESENCE_SECONDS", "1")),
        # Single customer view (docs/decisions.md "Single customer view"): the engagement
        # score is Σ weight × 0.5^(age / half-life); weights per engagement type.
        "ENGAGEMENT_WEIGHTS": {
            "registered": 1.0,
            "logged_in": 0.5,
            "topic_viewed": 0.5,
            "searched": 0.5,
            "posted": 5.0,
            "replied": 3.0,
            "liked": 1.0,
            "like_received": 2.0,
            "followed": 1.0,
            "purchase": 8.0,
            "store_visit": 3.0,
            "support_ticket": 1.0,
            "newsletter_click": 1.0,
            "poll_answer": 3.0,
            "reacted": 1.0,
            "solution_received": 6.0,
        },
        "ENGAGEMENT_HALF_LIFE_DAYS": float(env.get("ENGAGEMENT_HALF_LIFE_DAYS", "30")),
        # Inferred interests: weight of reading, liking and writing in a category's interest.
        "AFFINITY_WEIGHTS": {"topic_viewed": 1.0, "liked": 2.0, "posted": 3.0, "replied": 3.0},
        "LIFECYCLE_NEW_DAYS": int(env.get("LIFECYCLE_NEW_DAYS", "30")),
        "LIFECYCLE_ACTIVE_DAYS": int(env.get("LIFECYCLE_ACTIVE_DAYS", "30")),
        "LIFECYCLE_LAPSED_DAYS": int(env.get("LIFECYCLE_LAPSED_DAYS", "90")),
        "ADVOCATE_SCORE": float(env.get("ADVOCATE_SCORE", "40")),
        # Purchases are valued in BASE_CURRENCY; other currencies at these fixed rates.
        "BASE_CURRENCY": env.get("BASE_CURRENCY", "EUR"),
        "CURRENCY_RATES": {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.05},
        # RFM: a purchase recency (days), a frequency and a value (base units) per score 5..2.
        "RFM_RECENCY_DAYS": (30, 90, 180, 365),
        "RFM_FREQUENCY": (12, 6, 3, 2),
        "RFM_MONETARY": (2000, 800, 300, 100),
        # Tiers on rolling 12-month points (admins change them in /admin/loyalty/tiers).
        "TIER_THRESHOLDS": {"bronze": 0, "silver": 500, "gold": 2000, "platinum": 5000},
        "LOYALTY_WINDOW_DAYS": int(env.get("LOYALTY_WINDOW_DAYS", "365")),
        # Events API (app/api): per key; batches of at most API_MAX_BATCH events.
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "600 per minute"),
        "API_MAX_BATCH": int(env.get("API_MAX_BATCH", "1000")),
        # Webhooks (tier_changed, lifecycle_changed): signed, retried with backoff.
        "WEBHOOK_TIMEOUT": float(env.get("WEBHOOK_TIMEOUT", "5")),
        "WEBHOOK_MAX_ATTEMPTS": int(env.get("WEBHOOK_MAX_ATTEMPTS", "8")),
        "WEBHOOK_RETRY_BASE_SECONDS": float(env.get("WEBHOOK_RETRY_BASE_SECONDS", "30")),
    }
    testing_without_index_dir = overrides.get("TESTING") and "SEARCH_INDEX_DIR" not in overrides
    testing_without_upload_dir = overrides.get("TESTING") and "UPLOAD_DIR" not in overrides
    config.update(overrides)
    if testing_without_index_dir and not env.get("SEARCH_INDEX_DIR"):
        # Tests that run the worker's jobs never write an index into the repository.
        config["SEARCH_INDEX_DIR"] = tempfile.mkdtemp(prefix="cercle-search-")
    if testing_without_upload_dir and not env.get("UPLOAD_DIR"):
        config["UPLOAD_DIR"] = tempfile.mkdtemp(prefix="cercle-uploads-")
    config["POST_IMAGE_HOSTS"] = image_hosts(config["POST_IMAGE_HOSTS"])
    if config["SECURE_COOKIES"]:
        # Set after the overrides, so one switch covers both cookies whoever sets it.
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        # The __Host- prefix makes browsers refuse these cookies unless they are Secure,
        # host-only and for path /: a sibling subdomain or a plain-HTTP page cannot plant
        # a session (fixation). Renaming logs everyone out once, when the switch is set.
        config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        config.setdefault("REMEMBER_COOKIE_NAME", "__Host-remember_token")
    return config
