"""The feedback report: its numbers equal direct counts on the seeded club, the CSV and JSON
are the screen, only product and admins read it, and its query count does not grow with
the data."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.community.ideas.models import Idea, IdeaVote
from app.community.reports import feedback
from app.core.time import utcnow
from app.extensions import db
from tests.html import parse


def _report(app, **args):  # type: ignore[no-untyped-def]
    with app.test_request_context("/reports/feedback", query_string=args):
        params, errors = feedback.parse_params(args)
        assert errors == {}
        report = feedback.build(params)
        return report, {t.id: t for t in report.tables()}


def _column(table, index: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {row[0].text: row[index].text for row in table.rows}


def _direct_votes(board, start, end) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = db.session.execute(
        select(Idea.title, func.count())
        .join(IdeaVote, IdeaVote.idea_id == Idea.id)
        .where(Idea.board_id == board.id, IdeaVote.created_at >= start, IdeaVote.created_at < end)
        .group_by(Idea.title)
    ).all()
    return {title: str(n) for title, n in rows}


def test_top_ideas_by_votes_equal_a_direct_count(app, scene) -> None:
    report, tables = _report(app, board="tents", period="30d")
    params = report.params
    assert _column(tables["top-votes"], 3) == _direct_votes(scene.tents, params.start, params.end)
    assert _column(tables["top-votes"], 3) == {
        "Lighter tent poles": "6",
        "Bigger vestibule": "3",
        "Titanium pegs": "1",
    }
    # The previous period (30 to 60 days ago) and the change against it.
    assert _column(tables["top-votes"], 4) == {
        "Lighter tent poles": "0",
        "Bigger vestibule": "2",
        "Titanium pegs": "4",
    }
    assert _column(tables["top-votes"], 5) == {
        "Lighter tent poles": "new",
        "Bigger vestibule": "+50%",
        "Titanium pegs": "-75%",
    }
    assert tables["top-votes"].rows[0][0].text == "Lighter tent poles"
    assert tables["top-votes"].rows[0][0].href.startswith(f"/ideas/{scene.ideas['poles'].id}")


def test_weighted_votes_follow_the_snapshot_tier(app, scene) -> None:
    _, tables = _report(app, board="tents", period="30d", weight_by="tier")
    # Poles: members 0-5 are bronze, silver, gold, platinum, bronze, silver = 1+2+3+4+1+2.
    # Vestibule: members 2, 3, 6 are gold, platinum, gold = 3+4+3. Pegs: member 9, silver = 2.
    assert _column(tables["top-weighted"], 1) == {
        "Lighter tent poles": "13",
        "Bigger vestibule": "10",
        "Titanium pegs": "2",
    }
    _, tables = _report(app, board="tents", period="30d", weight_by="tier", w_gold="10")
    assert _column(tables["top-weighted"], 1)["Bigger vestibule"] == "24"
    assert [r[0].text for r in tables["top-weighted"].rows][:2] == [
        "Bigger vestibule",
        "Lighter tent poles",
    ]


def test_who_asks_equals_a_direct_count_of_the_snapshots(app, scene) -> None:
    report, tables = _report(app, board="tents", period="30d")
    params = report.params
    direct = dict(
        db.session.execute(
            select(IdeaVote.tier, func.count())
            .join(Idea, Idea.id == IdeaVote.idea_id)
            .where(Idea.board_id == scene.tents.id, IdeaVote.created_at >= params.start)
            .group_by(IdeaVote.tier)
        ).all()
    )
    shown = _column(tables["who-tier"], 1)
    assert shown == {
        "Bronze": str(direct["bronze"]),
        "Silver": str(direct["silver"]),
        "Gold": str(direct["gold"]),
        "Platinum": str(direct["platinum"]),
    }
    assert shown == {"Bronze": "2", "Silver": "3", "Gold": "3", "Platinum": "2"}
    # Interests from the snapshot lists: poles 6 trail + 3 climbing, vestibule 3 climbing.
    assert _column(tables["who-interest"], 1) == {"Trail running": "6", "Climbing": "6"}
    assert sum(int(v) for v in _column(tables["who-stage"], 1).values()) == 10


def test_every_board_counts_every_vote(app, scene) -> None:
    _r, tables = _report(app, period="30d")
    assert _column(tables["summary"], 1)["Votes"] == "12"
    assert _column(tables["top-votes"], 3)["Hip belt pockets"] == "2"


def test_funnel_and_response_times(app, scene) -> None:
    _r, tables = _report(app, board="tents", period="30d")
    # Posted in the last 30 days on Tents: poles (open → under review → planned), vestibule
    # (open): a status counts the ideas that are or were in it.
    funnel = _column(tables["funnel"], 1)
    assert (funnel["Open"], funnel["Under review"], funnel["Planned"], funnel["Shipped"]) == (
        "2",
        "1",
        "1",
        "0",
    )
    response = _column(tables["response"], 1)
    assert response["Ideas with an official response"] == "1"
    assert response["Ideas still waiting"] == "1"
    assert response["Median time to respond (days)"] == "2"
    summary = _column(tables["summary"], 1)
    assert summary["Ideas posted"] == "2" and summary["Official responses"] == "2"
    assert _column(tables["summary"], 2)["Ideas posted"] == "1"


def test_most_discussed_are_active_in_the_period(app, scene) -> None:
    _r, tables = _report(app, board="tents", period="30d")
    assert [r[0].text for r in tables["discussed"].rows] == [
        "Lighter tent poles",
        "Bigger vestibule",
    ]


def test_poll_results_by_tier(app, poll_scene) -> None:
    poll = poll_scene.polls["material"]
    _r, tables = _report(app, period="30d")
    by_tier = tables[f"poll-{poll.id}-tier"]
    # Members 0-4: bronze carbon, silver alu, gold carbon, platinum alu, bronze carbon.
    assert by_tier.columns == ["Option", "Bronze", "Silver", "Gold", "Platinum"]
    assert [[c.text for c in row] for row in by_tier.rows] == [
        ["Carbon", "2", "0", "1", "0"],
        ["Aluminium", "0", "1", "0", "1"],
    ]
    assert (
        by_tier.rows[0][1].href
        == f"/polls/{poll.id}/answers?tier=bronze&option={poll.options[0].id}"
    )
    assert f"poll-{poll.id}-interest" in tables and f"poll-{poll.id}-stage" in tables


def _login(client, role):  # type: ignore[no-untyped-def]
    from tests.factories import MemberFactory

    member = MemberFactory(role=role)
    with client.session_transaction() as sess:
        sess["_user_id"] = member.get_id()
        sess["_fresh"] = True


@pytest.mark.parametrize(
    ("role", "status"), [("member", 403), ("moderator", 403), ("product", 200), ("admin", 200)]
)
def test_only_product_and_admins_read_the_report(client, scene, role, status) -> None:
    _login(client, role)
    for path in (
        "/reports/feedback",
        "/reports/feedback.csv",
        "/reports/feedback.json",
        "/reports/feedback/ideas",
    ):
        assert client.get(path).status_code == status, path


def test_visitors_are_sent_to_log_in(client, scene) -> None:
    response = client.get("/reports/feedback")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def _screen_tables(html: str) -> list[list[list[str]]]:
    """Every exported table on the page: its caption, header and rows as text."""
    doc = parse(html)
    tables: list[list[list[str]]] = []
    current = None
    for el in doc.elements:
        if el.tag == "figcaption" and el.text and current is None:
            caption = el.text
        if el.tag == "table" and "data-export" in el.attrs:
            current = [[caption]]
            tables.append(current)
        elif el.tag == "tr" and current is not None and "table" in el.parents:
            current.append([])
        elif el.tag in ("th", "td") and current is not None and "table" in el.parents:
            if "colspan" in el.attrs:  # the empty-table placeholder row is not data
                current.pop()
                continue
            current[-1].append(el.text)
        elif el.tag == "figure":
            current = None
    return tables


def test_the_csv_equals_the_screen(client, poll_scene) -> None:
    _login(client, "product")
    args = {"board": "tents", "period": "30d", "weight_by": "stage"}
    html = client.get("/reports/feedback", query_string=args).get_data(as_text=True)
    exported = client.get("/reports/feedback.csv", query_string=args).get_data(as_text=True)
    blocks: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(exported)):
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    blocks = [b for b in blocks if b]
    screen = _screen_tables(html)
    assert len(screen) == len(blocks) > 10
    assert screen == blocks


def test_the_json_carries_the_same_tables(client, scene) -> None:
    _login(client, "admin")
    data = client.get("/reports/feedback.json?board=tents&period=30d").get_json()
    tables = {t["id"]: t for t in data["tables"]}
    assert tables["top-votes"]["rows"][0][:4] == ["Lighter tent poles", "Tents", "Planned", "6"]
    assert data["board"] == "tents" and data["weight_by"] == "tier"


def test_a_figure_links_to_the_ideas_behind_it(client, scene) -> None:
    _login(client, "product")
    doc = parse(client.get("/reports/feedback?board=tents&period=30d").get_data(as_text=True))
    link = next(
        a for a in doc.find("a") if a.text == "3" and "tier=gold" in a.attrs.get("href", "")
    )
    page = parse(client.get(link.attrs["href"]).get_data(as_text=True))
    rows = {r.text for r in page.find("th", scope="row")}
    # Gold votes of the period on Tents: poles (member 2), vestibule (members 2 and 6).
    assert rows == {"Lighter tent poles", "Bigger vestibule"}


def test_bad_parameters_fall_back_with_a_message(client, scene) -> None:
    _login(client, "product")
    response = client.get("/reports/feedback?board=nope&period=custom&from=2026-13-01&w_gold=-3")
    assert response.status_code == 200
    text = parse(response.get_data(as_text=True)).text
    assert "No board has this address" in text and "A weight goes from 0 to 100" in text


def test_the_report_query_count_does_not_grow_with_the_data(app, scene, queries) -> None:
    with queries() as small:
        _report(app, board="tents", period="365d")
    now = utcnow()
    extra = []
    for n in range(30):
        idea = Idea(
            board_id=scene.tents.id,
            author_id=scene.members[0].id,
            title=f"More {n}",
            slug=f"more-{n}",
            body="x",
            body_html="x",
            status="open",
            created_at=now - timedelta(days=3),
            last_activity_at=now,
            comment_count=n,
        )
        db.session.add(idea)
        db.session.flush()
        extra += [
            IdeaVote(
                idea_id=idea.id,
                member_id=m.id,
                created_at=now - timedelta(days=1),
                tier=m.tier,
                stage="active",
                value_band="low",
                interests=["climbing"],
            )
            for m in scene.members
        ]
    db.session.add_all(extra)
    db.session.flush()
    with queries() as large:
        _report(app, board="tents", period="365d")
    assert len(large) == len(small) <= 25


def test_an_empty_club_gives_an_empty_report(client, db) -> None:
    _login(client, "product")
    response = client.get("/reports/feedback")
    assert response.status_code == 200
    assert "Nothing in this period." in parse(response.get_data(as_text=True)).text
    assert client.get("/reports/feedback.csv").status_code == 200
