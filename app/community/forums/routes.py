"""Forum pages. Thin: parse, call one service or query, render or redirect.

`PermissionDenied` and `NotFound` from the services become 403/404 through the app's error
handlers; `Invalid` becomes the form's errors with status 400, the member's text kept. Past
a member's rate limit (`limits`), the form comes back with the text kept and status 429.

Likes and follows are set and unset, never toggled: each form says which state it asks
for (`state=on|off`), so a double click or a retried request cannot undo itself.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.community import bp
from app.community.forums import access, composer, limits, queries, services
from app.community.forums.forms import EditPostForm, LockForm, ReplyForm, TopicForm
from app.community.forums.models import Post, Topic
from app.community.forums.services import DuplicateSubmission
from app.community.forums.services.base import clean_body, duplicate_of
from app.core import page_cache
from app.core.converters import MAX_ID
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.forms import apply_errors
from app.core.pagination import page_arg
from app.core.templating import cached_gettext
from app.members import audience


def _member_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _record_view(topic: Topic, last_post_number: int) -> None:
    """Buffered in memory and written in batches: no SQL on the request path."""
    from app.community.forums.views import record_view, viewer_key

    key = viewer_key(_member_id(), request.remote_addr, request.headers.get("User-Agent"))
    record_view(topic.id, key, _member_id(), last_post_number)


def count_cached_topic_view(meta: dict) -> None:
    """A reader served the topic page from the page cache is still a view (and a member's
    read position moves on)."""
    from app.community.forums.views import record_view, viewer_key

    member_id = _member_id()
    key = viewer_key(member_id, request.remote_addr, request.headers.get("User-Agent"))
    record_view(meta["topic_id"], key, member_id, meta["last_shown"])


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > 0


def _first_error(exc: Invalid) -> str:
    return str(next(iter(exc.errors.values())))


def _asked_state() -> bool:
    """`state=on` asks for the like (or follow), `state=off` for its removal; else 400."""
    state = request.form.get("state")
    if state not in ("on", "off"):
        abort(400)
    return state == "on"


def _refuse_over_limit(form, message: str) -> None:  # type: ignore[no-untyped-def]
    """Show the rate-limit message above the form; the fields keep what the member wrote."""
    form.form_errors.append(message)


def _earlier_same_post(body: str | None, topic_id: int | None = None) -> Post | None:
    """The member's identical post of the last minute: a double submit, not a new post."""
    return duplicate_of(current_user, clean_body(body), topic_id=topic_id)


def _topic_context(topic: Topic) -> dict:
    # Permalinks differ only by their last segment: build one, then vary the number.
    prefix = queries.post_url(topic, 1)[: -len("1")]
    return {
        "is_staff": access.is_staff(current_user),
        "post_url": lambda n: f"{prefix}{int(n)}",
        "post_url_prefix": prefix,
        "topic_url": queries.topic_url,
    }


def may_serve_topic(meta: dict) -> bool:
    """The page cache asks before serving a member the topic page shared by their standing:
    they may read its category, and no post of the page is one that only they could see."""
    return current_user.id not in meta["unlisted"] and audience.matches(
        current_user, meta["audience"]
    )


# --- lists -------------------------------------------------------------------------------


@bp.get("/forums/")
def forums_index():  # type: ignore[no-untyped-def]
    return render_template("community/forums_index.html", rows=queries.forum_index(current_user))


@bp.get("/forums/<slug>/")
def category(slug: str):  # type: ignore[no-untyped-def]
    category = access.category_by_slug(current_user, slug)
    status = queries.parse_status(request.args.get("status"))
    if status is not None:
        page = queries.filtered_topics(current_user, status, page_arg(), category=category)
    else:
        page = queries.category_topics(current_user, category, page_arg())
    return render_template(
        "community/category.html",
        category=category,
        name=category.name(queries._locale()),
        description=category.description(queries._locale()),
        page=page,
        status=status,
    )


