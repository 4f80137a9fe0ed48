"""The staff pages under /mod/: the review queue, topic tools, audit log, metrics, watched
words and a member's sanctions. Thin: every request needs staff (members get 403), every
change goes through a service that checks the role again.

A refused action (another moderator's claim, a decision already made, a missing reason)
comes back as a flash message above the queue, nothing written.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.community.forums import access, queries
from app.community.forums.models import Post, TopicStructureChange
from app.core.errors import Invalid, NotFound, ServiceError
from app.core.security import is_safe_redirect
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member
from app.moderation import actions, audit, metrics, queue

bp = Blueprint("moderation", __name__)

SPLIT_LIST_MAX = 200


@bp.before_request
def _require_staff():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        from app.extensions import login_manager

        return login_manager.unauthorized()
    if not current_user.is_staff:
        abort(403)
    return None


@bp.context_processor
def _queue_labels() -> dict[str, object]:
    return queue.template_context()


@bp.app_context_processor
def _pending_badge() -> dict[str, object]:
    """The staff nav's "Moderation (N)" (one count query, only for staff, once a request)."""

    def mod_pending() -> int:
        """Counted: the /mod/ pages' own side nav."""
        return queue.pending_count()

    def mod_pending_known() -> int | None:
        """Remembered, never counted: the site nav on every staff page (no query)."""
        if not (current_user.is_authenticated and current_user.is_staff):
            return None
        if request.blueprint == "moderation":
            return queue.pending_count()  # counted for the page anyway (once per request)
        return queue.remembered_pending_count()

    return {"mod_pending": mod_pending, "mod_pending_known": mod_pending_known}


@bp.get("/count")
def pending_count():  # type: ignore[no-untyped-def]
    """The number of items waiting (the nav's script asks when it does not know it)."""
    return {"pending": queue.pending_count()}


def _back(default: str) -> str:
    target = request.form.get("next") or request.args.get("next") or ""
    return target if target and is_safe_redirect(target) else default


def _refused(exc: ServiceError) -> None:
    if isinstance(exc, Invalid):
        for message in exc.errors.values():
            flash(str(message), "error")
    else:
        flash(exc.message or _("This could not be done."), "error")


# --- the queue -------------------------------------------------------------------------


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    filters = queue.Filters.from_args(request.args)
    page = queue.queue_page(current_user, filters, request.args.get("after"))
    return render_template(
        "moderation/queue.html",
        page=page,
        filters=filters,
        choices=queue.filter_choices(),
        now=utcnow(),
        viewer=current_user,
        locale=str(get_locale()),
    )


@bp.get("/items/<int:item_id>/row")
def item_row(item_id: int):  # type: ignore[no-untyped-def]
    """One queue row with this moderator's buttons (the live queue's own copy)."""
    row = queue.row_for(current_user, item_id)
    return render_template(
        "moderation/_queue_row.html", row=row, viewer=current_user, now=utcnow(), pushed=False
    )


@bp.post("/items/<int:item_id>/<action>")
def item_action(item_id: int, action: str):  # type: ignore[no-untyped-def]
    reason = request.form.get("reason", "")
    messages = {
        "claim": _("You are handling this item: others see it as yours for a while."),
        "release": _("The item is free for others again."),
        "approve": _("Approved: the post is visible to everyone."),
        "hide": _("Hidden: the author is told why."),
        "dismiss": _("Dismissed: the post stays as it is."),
        "delete": _("Deleted: the author is told why."),
        "restore": _("Restored: the post is visible again."),
    }
    if action not in messages:
        abort(404)
    try:
        if action == "claim":
            queue.claim(current_user, item_id)
        elif action == "release":
            queue.release(current_user, item_id)
        elif action in actions.DECISIONS:
            actions.decide(current_user, item_id, action, reason)
        elif action == "delete":
            actions.delete(current_user, item_id, reason)
        else:
            actions.restore(current_user, item_id, reason)
    except NotFound:
        raise
    except ServiceError as exc:
        _refused(exc)
        status = 409 if isinstance(exc, queue.ClaimedByAnother) else 303
        if status == 409 and request.accept_mimetypes.best == "application/json":
            return {"error": exc.message}, 409
    else:
        flash(messages[action], "success")
    return redirect(_back(url_for("moderation.index")), 303)


