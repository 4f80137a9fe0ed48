"""The feedback report's pages and exports (product team and admins; others 403).

`/reports/feedback` shows the report, `/reports/feedback.csv` and `.json` export the same
tables (the same formatted text as the screen), `/reports/feedback/ideas` lists the ideas
behind a figure.
"""

from __future__ import annotations

import csv
import io

from flask import Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.community.ideas.models import IdeaBoard
from app.community.reports import bp, feedback
from app.core.errors import PermissionDenied
from app.extensions import db

REPORT_ROLES = frozenset({"product", "admin"})


def _require_reader() -> None:
    if getattr(current_user, "role", None) not in REPORT_ROLES:
        raise PermissionDenied(_("The feedback report is for the product team and admins."))


def safe_cell(text: str) -> str:
    """Text a member or the product team wrote (an idea's title, an option), as a cell a
    spreadsheet will not run as a formula (CSV injection); figures are left as shown."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _report() -> tuple[feedback.Report, dict[str, str]]:
    params, errors = feedback.parse_params(request.args)
    return feedback.build(params), errors


@bp.get("/reports/feedback")
@login_required
def feedback_report():  # type: ignore[no-untyped-def]
    _require_reader()
    report, errors = _report()
    boards = db.session.scalars(select(IdeaBoard).order_by(IdeaBoard.position, IdeaBoard.id)).all()
    return render_template(
        "reports/feedback.html",
        report=report,
        params=report.params,
        errors=errors,
        boards=boards,
        attributes=feedback.ATTRIBUTES,
        cells=feedback.cells,
        periods=feedback.PERIODS,
    )


@bp.get("/reports/feedback.csv")
@login_required
def feedback_csv():  # type: ignore[no-untyped-def]
    _require_reader()
    report, _errors = _report()
    out = io.StringIO()
    writer = csv.writer(out)
    for table in report.tables():
        writer.writerow([safe_cell(table.title)])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow(
                [
                    cell.text if i in table.numeric else safe_cell(cell.text)
                    for i, cell in enumerate(row)
                ]
            )
        writer.writerow([])
    name = f"feedback-{report.params.start.date()}-{report.params.end.date()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/reports/feedback.json")
@login_required
def feedback_json():  # type: ignore[no-untyped-def]
    _require_reader()
    report, errors = _report()
    params = report.params
    return jsonify(
        {
            "board": params.board.slug if params.board else None,
            "from": params.start.date().isoformat(),
            "to": params.end.date().isoformat(),
            "weight_by": params.weight_by,
            "weights": params.weights,
            "tables": [t.as_dict() for t in report.tables()],
            "errors": errors,
        }
    )


@bp.get("/reports/feedback/ideas")
@login_required
def feedback_ideas():  # type: ignore[no-untyped-def]
    _require_reader()
    params, errors = feedback.parse_params(request.args)
    ideas, label = feedback.ideas_behind(params, request.args)
    return render_template(
        "reports/ideas.html", ideas=ideas, label=label, params=params, errors=errors
    )