@bp.get("/latest")
def latest():  # type: ignore[no-untyped-def]
    status = queries.parse_status(request.args.get("status"))
    if status is not None:
        page = queries.filtered_topics(current_user, status, page_arg())
    else:
        page = queries.latest_page(current_user, page_arg())
    has_qa = any(c.qa for c in access.readable_categories(current_user))
    return render_template("community/latest.html", page=page, status=status, has_qa=has_qa)


# --- topics ------------------------------------------------------------------------------


@bp.route("/forums/<slug>/new", methods=["GET", "POST"])
@login_required
def new_topic(slug: str):  # type: ignore[no-untyped-def]
    category = access.category_by_slug(current_user, slug)
    form = TopicForm()
    status = 200
    preview = composer.previewing(form)
    if not preview and form.validate_on_submit():
        if wait := limits.wait_for("topic"):
            earlier = _earlier_same_post(form.body.data)
            if earlier is not None and earlier.post_number == 1:
                flash(_("You already posted this; here it is."), "info")
                return redirect(queries.topic_url(earlier.topic))
            _refuse_over_limit(form, wait)
            return _new_topic_page(form, category), 429
        try:
            topic = services.create_topic(
                current_user, category.id, form.title.data, form.body.data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        except DuplicateSubmission as exc:
            flash(exc.message, "info")
            return redirect(queries.topic_url(exc.post.topic))
        else:
            limits.record("topic")
            if topic.moderation_state == "held":
                flash(_("Your topic waits for approval by the community team."), "info")
            else:
                flash(_("Your topic is posted."), "success")
            return redirect(queries.topic_url(topic))
    if request.method == "POST" and not preview:
        status = 400
    return _new_topic_page(form, category), status


def _new_topic_page(form: TopicForm, category) -> str:  # type: ignore[no-untyped-def]
    return render_template(
        "community/new_topic.html",
        form=form,
        category=category,
        name=category.name(queries._locale()),
    )


@bp.get("/t/<int:topic_id>")
def topic_short(topic_id: int):  # type: ignore[no-untyped-def]
    topic = access.get_topic(current_user, topic_id)
    return redirect(queries.topic_url(topic, request.args.get("page", type=int)), 301)


@bp.get("/t/<int:topic_id>-<slug>")
def topic(topic_id: int, slug: str):  # type: ignore[no-untyped-def]
    topic = access.get_topic(current_user, topic_id)
    page_number = page_arg()
    if slug != topic.slug:
        return redirect(queries.topic_url(topic, page_number), 301)
    view = queries.topic_page(current_user, topic, page_number)
    extras = queries.topic_extras(current_user, view)
    _record_view(topic, view.last_shown)
    unlisted = set(view.unlisted_authors)
    if extras.solution is not None and extras.solution.moderation_state != "visible":
        unlisted.add(extras.solution.author_id)  # its author sees it under the question
    if topic.moderation_state != "visible":
        page_cache.personal()  # only its author (and staff) may see this topic at all
    page_cache.remember(
        topic_id=topic.id,
        last_shown=view.last_shown,
        audience=access.category_audience(topic.category),
        unlisted=frozenset(unlisted),
    )
    form = None
    if current_user.is_authenticated and not view.page.has_next:
        form = ReplyForm()
    return render_template(
        "community/topic.html",
        view=view,
        topic=topic,
        form=form,
        # Built for staff only: a form makes its CSRF token, which writes a session.
        lock_form=LockForm() if access.is_staff(current_user) else None,
        lock_message=services.lock_message(topic),
        extras=extras,
        **_topic_context(topic),
    )


@bp.get("/t/<int:topic_id>-<slug>/<int:post_number>")
def post_permalink(topic_id: int, slug: str, post_number: int):  # type: ignore[no-untyped-def]
    topic = access.get_topic(current_user, topic_id)
    if post_number < 1 or post_number > topic.highest_post_number:
        raise NotFound()
    return redirect(queries.post_anchor_url(topic, post_number))


@bp.get("/t/<int:topic_id>/<int:post_number>")
def post_permalink_short(topic_id: int, post_number: int):  # type: ignore[no-untyped-def]
    topic = access.get_topic(current_user, topic_id)
    return redirect(queries.post_url(topic, post_number), 301)


@bp.get("/t/<int:topic_id>/posts/<int:post_number>/partial")
def post_partial(topic_id: int, post_number: int):  # type: ignore[no-untyped-def]
    """One post rendered by the topic page's macro for this viewer (live replies)."""
    from sqlalchemy import select

    from app.extensions import db

    topic = access.get_topic(current_user, topic_id)
    post = db.session.scalar(
        select(Post).where(Post.topic_id == topic.id, Post.post_number == post_number)
    )
    # Held and hidden posts: their author and staff only, as on the topic page.
    if post is None or not access.sees_post(current_user, post):
        raise NotFound()
    parent = db.session.get(Post, post.reply_to_post_id) if post.reply_to_post_id else None
    return render_template(
        "community/_post_partial.html",
        p=post,
        topic=topic,
        reply_number=parent.post_number if parent is not None else None,
        qa=topic.category.qa,
        **_topic_context(topic),
    )


@bp.route("/t/<int:topic_id>/reply", methods=["GET", "POST"])
@login_required
def reply(topic_id: int):  # type: ignore[no-untyped-def]
    topic = access.get_topic(current_user, topic_id)
    form = ReplyForm()
    quoted = None
    if request.method == "GET":
        target_id = _int_or_none(request.args.get("quote")) or _int_or_none(request.args.get("to"))
        target = _post_in(topic, target_id)
        if target is not None:
            form.reply_to_post_id.data = target.id
            if "quote" in request.args and target.deleted_at is None:
                quoted = target
                form.body.data = _quote_markdown(topic, target)
        return render_template(
            "community/reply.html", form=form, topic=topic, quoted=quoted,
            lock_message=services.lock_message(topic), **_topic_context(topic),
        )  # fmt: skip
    preview = composer.previewing(form)
    status = 200 if preview else 400
    if not preview and form.validate_on_submit():
        if wait := limits.wait_for("reply"):
            earlier = _earlier_same_post(form.body.data, topic_id=topic.id)
            if earlier is not None:
                flash(_("You already posted this; here it is."), "info")
                return redirect(queries.post_url(topic, earlier.post_number))
            _refuse_over_limit(form, wait)
            status = 429
        else:
            try:
                post = services.reply(
                    current_user,
                    topic.id,
                    form.body.data,
                    reply_to_post_id=_int_or_none(form.reply_to_post_id.data),
                )
            except Invalid as exc:
                apply_errors(form, exc)
            except DuplicateSubmission as exc:
                flash(exc.message, "info")
                return redirect(queries.post_url(topic, exc.post.post_number))
            else:
                limits.record("reply")
                if post.moderation_state == "held":
                    flash(_("Your reply waits for approval by the community team."), "info")
                else:
                    flash(_("Your reply is posted."), "success")
                return redirect(queries.post_url(topic, post.post_number))
    return (
        render_template(
            "community/reply.html", form=form, topic=topic, quoted=None,
            lock_message=services.lock_message(topic), **_topic_context(topic),
        ),
        status,
    )  # fmt: skip


def _int_or_none(value: object) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number is not None and 0 < number <= MAX_ID else None


def _post_in(topic: Topic, post_id: int | None) -> Post | None:
    if not post_id:
        return None
    post = access.get_post(current_user, post_id)
    return post if post.topic_id == topic.id else None


def _quote_markdown(topic: Topic, post: Post) -> str:
    """A Markdown blockquote of `post`, attributed and linked to its permalink."""
    lines = post.body.splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    link = queries.post_url(topic, post.post_number)
    header = _("**@%(user)s** [wrote](%(link)s):", user=post.author.username, link=link)
    return f"> {header}\n>\n{quoted}\n\n"


# --- posts -------------------------------------------------------------------------------


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):  # type: ignore[no-untyped-def]
    post = access.get_post(current_user, post_id)
    topic = post.topic
    if not services.may_edit(current_user, post):
        raise PermissionDenied(_("You can only edit your own posts."))
    first = post.post_number == 1
    form = EditPostForm(data={"title": topic.title, "body": post.body})
    preview = composer.previewing(form)
    status = 400 if request.method == "POST" and not preview else 200
    if not preview and form.validate_on_submit():
        if wait := limits.wait_for("edit"):
            _refuse_over_limit(form, wait)
            status = 429
        else:
            try:
                services.edit_post(
                    current_user, post.id, form.body.data, form.title.data if first else None
                )
            except Invalid as exc:
                apply_errors(form, exc)
            else:
                limits.record("edit")
                flash(_("Your changes are saved."), "success")
                return redirect(queries.post_url(topic, post.post_number))
    return (
        render_template("community/edit_post.html", form=form, post=post, topic=topic, first=first),
        status,
    )


