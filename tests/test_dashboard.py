"""Dashboard aggregates on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from responder.app.dashboard import (
    build_dashboard,
    data_version,
    fill_weeks,
    handling,
    monday_of,
    overdue_followups,
    top_senders,
    waiting_for_review,
    week_start,
    weekly_by_label,
)
from responder.app.inbox import needs_review_count as inbox_count
from responder.app.review_queue import needs_review_count
from responder.settings import Settings, get_settings
from responder.store import db
from responder.store.models import Draft, Message
from tests.support.app_seed import CAMPAIGN, NOW, THIS_MONDAY, seed_views

THIS_WEEK = date(2026, 11, 23)
LAST_WEEK = date(2026, 11, 16)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[tuple[Session, Settings]]:
    """A migrated, seeded database of each kind."""
    if request.param == "postgresql":
        request.getfixturevalue("pg_url")
    settings = get_settings()
    db.upgrade(settings.database_url)
    engine: Engine = db.get_engine()
    assert engine.dialect.name == request.param
    with Session(engine, expire_on_commit=False) as s:
        seed_views(s)
        yield s, settings


def test_weekly_by_label(store: tuple[Session, Settings]) -> None:
    s, _ = store
    got = {(r.week, r.label): r.count for r in weekly_by_label(session=s, weeks=12, now=NOW)}
    assert got == {
        (LAST_WEEK, "genuine"): 1,
        (LAST_WEEK, "recruiting"): 2,
        (THIS_WEEK, "genuine"): 1,
        (THIS_WEEK, "phishing"): 1,
        (THIS_WEEK, "sales_pitch"): 5,
        (THIS_WEEK, "untriaged"): 1,
    }
    # a 14-week window reaches the message 13 weeks back
    wide = weekly_by_label(session=s, weeks=14, now=NOW)
    assert [(r.week, r.label, r.count) for r in wide][0] == (
        THIS_WEEK - timedelta(weeks=13),
        "genuine",
        1,
    )


@pytest.mark.parametrize(
    ("ts", "monday"),
    [
        (datetime(2026, 11, 23, 0, 0, tzinfo=UTC), date(2026, 11, 23)),  # Monday midnight
        (datetime(2026, 11, 29, 23, 59, 59, tzinfo=UTC), date(2026, 11, 23)),  # Sunday night
        (datetime(2026, 11, 30, 0, 0, 1, tzinfo=UTC), date(2026, 11, 30)),
        (datetime(2027, 1, 1, 12, tzinfo=UTC), date(2026, 12, 28)),  # across a year
    ],
)
def test_week_start_boundaries(store: tuple[Session, Settings], ts: datetime, monday: date) -> None:
    s, _ = store
    m = Message(source="t", source_id=f"w{ts.isoformat()}", content_hash="x", body="b", sent_at=ts)
    s.add(m)
    s.flush()
    from sqlmodel import select

    got = s.exec(select(week_start(Message.sent_at)).where(Message.id == m.id)).one()
    assert got == monday == monday_of(ts.date())


def test_handling_numbers(store: tuple[Session, Settings]) -> None:
    s, settings = store
    since = datetime.combine(THIS_WEEK, datetime.min.time(), tzinfo=UTC) - timedelta(weeks=11)
    h = handling(session=s, settings=settings, since=since, now=NOW)
    assert h.received == 11
    assert h.triaged == 10
    assert h.handled_without_you == 1  # pitch1 auto-approved
    assert h.handled_by_you == 2  # rec1 and genuine2 answered
    assert h.one_click_approvals == 2  # rec1 sent and camp_a approved, unedited
    # one meaning of "needs review" (the sidebar's): lowconf only; drafts are counted apart
    assert h.waiting_for_review == 1
    assert h.waiting_for_review == needs_review_count(session=s) == inbox_count(session=s)
    assert h.pending_drafts == 2
    assert h.overdue_followups == 1
    assert h.minutes_saved == settings.policy.minutes_saved_per_message
    assert h.share_without_you == pytest.approx(1 / 10)
    assert "2 minutes" in h.assumption


def test_queues_follow_user_actions(store: tuple[Session, Settings]) -> None:
    s, _ = store
    assert overdue_followups(session=s, now=NOW) == 1
    # the future reminder becomes overdue when time passes
    assert overdue_followups(session=s, now=NOW + timedelta(days=3)) == 2
    genuine1 = s.get(Message, 3)
    assert genuine1 is not None and genuine1.source_id == "genuine1"
    genuine1.status = "answered"
    s.add(genuine1)
    s.flush()
    assert overdue_followups(session=s, now=NOW) == 0
    for d in s.exec(__import__("sqlmodel").select(Draft).where(Draft.status == "pending")):
        d.status = "rejected"
        s.add(d)
    s.flush()
    assert waiting_for_review(session=s) == 1  # only the low-confidence one, as before
    lowconf = s.exec(
        __import__("sqlmodel").select(Message).where(Message.needs_review == True)  # noqa: E712
    ).one()
    lowconf.status = "archived"  # an archived message no longer waits for anyone
    s.add(lowconf)
    s.flush()
    assert waiting_for_review(session=s) == 0


def test_top_senders(store: tuple[Session, Settings]) -> None:
    s, _ = store
    since = THIS_MONDAY - timedelta(weeks=11)
    top = top_senders(session=s, since=since, limit=3)
    assert [(t.name, t.messages, t.top_label) for t in top] == [
        ("Pat Pitcher", 3, "sales_pitch"),
        ("Gina Genuine", 2, "genuine"),
        ("Rita Recruiter", 2, "recruiting"),
    ]


def test_build_dashboard_and_campaigns(store: tuple[Session, Settings]) -> None:
    s, settings = store
    dash = build_dashboard(session=s, settings=settings, weeks=12, now=NOW)
    assert dash.since == datetime(2026, 9, 7, tzinfo=UTC)
    assert len({r.week for r in dash.weekly}) == 12  # every week present, zeros filled in
    assert sum(r.count for r in dash.weekly) == 11
    assert [(c["template_hash"], c["senders"], c["messages"]) for c in dash.campaigns] == [
        (CAMPAIGN, 3, 3)
    ]
    assert dash.to_dict()["handling"]["share_without_you"] == pytest.approx(0.1)


def test_data_version_changes_with_the_data(store: tuple[Session, Settings]) -> None:
    s, _ = store
    v1 = data_version(session=s)
    assert v1 == data_version(session=s)
    draft = s.get(Draft, 2)
    assert draft is not None
    draft.status = "approved"
    draft.updated_at = datetime.now(UTC) + timedelta(minutes=1)
    s.add(draft)
    s.flush()
    v2 = data_version(session=s)
    assert v2 != v1
    genuine1 = s.get(Message, 3)
    assert genuine1 is not None
    genuine1.status = "snoozed"
    s.add(genuine1)
    s.flush()
    v3 = data_version(session=s)
    assert v3 != v2
    s.add(Message(source="t", source_id="new", content_hash="n", body="b", sent_at=NOW))
    s.flush()
    assert data_version(session=s) != v3


def test_fill_weeks_and_empty_store(session: Session, settings: Settings) -> None:
    assert fill_weeks([], weeks=4, now=NOW) == []
    dash = build_dashboard(session=session, settings=settings, weeks=4, now=NOW)
    assert dash.weekly == [] and dash.senders == [] and dash.campaigns == []
    assert dash.handling.received == 0 and dash.handling.share_without_you == 0.0


def test_period_ends_at_newest_message_of_an_old_inbox(engine, settings) -> None:
    """An imported archive (or the demo inbox) still shows its weeks instead of an empty chart."""
    from datetime import UTC, datetime

    from sqlmodel import Session

    from responder.app.dashboard import build_dashboard
    from responder.ingest.importer import load_demo_inbox

    load_demo_inbox(engine=engine, settings=settings)
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    with Session(engine) as s:
        dash = build_dashboard(session=s, settings=settings, weeks=12, now=now)
    assert dash.end < now and dash.end.year == 2025
    assert sum(w.count for w in dash.weekly) > 30
