"""The forum pages answer in French when the browser asks for it."""

from __future__ import annotations

import pytest

from tests.community.factories import topic_with_posts

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def long_topic(category):  # type: ignore[no-untyped-def]
    return topic_with_posts(25, category=category)


@pytest.mark.parametrize(
    ("path", "french"),
    [
        ("/forums/", "Catégorie"),
        ("/latest", "Sujets récents"),
        ("/forums/tents/", "Réponses"),
        ("{topic}", "Réponses"),
        ("{topic}?page=2", "Précédent"),
    ],
)
def test_forum_pages_answer_in_french(client, long_topic, path, french):  # type: ignore[no-untyped-def]
    url = path.format(topic=f"/t/{long_topic.id}-{long_topic.slug}")
    response = client.get(url, headers=FR)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert french in html