@bp.get("/posts/<int:post_id>/history")
def post_history(post_id: int):  # type: ignore[no-untyped-def]
    post = access.get_post(current_user, post_id)
    if post.deleted_at is not None and not access.is_staff(current_user):
        raise NotFound()
    return render_template(
        "community/history.html",
        post=post,
        topic=post.topic,
        changes=queries.post_history(post),
        post_url=lambda n: queries.post_url(post.topic, n),
    )


@bp.post("/posts/<int:post_id>/delete")
@login_required
def delete_post(post_id: int):  # type: ignore[no-untyped-def]
    try:
        post = services.delete_post(current_user, post_id)
    except Invalid as exc:
        flash(_first_error(exc), "error")
        post = access.get_post(current_user, post_id)
        return redirect(queries.post_url(post.topic, post.post_number))
    topic = post.topic
    if post.post_number == 1:
        flash(_("The topic is deleted."), "success")
        if not access.is_staff(current_user):
            return redirect(queries.category_url(topic.category))
        return redirect(queries.topic_url(topic))
    flash(_("The post is deleted."), "success")
    return redirect(queries.post_url(topic, post.post_number))


@bp.post("/posts/<int:post_id>/restore")
@login_required
def restore_post(post_id: int):  # type: ignore[no-untyped-def]
    try:
        post = services.restore_post(current_user, post_id)
    except Invalid as exc:
        flash(_first_error(exc), "error")
        post = access.get_post(current_user, post_id)
    else:
        flash(_("The post is restored."), "success")
    return redirect(queries.post_url(post.topic, post.post_number))


