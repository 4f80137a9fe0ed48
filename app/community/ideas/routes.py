"""Idea pages. Thin: parse, call one service or query, render or redirect.

`PermissionDenied` and `NotFound` become 403/404 through the app's error handlers;
`Invalid` comes back as the form's errors (status 400) or, for the one-button forms (vote,
follow), as a message on the idea page, nothing written. Votes and follows are set and
unset, never toggled, so a double click cannot undo itself.
"""

from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.admin.labels import role_labels
from app.community.forums import limits
from app.community.forums.services import DuplicateSubmission
from app.community.ideas import boards, bp, queries, services, workflow
from app.community.ideas.forms import (
    BoardForm,
    CommentForm,
    IdeaForm,
    MergeForm,
    StatusConfigForm,
    StatusForm,
    VoteForm,
)
from app.community.ideas.models import Idea, IdeaBoard, IdeaStatus
from app.core.errors import Invalid, NotFound
from app.core.forms import apply_errors, choices
from app.core.pagination import page_arg
from app.extensions import db
from app.members.audience import STAGES, describe, stage_label, tier_label
from app.members.models import ROLES, TIERS


def _locale() -> str:
    return str(get_locale() or "en")


def idea_url(idea: Idea, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return url_for("ideas.idea", idea_id=idea.id, slug=idea.slug, **kwargs)


@bp.app_context_processor
def _helpers() -> dict:
    return {"idea_url": idea_url}


def _back_to(found: Idea) -> str:
    """Where a one-button form returns: the page it was on (a local path), else the idea."""
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return idea_url(found)


def _first_error(exc: Invalid) -> str:
    return str(next(iter(exc.errors.values())))


# --- lists -----------------------------------------------------------------------------------


@bp.get("/ideas/")
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "ideas/index.html",
        boards=queries.all_boards_page(current_user),
        locale=_locale(),
        is_manager=boards.is_manager(current_user),
        audience_of=lambda b: describe(boards.board_audience(b)),
    )


@bp.get("/ideas/b/<slug>/")
def board(slug: str):  # type: ignore[no-untyped-def]
    board = boards.board_by_slug(current_user, slug)
    sort = request.args.get("sort", "top")
    status = request.args.get("status", "")
    if status and status not in boards.status_map():
        abort(404)
    page = queries.board_page(current_user, board, page_arg(), sort, status)
    return render_template(
        "ideas/board.html",
        board=board,
        page=page,
        sort=sort if sort in queries.SORTS else "top",
        status=status,
        statuses=boards.statuses(),
        locale=_locale(),
        audience_text=describe(boards.board_audience(board)),
    )


@bp.get("/roadmap")
def roadmap():  # type: ignore[no-untyped-def]
    slug = request.args.get("board", "")
    board = boards.board_by_slug(current_user, slug) if slug else None
    return render_template(
        "ideas/roadmap.html",
        columns=queries.roadmap(current_user, board),
        board=board,
        boards=boards.visible_boards(current_user),
        locale=_locale(),
    )


@bp.get("/changelog")
def changelog():  # type: ignore[no-untyped-def]
    slug = request.args.get("board", "")
    board = boards.board_by_slug(current_user, slug) if slug else None
    page = queries.changelog(current_user, page_arg(), board)
    return render_template(
        "ideas/changelog.html",
        page=page,
        board=board,
        boards=boards.visible_boards(current_user),
        responses=queries.ship_responses([r.idea.id for r in page.items]),
        locale=_locale(),
    )


@bp.get("/ideas/similar")
def similar():  # type: ignore[no-untyped-def]
    """Ideas like the title being typed (the form's suggestions), as JSON."""
    title = (request.args.get("q") or "")[:200]
    found = services.similar_ideas(current_user, title)
    return jsonify(
        {
            "ideas": [
                {"id": i.id, "title": i.title, "url": idea_url(i), "votes": i.vote_count}
                for i in found
            ]
        }
    )


# --- posting ---------------------------------------------------------------------------------


