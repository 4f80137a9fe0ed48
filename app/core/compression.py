"""Response compression (Flask-Compress): Brotli or gzip, for text that gains from it.

Pages are 26–61 KiB of HTML that compress five to ten times. Only text types are listed
(images, fonts and archives are compressed already), responses under COMPRESS_MIN_SIZE
bytes are sent as they are (the headers would outweigh the saving), and Socket.IO never
passes through here (Engine.IO answers before Flask). Brotli at quality 4 costs about as
much CPU as gzip at 6 and saves more; static files are compressed as they stream.
"""

from __future__ import annotations

from flask import Flask

from app.extensions import compress

TEXT_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "text/xml",
    "application/javascript",
    "application/json",
    "application/problem+json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "image/svg+xml",
]

DEFAULTS = {
    "COMPRESS_MIMETYPES": TEXT_TYPES,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 1024,
}


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    compress.init_app(app)