@bp.post("/posts/<int:post_id>/like")
@login_required
def like(post_id: int):  # type: ignore[no-untyped-def]
    asked = _asked_state()
    if wait := limits.wait_for("like"):
        if _wants_json():
            return jsonify({"error": wait}), 429
        flash(wait, "error")
        post = access.get_post(current_user, post_id)
        return redirect(queries.post_url(post.topic, post.post_number))
    try:
        liked, count = services.set_like(current_user, post_id, asked)
    except Invalid as exc:
        if _wants_json():
            return jsonify({"error": _first_error(exc)}), 400
        flash(_first_error(exc), "error")
        post = access.get_post(current_user, post_id)
        return redirect(queries.post_url(post.topic, post.post_number))
    limits.record("like")
    if _wants_json():
        return jsonify({"liked": liked, "like_count": count})
    post = access.get_post(current_user, post_id)
    return redirect(queries.post_url(post.topic, post.post_number))


# --- topic actions -----------------------------------------------------------------------


@bp.post("/t/<int:topic_id>/follow")
@login_required
def follow(topic_id: int):  # type: ignore[no-untyped-def]
    following = services.set_follow(current_user, topic_id, _asked_state())
    if following:
        flash(_("You follow this topic: you will hear about new replies."), "success")
    else:
        flash(_("You no longer follow this topic."), "info")
    return redirect(queries.topic_url(access.get_topic(current_user, topic_id)))


