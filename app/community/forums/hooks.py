"""Content checks: what other areas may say about a post before the forums write it.

The forums must not import moderation (it sits above them), yet every new topic, reply
and edit has to pass its rules (watched words, spam heuristics, new members' limits).
So moderation registers checks on the app at start-up, like the mentions resolver of
`app.core.markup`, and the forums ask `run_checks(...)` before they write and
`after_write(...)` inside the same unit of work once the post has its id.

A check returns a `Verdict` (or None for "nothing to say"): allow, block with a message
the member reads (their text is kept by the form), hold with a reason (the post waits
for approval), replace the body (the stored text changes), or flag for review (the post
is shown, a moderator looks at it). Several verdicts combine: a block wins; replacements
apply in turn; the first hold decides the state; every hold and flag opens review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

ALLOW, BLOCK, HOLD, REPLACE, FLAG = "allow", "block", "hold", "replace", "flag"
_CHECKS = "cercle.forum_content_checks"
_WRITTEN = "cercle.forum_content_written"


@dataclass(frozen=True)
class Submission:
    """What a member is about to write. `kind`: topic, reply or edit."""

    actor: Any
    kind: str
    body: str
    body_html: str
    title: str | None = None
    category_id: int | None = None
    topic_id: int | None = None
    post_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    action: str = ALLOW
    message: str = ""
    # A short code the review queue shows (`watched_word`, `link_limit`, `new_member`...).
    reason: str = ""
    # For `hold` and `flag`: the kind of review item (`held`, `rule`, `spam`).
    review_kind: str = "held"
    body: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """The verdicts combined: the body to store and what moderation must do once written."""

    body: str
    blocked: str | None = None
    hold: Verdict | None = None
    reviews: list[Verdict] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.hold is not None


ContentCheck = Callable[[Submission], "Verdict | list[Verdict] | None"]
AfterWrite = Callable[[Any, Outcome], None]


def register_content_check(app: Flask, check: ContentCheck) -> None:
    app.extensions.setdefault(_CHECKS, []).append(check)


def register_after_write(app: Flask, handler: AfterWrite) -> None:
    """`handler(post, outcome)` runs inside the writing transaction after the post has its
    id, when the outcome holds or flags it (moderation opens the review item)."""
    app.extensions.setdefault(_WRITTEN, []).append(handler)


def run_checks(submission: Submission) -> Outcome:
    """Every registered check over the submission, combined (see the module's docstring).

    A replacement changes the text the following checks read.
    """
    outcome = Outcome(body=submission.body)
    for check in current_app.extensions.get(_CHECKS, ()):
        result = check(submission)
        verdicts = result if isinstance(result, list) else [result] if result else []
        for verdict in verdicts:
            if verdict.action == BLOCK:
                outcome.blocked = verdict.message
                return outcome
            if verdict.action == REPLACE and verdict.body is not None:
                outcome.body = verdict.body
                submission = Submission(**{**submission.__dict__, "body": verdict.body})
            elif verdict.action == HOLD:
                outcome.hold = outcome.hold or verdict
                outcome.reviews.append(verdict)
            elif verdict.action == FLAG:
                outcome.reviews.append(verdict)
    return outcome


def after_write(post: Any, outcome: Outcome) -> None:
    if not outcome.reviews:
        return
    for handler in current_app.extensions.get(_WRITTEN, ()):
        handler(post, outcome)
