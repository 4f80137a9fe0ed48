"""Forum demo content (`flask seed demo`) and load-test data (`flask seed load --scale N`).

Both write rows in bulk (Core inserts of prepared dicts, explicit ids) rather than through
the services: it is hundreds of times faster, and the rules the services keep are kept
here by construction — every stored counter (topic, category and member post, topic and
like counts, last activity) is computed from the rows written, in the same transaction.
Both are deterministic for a given database state (fixed random seeds).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import click
from sqlalchemy import Table, bindparam, func, insert, select, text, update

from app.community.forums import access
from app.community.forums.models import (
    Category,
    Post,
    PostLike,
    PostRevision,
    Topic,
    TopicFollow,
)
from app.community.forums.seed_content import (
    CATEGORIES,
    EDIT_ADDITIONS,
    FABRIC_PRODUCTS,
    PLACES,
    PRODUCT_PHRASES,
    REPLY_BODIES,
    REPLY_CLOSERS,
    REPLY_OPENERS,
    SEASONS,
    SEED_TOPICS,
    STAFF_ANSWERS,
    TITLE_PATTERNS,
    TOPIC_OPENERS,
    TOPIC_QUESTIONS,
)
from app.community.forums.services.base import slugify
from app.core.db import unit_of_work
from app.core.markup import render_markdown
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.models import Interest, Member
from app.members.seed import PRODUCTS

CHUNK = 5_000
POSTS_PER_SCALE = 10_000
LOAD_MEMBERS = 2_000
LOAD_USERNAME_PREFIX = "load"
DEMO_GENERATED_TOPICS = 176
DEMO_SPAN_DAYS = 540  # about 18 months


# --- shared helpers -----------------------------------------------------------------------


def _table(model: Any) -> Table:
    return model.__table__


def _next_id(model: Any) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _chunks(rows: list[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(model: Any, rows: list[dict]) -> None:
    """Core executemany insert, in chunks."""
    for chunk in _chunks(rows):
        db.session.execute(insert(_table(model)), chunk)


def _sync_sequences(*models: Any) -> None:
    """After inserts with explicit ids, move PostgreSQL's id sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        name = _table(model).name
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
        )


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load (both engines use them)."""
    with unit_of_work():
        db.session.execute(text("ANALYZE"))


def ensure_categories() -> list[Category]:
    """The six demo categories (created when there is none), in display order."""
    categories = list(db.session.scalars(select(Category).order_by(Category.position)))
    if categories:
        return categories
    interests = dict(db.session.execute(select(Interest.slug, Interest.id)).all())
    now = utcnow()
    for position, row in enumerate(CATEGORIES):
        slug, name_en, name_fr, desc_en, desc_fr, colour, interest, min_tier, roles, _ = row
        db.session.add(
            Category(
                slug=slug,
                name_en=name_en,
                name_fr=name_fr,
                description_en=desc_en,
                description_fr=desc_fr,
                colour=colour,
                position=position * 10,
                allowed_roles=roles,
                min_tier_rank=min_tier,
                interest_id=interests.get(interest) if interest else None,
                topic_count=0,
                post_count=0,
                created_at=now - timedelta(days=DEMO_SPAN_DAYS + 30),
            )
        )
    db.session.flush()
    return list(db.session.scalars(select(Category).order_by(Category.position)))


def _subject(category: Category) -> str:
    for row in CATEGORIES:
        if row[0] == category.slug:
            return row[-1]
    return "trips"


@dataclass
class _Counters:
    """Deltas of the stored counters, applied once at the end."""

    member_topics: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    member_posts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    member_likes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    category_topics: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    category_posts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    category_last: dict[int, tuple[datetime, int]] = field(default_factory=dict)

    def topic(self, row: dict) -> None:
        cat = row["category_id"]
        self.category_topics[cat] += 1
        self.category_posts[cat] += row["post_count"]
        self.member_topics[row["author_id"]] += 1
        last = (row["last_posted_at"], row["id"])
        if cat not in self.category_last or last > self.category_last[cat]:
            self.category_last[cat] = last

    def apply(self) -> None:
        members = _table(Member)
        ids = set(self.member_topics) | set(self.member_posts) | set(self.member_likes)
        rows = [
            {
                "mid": mid,
                "t": self.member_topics.get(mid, 0),
                "p": self.member_posts.get(mid, 0),
                "l": self.member_likes.get(mid, 0),
            }
            for mid in sorted(ids)
        ]
        if rows:
            db.session.execute(
                update(members)
                .where(members.c.id == bindparam("mid"))
                .values(
                    topic_count=members.c.topic_count + bindparam("t"),
                    post_count=members.c.post_count + bindparam("p"),
                    likes_received=members.c.likes_received + bindparam("l"),
                ),
                rows,
            )
        for category in db.session.scalars(select(Category)):
            if category.id not in self.category_topics:
                continue
            category.topic_count += self.category_topics[category.id]
            category.post_count += self.category_posts[category.id]
            last_at, last_topic = self.category_last[category.id]
            current = aware(category.last_posted_at)
            if current is None or last_at >= current:
                category.last_posted_at = last_at
                category.last_topic_id = last_topic
        db.session.flush()


# --- demo content ---------------------------------------------------------------------------


class _Filler:
    """Fills {product}, {fabric}, {place}, {season}, {n}, {days} in a language."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, template: str, lang: str) -> str:
        rng = self.rng
        phrases = PRODUCT_PHRASES[lang]
        return template.format(
            product=phrases[rng.choice(PRODUCTS)[0]],
            fabric=phrases[rng.choice(FABRIC_PRODUCTS)],
            place=rng.choice(PLACES[lang]),
            season=rng.choice(SEASONS[lang]),
            n=rng.randint(3, 60),
            days=rng.randint(3, 14),
        )