@bp.post("/t/<int:topic_id>/pin")
@login_required
def pin(topic_id: int):  # type: ignore[no-untyped-def]
    pinned = request.form.get("pinned") == "1"
    topic = services.set_pinned(current_user, topic_id, pinned)
    flash(_("The topic is pinned.") if pinned else _("The topic is unpinned."), "success")
    return redirect(queries.topic_url(topic))


@bp.post("/t/<int:topic_id>/lock")
@login_required
def lock(topic_id: int):  # type: ignore[no-untyped-def]
    locked = request.form.get("locked") == "1"
    try:
        topic = services.set_locked(current_user, topic_id, locked, request.form.get("reason", ""))
    except Invalid as exc:
        flash(_first_error(exc), "error")
        topic = access.get_topic(current_user, topic_id)
    else:
        flash(_("The topic is locked.") if locked else _("The topic is open again."), "success")
    return redirect(queries.topic_url(topic))


# Labels repeated on every post of a page, as filters: Jinja calls filters directly,
# without the per-call cost of `_()` in a template (the topic page has 40 of them).
def N_(message: str) -> str:  # the no-op marker pybabel extracts by default
    return message


POST_REF = N_("post #%(n)d")
POST_LINK = N_("Link to post #%(n)d")


@bp.app_template_filter("post_ref")
def post_ref(number: int) -> str:
    return cached_gettext(POST_REF) % {"n": number}


@bp.app_template_filter("post_link_label")
def post_link_label(number: int) -> str:
    return cached_gettext(POST_LINK) % {"n": number}


# --- solved answers, reactions, bookmarks (issue 13) --------------------------------------


def _back_to_post(post_id: int):  # type: ignore[no-untyped-def]
    post = access.get_post(current_user, post_id)
    return redirect(queries.post_url(post.topic, post.post_number))


@bp.post("/posts/<int:post_id>/solution")
@login_required
def solution(post_id: int):  # type: ignore[no-untyped-def]
    """Mark (`state=on`) or unmark (`state=off`) a reply as its topic's solution."""
    asked = _asked_state()
    try:
        if asked:
            services.mark_solution(current_user, post_id)
        else:
            services.unmark_solution(current_user, post_id)
    except (Invalid, PermissionDenied) as exc:
        message = _first_error(exc) if isinstance(exc, Invalid) else exc.message
        if _wants_json():
            return jsonify({"error": message}), 400 if isinstance(exc, Invalid) else 403
        flash(message, "error")
        return _back_to_post(post_id)
    if _wants_json():
        return jsonify({"solution": asked})
    flash(_("Marked as the solution.") if asked else _("The solution mark is removed."), "success")
    return _back_to_post(post_id)


@bp.post("/posts/<int:post_id>/react")
@login_required
def react(post_id: int):  # type: ignore[no-untyped-def]
    """Add (`state=on`) or remove (`state=off`) one `reaction`; JSON for the page's script.
    Without JavaScript each button of the post's one form sends `choice=on:👍`."""
    choice = request.form.get("choice", "")
    if choice[:3] in ("on:", "off") and ":" in choice:
        state, reaction = choice.split(":", 1)
        if state not in ("on", "off"):
            abort(400)
        asked = state == "on"
    else:
        asked = _asked_state()
        reaction = request.form.get("reaction", "")
    if wait := limits.wait_for("like"):
        if _wants_json():
            return jsonify({"error": wait}), 429
        flash(wait, "error")
        return _back_to_post(post_id)
    try:
        present, counts = services.set_reaction(current_user, post_id, reaction, asked)
    except Invalid as exc:
        if _wants_json():
            return jsonify({"error": _first_error(exc)}), 400
        flash(_first_error(exc), "error")
        return _back_to_post(post_id)
    limits.record("like")
    if _wants_json():
        return jsonify({"reaction": reaction, "reacted": present, "counts": counts})
    return _back_to_post(post_id)


