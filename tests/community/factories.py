"""Forum factories bound to the test session (flush, never commit).

They write rows directly, counters included, for tests that need a scene; tests of the
rules themselves go through the services.
"""

from __future__ import annotations

import factory

from app.community.forums.models import Category, Post, Topic
from app.core.markup import render_markdown
from app.core.time import utcnow
from tests.factories import BaseFactory, MemberFactory


class CategoryFactory(BaseFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    name_fr = factory.Sequence(lambda n: f"Catégorie {n}")
    description_en = "Talk about things."
    description_fr = "Parlons de choses."
    colour = "#2f6f8f"
    position = factory.Sequence(lambda n: n)
    allowed_roles = None
    min_tier_rank = 0
    topic_count = 0
    post_count = 0


class TopicFactory(BaseFactory):
    class Meta:
        model = Topic

    category = factory.SubFactory(CategoryFactory)
    author = factory.SubFactory(MemberFactory)
    title = factory.Sequence(lambda n: f"Topic number {n}")
    slug = factory.Sequence(lambda n: f"topic-number-{n}")
    created_at = factory.LazyFunction(utcnow)
    last_posted_at = factory.LazyFunction(utcnow)
    last_poster_id = factory.SelfAttribute("author.id")
    post_count = 0
    highest_post_number = 0
    like_count = 0
    view_count = 0
    pinned = False
    locked = False
    lock_reason = ""


class PostFactory(BaseFactory):
    class Meta:
        model = Post

    topic = factory.SubFactory(TopicFactory)
    author = factory.SubFactory(MemberFactory)
    post_number = factory.LazyAttribute(lambda o: o.topic.highest_post_number + 1)
    body = factory.Sequence(lambda n: f"Post body number {n}.")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))
    created_at = factory.LazyFunction(utcnow)
    # Visible since it was written (a held post has none until approved).
    published_at = factory.SelfAttribute("created_at")
    revision_count = 0
    like_count = 0

    @factory.post_generation
    def keep_counters(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        topic = obj.topic
        topic.highest_post_number = max(topic.highest_post_number, obj.post_number)
        topic.post_count += 1
        topic.last_posted_at = obj.created_at
        topic.last_poster_id = obj.author_id
        if obj.post_number == 1:
            topic.category.topic_count += 1
        topic.category.post_count += 1
        topic.category.last_topic_id = topic.id
        topic.category.last_posted_at = obj.created_at


def topic_with_posts(n: int, **topic_fields) -> Topic:  # type: ignore[no-untyped-def]
    """A topic and its `n` posts (the first by the topic's author), counters kept."""
    topic = TopicFactory(**topic_fields)
    PostFactory(topic=topic, author=topic.author)
    authors = [MemberFactory() for _ in range(3)] if n > 1 else []
    for i in range(1, n):
        PostFactory(topic=topic, author=authors[i % len(authors)])
    from app.extensions import db

    db.session.flush()
    return topic
