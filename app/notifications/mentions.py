"""@mentions and quotes found in a post's Markdown source.

A mention is `@username` outside code and outside quoted lines; a quote is a quoted block
whose attribution names `@username` (the forums' quote button writes
`> **@name** [wrote](link):`). Unknown names stay plain text and notify nobody.

`resolve` is core's mention resolver (app/core/markup.py `set_mention_resolver`,
registered with this blueprint): rendered posts link `@name` of an existing, not erased
member to their profile.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.members.models import Member

# The same characters a username may hold (app/members/forms.py), after a non-word char.
_MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,29})")
_FENCE = re.compile(r"^(```|~~~)")
_CODE_SPAN = re.compile(r"`[^`]*`")
_QUOTE_AUTHOR = re.compile(r"^>\s*\*\*@([A-Za-z0-9_][A-Za-z0-9_.-]{1,29})\*\*")


def _clean(name: str) -> str:
    return name.rstrip(".-").lower()


def parse(body: str) -> tuple[list[str], list[str]]:
    """(mentioned names, quoted names), lower-cased, in order of appearance, unique."""
    mentioned: list[str] = []
    quoted: list[str] = []
    in_fence = False
    for line in (body or "").splitlines():
        stripped = line.strip()
        if _FENCE.match(stripped):
            in_fence = not in_fence
            continue
        if in_fence or line.startswith(("    ", "\t")):
            continue
        if stripped.startswith(">"):
            if match := _QUOTE_AUTHOR.match(stripped):
                name = _clean(match.group(1))
                if name not in quoted:
                    quoted.append(name)
            continue
        for match in _MENTION.finditer(_CODE_SPAN.sub("", line)):
            name = _clean(match.group(1))
            if name not in mentioned:
                mentioned.append(name)
    return mentioned, quoted


def members_named(names: list[str]) -> list[Member]:
    """The members with these usernames (case-insensitive), in the given order."""
    if not names:
        return []
    found = {
        m.username_lower: m
        for m in db.session.scalars(select(Member).where(Member.username_lower.in_(names)))
    }
    return [found[n] for n in names if n in found]


def suggest(prefix: str, limit: int = 8) -> list[Member]:
    """Members whose username starts with `prefix` (for the @ autocomplete)."""
    prefix = (prefix or "").lstrip("@").lower()
    if not re.fullmatch(r"[a-z0-9_.-]{1,30}", prefix):
        return []
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        db.session.scalars(
            select(Member)
            .where(Member.username_lower.like(f"{escaped}%", escape="\\"))
            .order_by(func.length(Member.username_lower), Member.username_lower)
            .limit(limit)
        )
    )


def resolve(names: set[str]) -> dict[str, str]:
    """{lower-cased name: profile URL} for the names of existing members (erased accounts
    excluded): one query. The URL is relative, built without a request (posts are also
    rendered by the worker and CLI commands)."""
    if not names:
        return {}
    rows = db.session.execute(
        select(Member.username_lower, Member.username).where(
            Member.username_lower.in_(sorted(names)), Member.erased_at.is_(None)
        )
    )
    urls = current_app.url_map.bind("localhost", script_name="/")
    return {
        lower: urls.build("members.profile", {"username": username}) for lower, username in rows
    }