# --- posts and topics ------------------------------------------------------------------


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):  # type: ignore[no-untyped-def]
    post = access.get_post(current_user, post_id)
    topic = post.topic
    body = request.form.get("body", post.body)
    reason = request.form.get("reason", "")
    title = request.form.get("title", topic.title) if post.post_number == 1 else None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            actions.edit(current_user, post.id, body, reason, title)
        except Invalid as exc:
            errors = {k: str(v) for k, v in exc.errors.items()}
            status = 400
        else:
            flash(_("Saved: the author is told, and the history shows your change."), "success")
            return redirect(_back(queries.post_url(topic, post.post_number)), 303)
    return (
        render_template(
            "moderation/edit_post.html",
            post=post,
            topic=topic,
            body=body,
            reason=reason,
            title=title,
            errors=errors,
            next=_back(""),
        ),
        status,
    )


@bp.get("/topics/<int:topic_id>")
def topic_tools(topic_id: int):  # type: ignore[no-untyped-def]
    topic = access.get_topic(current_user, topic_id)
    posts = list(
        db.session.scalars(
            select(Post)
            .where(Post.topic_id == topic.id, Post.post_number > 1)
            .order_by(Post.post_number)
            .limit(SPLIT_LIST_MAX)
        )
    )
    authors = {
        m.id: m
        for m in db.session.scalars(
            select(Member).where(Member.id.in_({p.author_id for p in posts} or {0}))
        )
    }
    changes = list(
        db.session.scalars(
            select(TopicStructureChange)
            .where(
                (TopicStructureChange.topic_id == topic.id)
                | (TopicStructureChange.target_topic_id == topic.id)
            )
            .order_by(TopicStructureChange.id.desc())
            .limit(20)
        )
    )
    return render_template(
        "moderation/topic_tools.html",
        topic=topic,
        posts=posts,
        authors=authors,
        changes=changes,
        categories=access.readable_categories(current_user),
        locale=str(get_locale()),
        errors={},
        form=request.args,
    )


def _topic_id_from(value: str) -> int | None:
    """A topic given by its number or its URL (…/t/123-title)."""
    value = (value or "").strip()
    if "/t/" in value:
        value = value.split("/t/", 1)[1]
    digits = ""
    for char in value:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits and len(digits) < 12 else None


@bp.post("/topics/<int:topic_id>/<action>")
def topic_action(topic_id: int, action: str):  # type: ignore[no-untyped-def]
    form = request.form
    reason = form.get("reason", "")
    back = url_for("moderation.topic_tools", topic_id=topic_id)
    try:
        if action == "move":
            actions.move(current_user, topic_id, int(form.get("category_id") or 0), reason)
            flash(_("The topic is moved."), "success")
        elif action == "merge":
            target = _topic_id_from(form.get("target", ""))
            if target is None:
                raise Invalid({"target": _("Give the number or the address of a topic.")})
            actions.merge(current_user, topic_id, target, reason)
            flash(_("The topics are merged."), "success")
            back = url_for("moderation.topic_tools", topic_id=target)
        elif action == "split":
            ids = [int(i) for i in form.getlist("post_ids") if i.isdigit()]
            change = actions.split(
                current_user,
                topic_id,
                ids,
                form.get("title", ""),
                int(form.get("category_id") or 0) or None,
                reason,
            )
            flash(_("The replies are in a new topic."), "success")
            back = url_for("moderation.topic_tools", topic_id=change.target_topic_id)
        elif action == "lock":
            actions.set_locked(current_user, topic_id, form.get("locked") == "1", reason)
            flash(_("Done."), "success")
        elif action == "pin":
            actions.set_pinned(current_user, topic_id, form.get("pinned") == "1")
            flash(_("Done."), "success")
        else:
            abort(404)
    except NotFound:
        raise
    except ServiceError as exc:
        _refused(exc)
    return redirect(_back(back), 303)


@bp.post("/changes/<int:change_id>/undo")
def undo_change(change_id: int):  # type: ignore[no-untyped-def]
    change = db.session.get(TopicStructureChange, change_id)
    if change is None:
        raise NotFound()
    try:
        actions.undo(current_user, change_id)
    except NotFound:
        raise
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("Undone: the posts are back where they were."), "success")
    return redirect(_back(url_for("moderation.topic_tools", topic_id=change.topic_id)), 303)


# --- audit -----------------------------------------------------------------------------