@bp.post("/posts/<int:post_id>/bookmark")
@login_required
def bookmark(post_id: int):  # type: ignore[no-untyped-def]
    asked = _asked_state()
    try:
        bookmarked = services.set_bookmark(current_user, post_id, asked)
    except Invalid as exc:
        if _wants_json():
            return jsonify({"error": _first_error(exc)}), 400
        flash(_first_error(exc), "error")
        return _back_to_post(post_id)
    if _wants_json():
        return jsonify({"bookmarked": bookmarked})
    if bookmarked:
        flash(_("Bookmarked: find it again under Bookmarks."), "success")
    else:
        flash(_("The bookmark is removed."), "info")
    if request.form.get("next") == "bookmarks":
        return redirect(url_for("community.bookmarks"))
    return _back_to_post(post_id)


@bp.get("/bookmarks")
@login_required
def bookmarks():  # type: ignore[no-untyped-def]
    return render_template(
        "community/bookmarks.html", page=queries.bookmarks_page(current_user, page_arg())
    )


# --- Top, Unread, New ----------------------------------------------------------------------


@bp.get("/top")
def top():  # type: ignore[no-untyped-def]
    period = request.args.get("period", queries.DEFAULT_TOP_PERIOD)
    if period not in queries.TOP_PERIODS:
        abort(404)
    page = queries.top_topics(current_user, period, page_arg())
    return render_template("community/top.html", page=page, list_kind="top", period=period)


@bp.get("/unread")
@login_required
def unread():  # type: ignore[no-untyped-def]
    page = queries.unread_topics(current_user, page_arg())
    return render_template("community/top.html", page=page, list_kind="unread", period=None)


@bp.get("/new")
@login_required
def new():  # type: ignore[no-untyped-def]
    page = queries.new_topics(current_user, page_arg())
    return render_template("community/top.html", page=page, list_kind="new", period=None)


@bp.post("/<any(unread, new):list_kind>/dismiss")
@login_required
def dismiss(list_kind: str):  # type: ignore[no-untyped-def]
    """Mark the whole Unread (or New) list read: "Dismiss", as on Discourse."""
    dismissed = (services.dismiss_unread if list_kind == "unread" else services.dismiss_new)(
        current_user
    )
    flash(
        ngettext("%(num)d topic marked read.", "%(num)d topics marked read.", dismissed),
        "success",
    )
    return redirect(url_for(f"community.{list_kind}"))


# --- reading a topic: jump to a post, user cards -------------------------------------------


@bp.get("/t/<int:topic_id>-<slug>/jump")
def jump(topic_id: int, slug: str):  # type: ignore[no-untyped-def]
    """The "jump to post N" form (works without JavaScript): clamp N into the topic."""
    topic = access.get_topic(current_user, topic_id)
    number = request.args.get("n", type=int) or 1
    number = min(max(1, number), max(1, topic.highest_post_number))
    return redirect(queries.post_anchor_url(topic, number))


@bp.get("/forums/members/<username>/card")
def user_card(username: str):  # type: ignore[no-untyped-def]
    """A member's card: the small fragment the author popover shows (the profile link is
    the same information without JavaScript)."""
    from app.members.services import get_by_username

    member = get_by_username(username)
    return render_template(
        "community/_user_card.html",
        member=member,
        activity=queries.activity_counts(member, current_user),
    )


@bp.app_template_filter("excerpt")
def excerpt_filter(html: str, length: int = queries.EXCERPT_LENGTH) -> str:
    """Plain text of a rendered post, cut near `length` characters (escaped by Jinja)."""
    return queries.excerpt(html, length)