@bp.route("/ideas/new", methods=["GET", "POST"])
@login_required
def new_idea():  # type: ignore[no-untyped-def]
    visible = boards.visible_boards(current_user)
    if not visible:
        abort(404)
    form = IdeaForm()
    locale = _locale()
    form.board.choices = choices((b.slug, b.product_name(locale)) for b in visible)
    if request.method == "GET" and request.args.get("board"):
        form.board.data = request.args["board"]
    status = 200
    similar = []
    if form.validate_on_submit():
        # An idea opens a discussion topic: the forums' per-member topic limit applies.
        if wait := limits.wait_for("topic"):
            form.form_errors.append(wait)
            return render_template("ideas/new.html", form=form, similar=[]), 429
        chosen = next((b for b in visible if b.slug == form.board.data), None)
        try:
            if chosen is None:
                raise Invalid({"board": _("Choose a product from the list.")})
            idea = services.create_idea(
                current_user, chosen.id, form.title.data, form.body.data, form.tags.data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            limits.record("topic")
            topic = queries.topic_of(idea)
            if topic is not None and topic.moderation_state == "held":
                flash(_("Your idea waits for approval by the community team."), "info")
            else:
                flash(_("Your idea is posted. Others can vote for it now."), "success")
            return redirect(idea_url(idea))
    if request.method == "POST":
        status = 400
        similar = services.similar_ideas(current_user, form.title.data or "")
    return render_template("ideas/new.html", form=form, similar=similar), status


# --- one idea --------------------------------------------------------------------------------


@bp.get("/ideas/<int:idea_id>")
@bp.get("/ideas/<int:idea_id>-<slug>")
def idea(idea_id: int, slug: str = ""):  # type: ignore[no-untyped-def]
    found = services.get_idea(current_user, idea_id)
    if found.merged_into_id is not None:
        target = db.session.get(Idea, found.merged_into_id)
        if target is not None and boards.can_see_board(current_user, target.board):
            flash(_("“%(title)s” was merged into this idea.", title=found.title), "info")
            return redirect(idea_url(target, merged=found.id))
    return _idea_page(found)


def _idea_page(found: Idea, status: int = 200, **forms):  # type: ignore[no-untyped-def]
    locale = _locale()
    merged = workflow.merged_into(found)
    comments, comment_total = queries.comments(found, merged)
    mine = services.my_vote(current_user, found.id)
    status_form = vote_form = merge_form = comment_form = None
    # Visitors get no form (a form would put a CSRF token in a session: no page cache).
    if current_user.is_authenticated:
        status_form = forms.get("status_form") or StatusForm(status=found.status)
        status_form.status.choices = choices((s.slug, s.name(locale)) for s in boards.statuses())
        vote_form = forms.get("vote_form") or VoteForm(
            importance=str(mine.importance if mine else 1)
        )
        merge_form = forms.get("merge_form") or MergeForm()
        comment_form = forms.get("comment_form") or CommentForm()
    return (
        render_template(
            "ideas/idea.html",
            idea=found,
            board=found.board,
            author=found.author,
            status_of=boards.status_map(),
            timeline=workflow.timeline(found.id),
            merged=merged,
            comments=comments,
            comment_total=comment_total,
            my_vote=mine,
            following=services.is_following(current_user, found.id),
            vote_form=vote_form,
            status_form=status_form,
            merge_form=merge_form,
            comment_form=comment_form,
            is_manager=boards.is_manager(current_user),
            can_merge=getattr(current_user, "role", None) in workflow.MERGE_ROLES,
            importance_label=services.importance_label,
            topic=queries.topic_of(found),
            audience_text=describe(boards.board_audience(found.board)),
            locale=locale,
        ),
        status,
    )


@bp.post("/ideas/<int:idea_id>/vote")
@login_required
def vote(idea_id: int):  # type: ignore[no-untyped-def]
    form = VoteForm()
    found = services.get_idea(current_user, idea_id)
    if not form.validate_on_submit():
        abort(400)
    try:
        result = services.vote(current_user, found.id, form.importance.data)
    except Invalid as exc:
        flash(_first_error(exc), "error")
        return redirect(_back_to(found), 303)
    if result.outcome == "created":
        flash(_("Thank you: your vote is counted."), "success")
    elif result.outcome == "changed":
        flash(
            _("Your vote now says: %(label)s.", label=services.importance_label(result.importance)),
            "success",
        )
    else:
        flash(_("You already voted for this idea; your vote counts once."), "info")
    return redirect(_back_to(found), 303)


@bp.post("/ideas/<int:idea_id>/unvote")
@login_required
def unvote(idea_id: int):  # type: ignore[no-untyped-def]
    found = services.get_idea(current_user, idea_id)
    if not VoteForm().validate_on_submit():
        abort(400)
    try:
        removed = services.withdraw_vote(current_user, found.id)
    except Invalid as exc:
        flash(_first_error(exc), "error")
    else:
        if removed:
            flash(_("Your vote is withdrawn."), "success")
        else:
            flash(_("You had no vote on this idea."), "info")
    return redirect(_back_to(found), 303)


@bp.post("/ideas/<int:idea_id>/follow")
@login_required
def follow(idea_id: int):  # type: ignore[no-untyped-def]
    found = services.get_idea(current_user, idea_id)
    state = request.form.get("state")
    if state not in ("on", "off") or not VoteForm().validate_on_submit():
        abort(400)
    services.set_follow(current_user, found.id, state == "on")
    if state == "on":
        flash(_("You follow this idea: you will hear when its status changes."), "success")
    else:
        flash(_("You no longer follow this idea."), "success")
    return redirect(idea_url(found), 303)


@bp.post("/ideas/<int:idea_id>/comment")
@login_required
def comment(idea_id: int):  # type: ignore[no-untyped-def]
    found = services.get_idea(current_user, idea_id)
    form = CommentForm()
    if form.validate_on_submit():
        # A comment is a forum reply: the same per-member rate limit applies.
        if wait := limits.wait_for("reply"):
            form.form_errors.append(wait)
            return _idea_page(found, 429, comment_form=form)
        try:
            posted = services.comment(current_user, found.id, form.body.data)
        except Invalid as exc:
            apply_errors(form, exc)
        except DuplicateSubmission as exc:
            flash(exc.message, "info")
            return redirect(idea_url(found, _anchor="comments"), 303)
        else:
            limits.record("reply")
            if posted.moderation_state == "held":
                flash(_("Your comment waits for approval by the community team."), "info")
            else:
                flash(_("Your comment is posted."), "success")
            return redirect(idea_url(found, _anchor="comments"), 303)
    return _idea_page(found, 400, comment_form=form)


@bp.post("/ideas/<int:idea_id>/status")
@login_required
def change_status(idea_id: int):  # type: ignore[no-untyped-def]
    boards.require_manager(current_user)
    found = services.get_idea(current_user, idea_id)
    form = StatusForm()
    form.status.choices = choices((s.slug, s.name(_locale())) for s in boards.statuses())
    if form.validate_on_submit():
        try:
            workflow.change_status(current_user, found.id, form.status.data, form.response.data)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(_("The status is updated; voters and followers are told."), "success")
            return redirect(idea_url(found), 303)
    return _idea_page(found, 400, status_form=form)


@bp.post("/ideas/<int:idea_id>/merge")
@login_required
def merge(idea_id: int):  # type: ignore[no-untyped-def]
    found = services.get_idea(current_user, idea_id)
    form = MergeForm()
    if form.validate_on_submit():
        try:
            if not form.target.data:
                raise Invalid({"target": _("Enter the number of the idea that stays.")})
            target = workflow.merge(current_user, found.id, int(form.target.data))
        except NotFound:
            apply_errors(form, Invalid({"target": _("There is no such idea.")}))
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(_("The ideas are merged."), "success")
            return redirect(idea_url(target), 303)
    return _idea_page(found, 400, merge_form=form)


@bp.post("/ideas/<int:idea_id>/unmerge")
@login_required
def unmerge(idea_id: int):  # type: ignore[no-untyped-def]
    found = services.get_idea(current_user, idea_id)
    if not VoteForm().validate_on_submit():
        abort(400)
    try:
        workflow.unmerge(current_user, found.id)
    except Invalid as exc:
        flash(_first_error(exc), "error")
    else:
        flash(_("The merge is undone: the votes are back."), "success")
    return redirect(idea_url(found), 303)


@bp.get("/ideas/<int:idea_id>/voters.csv")
@login_required
def voters_csv(idea_id: int):  # type: ignore[no-untyped-def]
    text = workflow.voters_csv(current_user, idea_id)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="idea-{idea_id}-voters.csv"'},
    )


