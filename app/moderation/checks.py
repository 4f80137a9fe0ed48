"""Moderation's content check: what the forums ask before writing a topic, reply or edit.

Registered on the app at start-up (app.community.forums.hooks). One check, in order:
watched words (block / replace / hold / flag), then, for new posts, new members' limits
(first posts held, links and images), then the spam heuristics. Staff are never held
or limited by it (their watched-word replacements still apply). An edit never holds a
post that is already visible: a hold there becomes a flag for review.
"""

from __future__ import annotations

from flask_babel import ngettext

from app.community.forums import hooks
from app.community.forums.hooks import FLAG, HOLD, Submission, Verdict
from app.moderation import rules, spam, trust


def _watched(submission: Submission) -> list[Verdict]:
    text = submission.body
    title = submission.title or ""
    result = rules.check(text)
    title_result = rules.check(title) if title else None
    blocked = result.words("block") + (title_result.words("block") if title_result else [])
    if blocked:
        return [
            Verdict(
                hooks.BLOCK,
                message=ngettext(
                    "Your post contains a word this community does not allow: %(words)s. "
                    "Change it and post again.",
                    "Your post contains words this community does not allow: %(words)s. "
                    "Change them and post again.",
                    len(blocked),
                    words=", ".join(f"“{w}”" for w in blocked),
                ),
                reason="watched_word",
            )
        ]
    verdicts = []
    if result.replaced:
        verdicts.append(Verdict(hooks.REPLACE, body=result.text, reason="watched_word"))
    held = result.words("hold") + (title_result.words("hold") if title_result else [])
    if held:
        verdicts.append(
            Verdict(HOLD, reason="watched_word", review_kind="rule", details={"words": held})
        )
    flagged = result.words("flag") + (title_result.words("flag") if title_result else [])
    if flagged:
        verdicts.append(
            Verdict(FLAG, reason="watched_word", review_kind="rule", details={"words": flagged})
        )
    return verdicts


def _new_member(submission: Submission) -> list[Verdict]:
    limits = trust.new_member_limits()
    verdicts = []
    links = trust.count_links(submission.body_html)
    if links > limits["links"]:
        verdicts.append(
            Verdict(
                HOLD,
                reason="link_limit",
                details={"links": links, "allowed": limits["links"]},
            )
        )
    images = trust.count_images(submission.body_html)
    if images > limits["images"]:
        verdicts.append(
            Verdict(
                HOLD,
                reason="image_limit",
                details={"images": images, "allowed": limits["images"]},
            )
        )
    if (
        submission.kind != "edit"
        and trust.posts_written(submission.actor.id) < limits["held_posts"]
    ):
        verdicts.append(Verdict(HOLD, reason="new_member"))
    return verdicts


def _spam(submission: Submission) -> list[Verdict]:
    actor = submission.actor
    verdicts = []
    if int(actor.trust_level or 0) == 0:
        found = spam.duplicate_reason(
            actor.id, submission.body, submission.body_html, submission.topic_id
        )
        if found:
            verdicts.append(Verdict(HOLD, reason=found[0], review_kind="spam", details=found[1]))
    if int(actor.trust_level or 0) == 0:
        burst = spam.velocity_exceeded(actor.id)
        if burst:
            verdicts.append(Verdict(HOLD, reason="velocity", review_kind="spam", details=burst))
    return verdicts


def content_check(submission: Submission) -> list[Verdict]:
    verdicts = _watched(submission)
    if any(v.action == hooks.BLOCK for v in verdicts):
        return verdicts
    actor = submission.actor
    if actor.is_staff:
        return [v for v in verdicts if v.action == hooks.REPLACE]
    if submission.kind != "edit":
        if int(actor.trust_level or 0) == 0:
            verdicts += _new_member(submission)
        verdicts += _spam(submission)
    else:
        if int(actor.trust_level or 0) == 0:
            verdicts += [v for v in _new_member(submission) if v.reason != "new_member"]
        # An edit never takes a visible post back into the approval queue: it is flagged.
        verdicts = [
            Verdict(FLAG, reason=v.reason, review_kind=v.review_kind, details=v.details)
            if v.action == HOLD
            else v
            for v in verdicts
        ]
    return verdicts


def open_reviews(post, outcome: hooks.Outcome) -> None:  # type: ignore[no-untyped-def]
    """After a held or flagged post is written: its review item, in the same transaction
    (one pending item per post: every reason is added to it)."""
    from app.moderation.review import open_item

    for verdict in outcome.reviews:
        kind = verdict.review_kind
        if kind not in ("rule", "spam"):
            kind = "held" if post.moderation_state == "held" else "rule"
        open_item(post, kind, verdict.reason, details=dict(verdict.details))