def _capitalised(text_: str) -> str:
    return text_[:1].upper() + text_[1:]


@dataclass
class _TopicPlan:
    category: Category
    lang: str
    author: Member | None
    title: str
    body: str
    replies: int
    pinned: bool = False
    lock_reason: str | None = None
    reply_subject: str = ""


class _DemoBuilder:
    """Builds the demo topics, posts, likes and revisions as rows, then inserts them."""

    def __init__(self, rng: random.Random, categories: list[Category], members: list[Member]):
        self.rng = rng
        self.fill = _Filler(rng)
        self.now = utcnow()
        self.categories = categories
        self.by_subject = {_subject(c): c for c in categories}
        self.members = members
        self.by_username = {m.username: m for m in members}
        self.members_by_id = {m.id: m for m in members}
        self.joined = {m.id: aware(m.created_at) for m in members}
        self.readers = {c.id: [m for m in members if access.can_read(m, c)] for c in categories}
        self.topic_id = _next_id(Topic)
        self.post_id = _next_id(Post)
        self.topics: list[dict] = []
        self.posts: list[dict] = []
        self.likes: list[dict] = []
        self.revisions: list[dict] = []
        self.follows: list[dict] = []
        self.counters = _Counters()
        self._html: dict[str, str] = {}

    # -- planning --

    def plans(self) -> list[_TopicPlan]:
        rng = self.rng
        plans = []
        for subject, lang, username, title, body, flags in SEED_TOPICS:
            category = self.by_subject[subject]
            flag_set = flags.split()
            lock_reason = flags.split("locked:", 1)[1] if "locked:" in flags else None
            long = "long" in flag_set
            plans.append(
                _TopicPlan(
                    category=category,
                    lang=lang,
                    author=self.by_username.get(username or ""),
                    title=title,
                    body=body,
                    replies=rng.randint(45, 80) if long else rng.randint(5, 22),
                    pinned="pinned" in flag_set,
                    lock_reason=lock_reason,
                    reply_subject="general" if title.startswith("Welcome to the") else "",
                )
            )
        weights = {"tents": 5, "packs": 4, "trips": 6, "repair": 4, "lounge": 2, "staff": 1}
        subjects = list(weights)
        for _ in range(DEMO_GENERATED_TOPICS):
            subject = rng.choices(subjects, [weights[s] for s in subjects])[0]
            category = self.by_subject[subject]
            author = rng.choice(self.readers[category.id])
            lang = author.locale or "en"
            title = _capitalised(self.fill(rng.choice(TITLE_PATTERNS[lang][subject]), lang))
            parts = [rng.choice(TOPIC_OPENERS[lang])]
            parts += [
                self.fill(b, lang)
                for b in rng.sample(REPLY_BODIES[lang][subject], k=rng.randint(1, 2))
            ]
            parts.append(rng.choice(TOPIC_QUESTIONS[lang]))
            size = rng.random()
            replies = (
                rng.randint(1, 6)
                if size < 0.5
                else rng.randint(7, 14)
                if size < 0.85
                else rng.randint(15, 30)
            )
            plans.append(
                _TopicPlan(category, lang, author, title[:200], "\n\n".join(parts), replies)
            )
        return plans

    # -- helpers --

    def html(self, body: str) -> str:
        if body not in self._html:
            self._html[body] = render_markdown(body)
        return self._html[body]

    def eligible(self, category: Category, at: datetime, exclude: int | None = None) -> list:
        return [m for m in self.readers[category.id] if self.joined[m.id] <= at and m.id != exclude]

    def reply_body(self, plan: _TopicPlan, member: Member, used: set[str]) -> str:
        rng, lang = self.rng, member.locale or "en"
        subject = plan.reply_subject or _subject(plan.category)
        if member.role == "product" and subject in {"tents", "packs", "lounge"}:
            return rng.choice(STAFF_ANSWERS[lang])
        pool = REPLY_BODIES[lang][subject]
        fresh = [b for b in pool if b not in used] or pool
        first = rng.choice(fresh)
        used.add(first)
        parts = [self.fill(first, lang)]
        if rng.random() < 0.4 and subject != "general":
            opener = rng.choice(REPLY_OPENERS[lang])
            # "From my experience: open both vents" reads on; "Same here! Open..." starts anew.
            first_text = parts[0]
            lower = opener.endswith(":") and first_text[1:2].islower()
            joined = first_text[0].lower() + first_text[1:] if lower else first_text
            parts[0] = f"{opener} {joined}"
        seconds = [b for b in pool if b not in used]
        if seconds and rng.random() < 0.3 and subject != "general":
            second = rng.choice(seconds)
            used.add(second)
            parts.append(self.fill(second, lang))
        closer = rng.choice(REPLY_CLOSERS[lang]) if rng.random() < 0.35 else ""
        if closer:
            parts.append(closer)
        return "\n\n".join(parts)

    def quote(self, member: Member, quoted: dict, topic_id: int, slug: str) -> str:
        """The blockquote the topic page's Quote button makes (routes._quote_markdown),
        trimmed to the quoted post's first line as people do."""
        name = self.by_id(quoted["author_id"]).username
        link = f"/t/{topic_id}-{slug}/{quoted['post_number']}"
        header = (
            f"**@{name}** [a écrit]({link}) :"
            if member.locale == "fr"
            else f"**@{name}** [wrote]({link}):"
        )
        return f"> {header}\n> {self.excerpt(quoted['body'])}\n\n"

    @staticmethod
    def excerpt(body: str) -> str:
        lines = [line for line in body.split("\n") if line and not line.startswith(">")]
        text_ = lines[0] if lines else body
        return text_ if len(text_) <= 200 else text_[:197].rsplit(" ", 1)[0] + "…"

    # -- building --

    def build(self) -> None:
        rng = self.rng
        plans = self.plans()
        rng.shuffle(plans)
        for plan in plans:
            self.build_topic(plan)

    def build_topic(self, plan: _TopicPlan) -> None:
        rng, now = self.rng, self.now
        # More topics lately: the club grows.
        age = DEMO_SPAN_DAYS * rng.random() ** 1.6 + 0.2
        start = now - timedelta(days=age, minutes=rng.randint(0, 240))
        if plan.pinned:  # the welcome posts are among the oldest
            start = now - timedelta(days=DEMO_SPAN_DAYS + rng.uniform(0, 10))
        author = plan.author or rng.choice(self.eligible(plan.category, start))
        start = max(start, self.joined[author.id] + timedelta(days=1))
        topic_id = self.topic_id
        self.topic_id += 1
        slug = slugify(plan.title)

        # Reply times: exponential gaps, squeezed into the time left before now.
        gaps = [rng.expovariate(1 / 9.0) for _ in range(plan.replies)]  # hours
        room = (now - start).total_seconds() / 3600 * 0.97
        scale = min(1.0, room / sum(gaps)) if gaps else 1.0
        times, t = [start], start
        for gap in gaps:
            t += timedelta(hours=gap * scale, minutes=1)
            times.append(t)

        posts: list[dict] = []
        used: set[str] = set()
        for number, at in enumerate(times, start=1):
            if number == 1:
                member, body, reply_to = author, plan.body, None
            else:
                candidates = self.eligible(plan.category, at) or [author]
                same = [m for m in candidates if (m.locale or "en") == plan.lang]
                pool = same if same and rng.random() < 0.85 else candidates
                member = rng.choice(pool)
                body, reply_to = self.reply_body(plan, member, used), None
                earlier = [p for p in posts if p["author_id"] != member.id]
                if number >= 3 and earlier and rng.random() < 0.08:
                    quoted = rng.choice(earlier)
                    body = self.quote(member, quoted, topic_id, slug) + body
                    reply_to = quoted["id"]
            post = {
                "id": self.post_id,
                "topic_id": topic_id,
                "post_number": number,
                "author_id": member.id,
                "body": body,
                "body_html": "",
                "reply_to_post_id": reply_to,
                "created_at": at,
                "edited_at": None,
                "revision_count": 0,
                "like_count": 0,
                "deleted_at": None,
                "deleted_by_id": None,
            }
            self.post_id += 1
            if rng.random() < 0.06 and at < now - timedelta(days=1):
                self.edit(post, plan, member)
            post["body_html"] = self.html(post["body"])
            self.like(post, plan.category)
            posts.append(post)

        last = posts[-1]
        topic = {
            "id": topic_id,
            "category_id": plan.category.id,
            "author_id": author.id,
            "title": plan.title,
            "slug": slug,
            "created_at": start,
            "last_posted_at": last["created_at"],
            "last_poster_id": last["author_id"],
            "post_count": len(posts),
            "highest_post_number": len(posts),
            "like_count": sum(p["like_count"] for p in posts),
            "view_count": len(posts) * rng.randint(4, 25) + rng.randint(0, 60),
            "pinned": plan.pinned,
            "locked": plan.lock_reason is not None,
            "lock_reason": plan.lock_reason or "",
            "deleted_at": None,
            "deleted_by_id": None,
        }
        self.topics.append(topic)
        self.posts.extend(posts)
        self.follows.append({"topic_id": topic_id, "member_id": author.id, "created_at": start})
        self.counters.topic(topic)
        for post in posts:
            self.counters.member_posts[post["author_id"]] += 1

    def by_id(self, member_id: int) -> Member:
        return self.members_by_id[member_id]

    def edit(self, post: dict, plan: _TopicPlan, member: Member) -> None:
        rng = self.rng
        edited = post["created_at"] + timedelta(minutes=rng.randint(5, 1200))
        earlier = post["body"]
        post["body"] = earlier + "\n\n" + rng.choice(EDIT_ADDITIONS[member.locale or "en"])
        post["edited_at"] = edited
        post["revision_count"] = 1
        self.revisions.append(
            {
                "post_id": post["id"],
                "number": 1,
                "body": earlier,
                "title": plan.title if post["post_number"] == 1 else None,
                "editor_id": member.id,
                "created_at": edited,
            }
        )

    def like(self, post: dict, category: Category) -> None:
        rng = self.rng
        roll = rng.random()
        wanted = (
            0
            if roll < 0.5
            else rng.randint(1, 2)
            if roll < 0.8
            else rng.randint(3, 6)
            if roll < 0.95
            else rng.randint(7, 16)
        )
        if not wanted:
            return
        likers = self.eligible(category, post["created_at"], exclude=post["author_id"])
        for member in rng.sample(likers, k=min(wanted, len(likers))):
            at = min(post["created_at"] + timedelta(minutes=rng.randint(1, 4000)), self.now)
            self.likes.append({"post_id": post["id"], "member_id": member.id, "created_at": at})
        count = min(wanted, len(likers))
        post["like_count"] = count
        self.counters.member_likes[post["author_id"]] += count

    def insert(self) -> None:
        self.topics.sort(key=lambda r: r["id"])
        self.posts.sort(key=lambda r: r["id"])
        _insert(Topic, self.topics)
        _insert(Post, self.posts)
        _insert(PostRevision, self.revisions)
        _insert(PostLike, self.likes)
        _insert(TopicFollow, self.follows)
        _sync_sequences(Topic, Post)
        self.counters.apply()


