"""The home page: what is new, chosen first from the member's interests."""

from __future__ import annotations

from flask import render_template
from flask_babel import get_locale
from flask_login import current_user

from app.community.forums import queries as community
from app.personalisation import bp

HOME_TOPICS = 8


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    locale = str(get_locale())
    interests = []
    if current_user.is_authenticated:
        interests = current_user.interests
    interest_ids = [i.id for i in interests]
    for_you = (
        community.topics_for_interests(current_user, interest_ids, limit=HOME_TOPICS)
        if interest_ids
        else []
    )
    latest = community.latest_topics(current_user, limit=HOME_TOPICS)
    return render_template(
        "personalisation/home.html",
        interests=interests,
        for_you=for_you,
        latest=latest,
        categories=community.categories_overview(current_user),
        locale=locale,
    )