# --- managing boards and statuses (product team, admins) -------------------------------------


@bp.get("/ideas/manage/")
@login_required
def manage():  # type: ignore[no-untyped-def]
    boards.require_manager(current_user)
    return render_template(
        "ideas/manage.html",
        boards=boards.all_boards(),
        statuses=boards.statuses(),
        locale=_locale(),
        audience_text=lambda b: describe(boards.board_audience(b)),
    )


def _board_form(form: BoardForm) -> None:
    locale = _locale()
    form.product_interest_id.choices = choices(
        [("", _("None"))] + [(str(i.id), i.name(locale)) for i in boards.product_interests()]
    )
    labels = role_labels()
    form.audience_roles.choices = choices((r, labels[r]) for r in ROLES)
    form.audience_min_tier.choices = choices(
        [("", _("Any tier"))] + [(t, tier_label(t)) for t in TIERS[1:]]
    )
    from app.members.taxonomy import list_interests

    form.audience_interests.choices = choices((i.slug, i.name(locale)) for i in list_interests())
    form.audience_stages.choices = choices((s, stage_label(s)) for s in STAGES)
    form.audience_min_trust_level.choices = choices(
        [("0", _("Any"))] + [(str(n), str(n)) for n in (1, 2, 3)]
    )


@bp.route("/ideas/manage/boards/new", methods=["GET", "POST"])
@bp.route("/ideas/manage/boards/<int:board_id>", methods=["GET", "POST"])
@login_required
def edit_board(board_id: int | None = None):  # type: ignore[no-untyped-def]
    boards.require_manager(current_user)
    existing = db.session.get(IdeaBoard, board_id) if board_id else None
    if board_id and existing is None:
        abort(404)
    form = BoardForm(obj=existing if request.method == "GET" else None)
    _board_form(form)
    if request.method == "GET" and existing is not None:
        rule = boards.board_audience(existing)
        form.product_interest_id.data = str(existing.product_interest_id or "")
        form.audience_roles.data = sorted(rule.roles)
        form.audience_min_tier.data = rule.min_tier or ""
        form.audience_interests.data = sorted(rule.interests)
        form.audience_stages.data = sorted(rule.stages)
        form.audience_min_trust_level.data = str(rule.min_trust_level)
        form.audience_members_only.data = rule.members_only
    status = 200
    if form.validate_on_submit():
        try:
            boards.save_board(current_user, form.data, board_id)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(_("The board is saved."), "success")
            return redirect(url_for("ideas.manage"), 303)
    if request.method == "POST":
        status = 400
    return render_template("ideas/board_edit.html", form=form, board=existing), status


@bp.route("/ideas/manage/statuses/new", methods=["GET", "POST"])
@bp.route("/ideas/manage/statuses/<int:status_id>", methods=["GET", "POST"])
@login_required
def edit_status(status_id: int | None = None):  # type: ignore[no-untyped-def]
    if not current_user.is_admin:
        abort(403)
    existing = db.session.get(IdeaStatus, status_id) if status_id else None
    if status_id and existing is None:
        abort(404)
    form = StatusConfigForm(obj=existing if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            boards.save_status(current_user, form.data, status_id)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(_("The status is saved."), "success")
            return redirect(url_for("ideas.manage"), 303)
    if request.method == "POST":
        status = 400
    return render_template("ideas/status_edit.html", form=form, status=existing), status