def _forum_counts() -> dict:
    def count(model: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return {
        "categories": count(Category),
        "topics": count(Topic),
        "posts": count(Post),
        "likes": count(PostLike),
        "revisions": count(PostRevision),
    }


def seed_forums() -> dict:
    """The demo forums: 6 categories, 200+ topics, 2,000+ posts in EN and FR, with likes,
    quotes, edits, pinned and locked topics over ~18 months. Adds nothing when categories
    exist; returns the table counts either way. Needs the demo members (seed_members)."""
    if db.session.scalar(select(func.count()).select_from(Category)):
        return _forum_counts()
    with unit_of_work():
        categories = ensure_categories()
        members = list(db.session.scalars(select(Member).order_by(Member.id)))
        if not members:
            raise click.ClickException("No members: run seed_members() first.")
        builder = _DemoBuilder(random.Random(20260401), categories, members)
        builder.build()
        builder.insert()
        from app.community.forums.seed_comforts import seed_comforts

        seed_comforts([m.id for m in members])
    _analyze()
    return _forum_counts()


# --- load-test data -------------------------------------------------------------------------


def _topic_lengths(rng: random.Random, total: int) -> Iterator[int]:
    """Mostly short topics, a fifth of medium ones and a few of 200–600 posts."""
    left = total
    while left > 0:
        roll = rng.random()
        if roll < 0.03:
            length = rng.randint(200, 600)
        elif roll < 0.25:
            length = rng.randint(30, 120)
        else:
            length = rng.randint(2, 30)
        length = min(length, left)
        left -= length
        yield length


def _load_bodies(rng: random.Random) -> list[tuple[str, str]]:
    """A small set of (Markdown, HTML) bodies, rendered once and reused by every post."""
    filler = _Filler(rng)
    bodies = []
    for lang in ("en", "fr"):
        for subject in ("tents", "packs", "trips", "repair"):
            pool = REPLY_BODIES[lang][subject]
            for index in range(6):
                parts = [filler(pool[(index * 3 + k) % len(pool)], lang) for k in range(2)]
                if index % 3 == 0:
                    parts.append("- " + "\n- ".join(filler(b, lang) for b in pool[:3]))
                body = "\n\n".join(parts)
                bodies.append((body, render_markdown(body)))
    return bodies


class _LoadWriter:
    """Buffers topic, post and like rows; writes them in order, in chunks."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.topics: list[dict] = []
        self.posts: list[dict] = []
        self.likes: list[dict] = []

    def add(self, topic: dict, posts: list[dict], likes: list[dict]) -> None:
        self.topics.append(topic)
        self.posts.extend(posts)
        self.likes.extend(likes)
        if len(self.posts) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        written = len(self.posts)
        _insert(Topic, self.topics)  # topics first: posts refer to them
        _insert(Post, self.posts)
        _insert(PostLike, self.likes)
        self.topics, self.posts, self.likes = [], [], []
        self.bar.update(written)


def seed_load(scale: int, progress: bool = True) -> dict:
    """Add `scale` × 10,000 posts by 2,000 new synthetic members, fast (bulk inserts).

    Topics are spread over the categories everyone may read; lengths vary from 2 to 600
    posts so that deep pages exist. Every stored counter stays exact. Running it again
    adds more (usernames continue the `load…` sequence). Returns what was added.
    """
    if scale < 1:
        raise click.BadParameter("scale must be at least 1")
    started = time.perf_counter()
    from app.members.passwords import hash_password

    password_hash = hash_password("load-test-password")  # once: every load member shares it
    with unit_of_work():
        categories = [
            c for c in ensure_categories() if not c.allowed_roles and c.min_tier_rank == 0
        ]
        first_n = (
            db.session.scalar(
                select(func.count())
                .select_from(Member)
                .where(Member.username_lower.like(f"{LOAD_USERNAME_PREFIX}%"))
            )
            or 0
        )
        rng = random.Random(1000 + first_n)
        now = utcnow()
        member_base = _next_id(Member)
        member_ids = list(range(member_base, member_base + LOAD_MEMBERS))
        member_rows = []
        for offset, member_id in enumerate(member_ids):
            n = first_n + offset + 1
            name = f"{LOAD_USERNAME_PREFIX}{n:06d}"
            joined = now - timedelta(days=760 - rng.uniform(0, 20))
            member_rows.append(
                {
                    "id": member_id,
                    "username": name,
                    "username_lower": name,
                    "email": f"{name}@load.example.com",
                    "password_hash": password_hash,
                    "display_name": f"Load tester {n}",
                    "bio": "",
                    "role": "member",
                    "tier": rng.choices(["bronze", "silver", "gold", "platinum"], [60, 25, 10, 5])[
                        0
                    ],
                    "points": rng.randint(0, 5000),
                    "locale": rng.choice(["en", "fr"]),
                    "email_verified_at": joined,
                    "created_at": joined,
                    "last_seen_at": now - timedelta(hours=rng.randint(1, 2000)),
                    "auth_version": 1,
                    "topic_count": 0,
                    "post_count": 0,
                    "likes_received": 0,
                }
            )
        _insert(Member, member_rows)
        _sync_sequences(Member)

        # A few members write most posts, as in real communities.
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(member_ids))]
        bodies = _load_bodies(rng)
        counters = _Counters()
        topic_id, post_id = _next_id(Topic), _next_id(Post)
        total = POSTS_PER_SCALE * scale
        span = 730 * 24 * 3600
        bar_context = (
            click.progressbar(length=total, label=f"seed load: {total:,} posts")
            if progress
            else _NoBar()
        )
        with bar_context as bar:
            writer = _LoadWriter(bar)
            for length in _topic_lengths(rng, total):
                authors = rng.choices(member_ids, weights, k=length)
                start = now - timedelta(seconds=rng.uniform(3600, span))
                step = (now - start).total_seconds() * 0.9 / length
                posts, likes, t = [], [], start
                for number, author in enumerate(authors, start=1):
                    body, html = bodies[rng.randrange(len(bodies))]
                    like_count = 0
                    if rng.random() < 0.1:
                        likers = {m for m in rng.sample(member_ids, 3) if m != author}
                        like_count = rng.randint(1, len(likers)) if likers else 0
                        for liker in list(likers)[:like_count]:
                            likes.append({"post_id": post_id, "member_id": liker, "created_at": t})
                        counters.member_likes[author] += like_count
                    posts.append(
                        {
                            "id": post_id,
                            "topic_id": topic_id,
                            "post_number": number,
                            "author_id": author,
                            "body": body,
                            "body_html": html,
                            "reply_to_post_id": None,
                            "created_at": t,
                            "edited_at": None,
                            "revision_count": 0,
                            "like_count": like_count,
                            "deleted_at": None,
                            "deleted_by_id": None,
                        }
                    )
                    counters.member_posts[author] += 1
                    post_id += 1
                    t += timedelta(seconds=rng.uniform(0.2, 1.8) * step)
                category = categories[rng.randrange(len(categories))]
                title = _load_title(rng, _subject(category), topic_id)
                topic = {
                    "id": topic_id,
                    "category_id": category.id,
                    "author_id": authors[0],
                    "title": title,
                    "slug": slugify(title),
                    "created_at": start,
                    "last_posted_at": posts[-1]["created_at"],
                    "last_poster_id": posts[-1]["author_id"],
                    "post_count": length,
                    "highest_post_number": length,
                    "like_count": sum(p["like_count"] for p in posts),
                    "view_count": length * rng.randint(3, 30),
                    "pinned": False,
                    "locked": False,
                    "lock_reason": "",
                    "deleted_at": None,
                    "deleted_by_id": None,
                }
                counters.topic(topic)
                writer.add(topic, posts, likes)
                topic_id += 1
            writer.flush()
        _sync_sequences(Topic, Post)
        counters.apply()
    _analyze()
    elapsed = time.perf_counter() - started
    added = {
        "members": LOAD_MEMBERS,
        "topics": sum(counters.category_topics.values()),
        "posts": total,
        "seconds": round(elapsed, 1),
    }
    if progress:
        click.echo(
            f"seed load: {added['posts']:,} posts in {added['topics']:,} topics by "
            f"{LOAD_MEMBERS:,} members, {elapsed:.1f} s "
            f"({db.session.get_bind().dialect.name})"
        )
    return added


def _load_title(rng: random.Random, subject: str, topic_id: int) -> str:
    lang = "fr" if rng.random() < 0.4 else "en"
    filler = _Filler(rng)
    title = _capitalised(filler(rng.choice(TITLE_PATTERNS[lang][subject]), lang))
    return f"{title} ({topic_id})"[:200]


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None