@bp.get("/audit")
def audit_log():  # type: ignore[no-untyped-def]
    filters = audit.AuditFilters.from_args(request.args)
    if request.args.get("format") == "csv":
        return audit_csv()
    try:
        before = int(request.args.get("before") or 0) or None
    except ValueError:
        before = None
    page = audit.audit_page(current_user, filters, before)
    return render_template(
        "moderation/audit.html",
        page=page,
        filters=filters,
        actions=audit.known_actions(),
        label=audit.action_label,
        summary=audit.summary,
        target_types=audit.TARGET_TYPES,
    )


@bp.get("/audit.csv")
def audit_csv():  # type: ignore[no-untyped-def]
    filters = audit.AuditFilters.from_args(request.args)
    lines = audit.csv_lines(current_user, filters)
    name = f"audit-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- metrics ---------------------------------------------------------------------------


@bp.get("/metrics")
def metrics_page():  # type: ignore[no-untyped-def]
    locale = str(get_locale())
    return render_template(
        "moderation/metrics.html",
        data=metrics.compute(current_user, locale),
        locale=locale,
        format_decimal=format_decimal,
    )


# --- watched words ---------------------------------------------------------------------


@bp.route("/rules", methods=["GET", "POST"])
def rules_page():  # type: ignore[no-untyped-def]
    from app.moderation import rules
    from app.moderation.models import WATCHED_WORD_ACTIONS, WatchedWord

    errors: dict[str, str] = {}
    form = request.form
    status = 200
    if request.method == "POST":
        try:
            if form.get("remove"):
                rules.remove_watched_word(current_user, int(form["remove"]))
                flash(_("The word is no longer watched."), "success")
            else:
                rules.add_watched_word(
                    current_user,
                    form.get("pattern", ""),
                    form.get("action", ""),
                    form.get("replacement", ""),
                )
                flash(_("The word is watched from now on."), "success")
            return redirect(url_for("moderation.rules_page"), 303)
        except NotFound:
            raise
        except Invalid as exc:
            errors = {k: str(v) for k, v in exc.errors.items()}
            status = 400
        except (ValueError, KeyError):
            abort(400)
    words = list(
        db.session.scalars(select(WatchedWord).order_by(WatchedWord.action, WatchedWord.pattern))
    )
    return (
        render_template(
            "moderation/rules.html",
            words=words,
            actions=WATCHED_WORD_ACTIONS,
            errors=errors,
            form=form,
        ),
        status,
    )


# --- a member's standing ---------------------------------------------------------------


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
def member_page(member_id: int):  # type: ignore[no-untyped-def]
    from app.moderation import sanctions
    from app.moderation.models import AuditEntry, ReviewItem, Sanction

    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound()
    errors: dict[str, str] = {}
    form = request.form
    status = 200
    if request.method == "POST":
        kind = form.get("kind", "")
        try:
            if form.get("lift"):
                sanctions.lift(current_user, int(form["lift"]), form.get("reason", ""))
                flash(_("The sanction is lifted."), "success")
            elif kind == "warning":
                sanctions.warn(current_user, member.id, form.get("reason", ""))
                flash(_("The member is warned."), "success")
            elif kind in ("silence", "suspension"):
                days = int(form.get("days") or 0)
                apply = sanctions.silence if kind == "silence" else sanctions.suspend
                apply(current_user, member.id, form.get("reason", ""), days=days or None)
                flash(_("The sanction is in force."), "success")
            else:
                abort(400)
            return redirect(url_for("moderation.member_page", member_id=member.id), 303)
        except NotFound:
            raise
        except Invalid as exc:
            errors = {k: str(v) for k, v in exc.errors.items()}
            status = 400
        except ValueError:
            abort(400)
    now = utcnow()
    history = list(
        db.session.scalars(
            select(Sanction)
            .where(Sanction.member_id == member.id)
            .order_by(Sanction.created_at.desc())
            .limit(50)
        )
    )
    items = list(
        db.session.scalars(
            select(ReviewItem)
            .where(ReviewItem.author_id == member.id)
            .order_by(ReviewItem.created_at.desc())
            .limit(20)
        )
    )
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "member", AuditEntry.target_id == member.id)
            .order_by(AuditEntry.id.desc())
            .limit(20)
        )
    )
    return (
        render_template(
            "moderation/member.html",
            member=member,
            sanctions=history,
            items=items,
            entries=entries,
            now=now,
            errors=errors,
            form=form,
            label=audit.action_label,
        ),
        status,
    )
