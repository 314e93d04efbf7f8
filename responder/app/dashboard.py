"""Dashboard aggregates: what arrived, what was handled, what waits for the user.

Every number is one SQL aggregate (GROUP BY or conditional counts) over indexed columns, so the
whole dashboard is a handful of queries even at 100,000 messages. Weeks are bucketed in SQL
(`week_start`, Monday 00:00 UTC) with a dialect-specific expression for SQLite and PostgreSQL.
The app caches `build_dashboard` keyed on `data_version`, a cheap fingerprint of the store.

"Handled without you" means a message whose reply or note Responder approved on its own
(auto-approve policy). The estimated time saved is that count times
`policy.minutes_saved_per_message` (the assumption is returned with the number, for display).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from responder.app.campaigns import list_campaigns
from responder.app.inbox import sender_display
from responder.app.review_queue import needs_review_count
from responder.settings import Settings
from responder.store.models import Correction, Draft, Event, FollowUp, Message, Sender

log = logging.getLogger(__name__)
UNTRIAGED = "untriaged"
HANDLED_STATUSES = ("answered", "handled", "archived")


class week_start(FunctionElement[date]):  # noqa: N801 - reads like the SQL function it renders
    """The Monday (UTC) of the week a timestamp falls in, as a DATE."""

    type = sa.Date()
    name = "week_start"
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler: Any, **kw: Any) -> str:
    # Timestamps are stored as UTC text; 'weekday 0' moves to the next Sunday (or stays on one).
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element: week_start, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('week', ({arg}) AT TIME ZONE 'UTC') AS DATE)"


@compiles(week_start)
def _week_start_other(element: week_start, compiler: Any, **kw: Any) -> str:
    raise CompileError(f"week_start is not implemented for {compiler.dialect.name}")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


# --- the cache key ---------------------------------------------------------------------------------


def data_version(*, session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint (index-only reads) that changes when what the dashboard counts does.

    New messages move max(Message.id); drafts created, approved, sent or rejected change the
    per-status draft counts; relabels add a Correction; sender status changes, auto-approvals,
    reminders and imports add an Event; snoozes add a FollowUp; answering, snoozing or archiving
    changes the number of open messages. Anything else is caught by the cache's short TTL.
    """
    row = session.exec(
        select(
            select(sa.func.max(Message.id)).scalar_subquery(),
            select(sa.func.max(Correction.id)).scalar_subquery(),
            select(sa.func.max(Event.id)).scalar_subquery(),
            select(sa.func.max(FollowUp.id)).scalar_subquery(),
            select(sa.func.count()).where(Message.status == "open").scalar_subquery(),
        )
    ).one()
    drafts = session.exec(
        select(Draft.status, sa.func.count()).group_by(Draft.status).order_by(Draft.status)
    ).all()
    return (*row, *(f"{status}:{n}" for status, n in drafts))


# --- the aggregates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCount:
    week: date
    label: str
    count: int


def weekly_by_label(
    *, session: Session, weeks: int = 12, now: datetime | None = None
) -> list[WeekCount]:
    """Inbound messages per week (Monday, UTC) and label over the last `weeks` weeks.

    Weeks or labels without messages are absent; `fill_weeks` completes the grid for charts.
    """
    since = datetime.combine(monday_of(_now(now).date()), datetime.min.time(), tzinfo=UTC)
    until = since + timedelta(weeks=1)  # the end of the current week
    since -= timedelta(weeks=weeks - 1)
    week = week_start(Message.sent_at).label("week")
    label = sa.func.coalesce(Message.label, UNTRIAGED).label("label")
    stmt = (
        select(week, label, sa.func.count().label("n"))
        .where(
            Message.direction == "in", col(Message.sent_at) >= since, col(Message.sent_at) < until
        )
        .group_by(week, label)
        .order_by(week, label)
    )
    return [WeekCount(w, lab, int(n)) for w, lab, n in session.exec(stmt)]


def fill_weeks(
    rows: list[WeekCount], *, weeks: int, now: datetime | None = None
) -> list[WeekCount]:
    """The rows plus zero counts for every week in the range that has none (a chart without
    gaps); labels without any message in the range are left out."""
    last = monday_of(_now(now).date())
    all_weeks = [last - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    present = {(r.week, r.label) for r in rows}
    labels = sorted({r.label for r in rows})
    filled = list(rows) + [
        WeekCount(w, lab, 0) for w in all_weeks for lab in labels if (w, lab) not in present
    ]
    return sorted(filled, key=lambda r: (r.week, r.label))


@dataclass(frozen=True)
class Handling:
    received: int
    triaged: int
    handled_without_you: int
    handled_by_you: int
    one_click_approvals: int
    waiting_for_review: int
    pending_drafts: int
    overdue_followups: int
    minutes_saved: float
    minutes_per_message: float
    assumption: str

    @property
    def share_without_you(self) -> float:
        return self.handled_without_you / self.triaged if self.triaged else 0.0


def handling(
    *, session: Session, settings: Settings, since: datetime, now: datetime | None = None
) -> Handling:
    """Counts for inbound messages that arrived since `since`, plus the current queues."""
    now = _now(now)
    in_period = (Message.direction == "in", col(Message.sent_at) >= since)
    auto_ids = select(Draft.message_id).where(Draft.auto_approved == True)  # noqa: E712
    received, triaged, by_user, auto = session.exec(
        select(
            sa.func.count(),
            _count_if(Message.triage_status == "triaged"),
            _count_if(
                sa.and_(col(Message.status).in_(HANDLED_STATUSES), col(Message.id).not_in(auto_ids))
            ),
            _count_if(col(Message.id).in_(auto_ids)),
        ).where(*in_period)
    ).one()
    one_click = _count_distinct(
        session,
        select(Draft.message_id)
        .join(Message, col(Message.id) == Draft.message_id)
        .where(
            *in_period,
            col(Draft.status).in_(("approved", "sent")),
            Draft.auto_approved == False,  # noqa: E712
            Draft.edited == False,  # noqa: E712
        ),
    )
    minutes = settings.policy.minutes_saved_per_message
    return Handling(
        received=int(received),
        triaged=int(triaged),
        handled_without_you=int(auto),
        handled_by_you=int(by_user),
        one_click_approvals=one_click,
        waiting_for_review=waiting_for_review(session=session),
        pending_drafts=_pending_drafts(session),
        overdue_followups=overdue_followups(session=session, now=now),
        minutes_saved=int(auto) * minutes,
        minutes_per_message=minutes,
        assumption=(
            f"Assumes each message handled without you saves {minutes:g} minutes of reading, "
            "deciding and answering (setting policy.minutes_saved_per_message)."
        ),
    )


def _count_if(cond: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def _count_distinct(session: Session, stmt: Any) -> int:
    sub = stmt.distinct().subquery()
    return int(session.exec(select(sa.func.count()).select_from(sub)).one())


def _pending_drafts(session: Session) -> int:
    return int(session.exec(select(sa.func.count()).where(Draft.status == "pending")).one())


def waiting_for_review(*, session: Session) -> int:
    """Messages that need review: the same number as the sidebar, Inbox and Review page."""
    return needs_review_count(session=session)


def overdue_followups(*, session: Session, now: datetime | None = None) -> int:
    """Reminders that came due while their message is still open (not answered, not snoozed)."""
    stmt = (
        select(sa.func.count())
        .select_from(FollowUp)
        .join(Message, col(Message.id) == FollowUp.message_id)
        .where(
            FollowUp.kind == "reminder",
            FollowUp.status != "cancelled",
            col(FollowUp.due_at) <= _now(now),
            Message.status == "open",
        )
    )
    return int(session.exec(stmt).one())


@dataclass(frozen=True)
class SenderCount:
    sender_id: int
    name: str
    status: str
    messages: int
    top_label: str


def top_senders(*, session: Session, since: datetime, limit: int = 10) -> list[SenderCount]:
    """The senders who wrote most since `since`, with the label most of their messages got."""
    n = sa.func.count().label("n")
    stmt = (
        select(Message.sender_id, n)
        .where(Message.direction == "in", col(Message.sent_at) >= since)
        .where(col(Message.sender_id).is_not(None))
        .group_by(Message.sender_id)
        .order_by(n.desc(), col(Message.sender_id))
        .limit(limit)
    )
    counts = [(int(sid), int(c)) for sid, c in session.exec(stmt)]
    if not counts:
        return []
    ids = [sid for sid, _ in counts]
    senders = {s.id: s for s in session.exec(select(Sender).where(col(Sender.id).in_(ids)))}
    labels = _top_labels(session, ids, since)
    return [
        SenderCount(
            sender_id=sid,
            name=sender_display(senders[sid]),
            status=senders[sid].status,
            messages=c,
            top_label=labels.get(sid, UNTRIAGED),
        )
        for sid, c in counts
        if sid in senders
    ]


def _top_labels(session: Session, sender_ids: list[int], since: datetime) -> dict[int, str]:
    label = sa.func.coalesce(Message.label, UNTRIAGED)
    stmt = (
        select(Message.sender_id, label, sa.func.count())
        .where(col(Message.sender_id).in_(sender_ids), Message.direction == "in")
        .where(col(Message.sent_at) >= since)
        .group_by(Message.sender_id, label)
    )
    best: dict[int, tuple[int, str]] = {}
    for sid, lab, c in session.exec(stmt):
        if sid not in best or (c, lab) > best[sid]:
            best[sid] = (int(c), lab)
    return {sid: lab for sid, (_, lab) in best.items()}


def period_end(*, session: Session, now: datetime) -> datetime:
    """Where the dashboard's period ends: now, or the newest inbound message when the inbox is
    older than that (an imported archive or the demo inbox still shows its weeks). Dates in the
    future (a sender's wrong clock) never move the period."""
    latest = session.exec(select(func.max(Message.sent_at)).where(Message.direction == "in")).one()
    if latest is None:
        return now
    latest = latest if latest.tzinfo else latest.replace(tzinfo=UTC)
    return min(now, latest)


@dataclass
class Dashboard:
    weeks: int
    since: datetime
    end: datetime
    weekly: list[WeekCount]
    handling: Handling
    senders: list[SenderCount]
    campaigns: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["handling"]["share_without_you"] = self.handling.share_without_you
        return data


#: "All" on the dashboard covers at most this many weeks (five years).
MAX_WEEKS = 260


def weeks_spanned(*, session: Session, end: datetime) -> int:
    """How many weeks (Monday to Monday) lie between the oldest inbound message and `end`, so
    that "All" shows every message of an older export (at least 1, at most MAX_WEEKS)."""
    first = session.exec(select(func.min(Message.sent_at)).where(Message.direction == "in")).one()
    if first is None:
        return 1
    first = first if first.tzinfo else first.replace(tzinfo=UTC)
    span = (monday_of(end.date()) - monday_of(first.date())).days // 7 + 1
    return max(1, min(MAX_WEEKS, span))


def build_dashboard(
    *, session: Session, settings: Settings, weeks: int | None = 12, now: datetime | None = None
) -> Dashboard:
    """Everything the dashboard shows, for the last `weeks` weeks (None: every week that has
    messages, see `weeks_spanned`)."""

    now = _now(now)
    end = period_end(session=session, now=now)
    if weeks is None:
        weeks = weeks_spanned(session=session, end=end)
    since = datetime.combine(monday_of(end.date()), datetime.min.time(), tzinfo=UTC)
    since -= timedelta(weeks=weeks - 1)
    campaigns = list_campaigns(session=session, since=since, limit=10)
    return Dashboard(
        weeks=weeks,
        since=since,
        end=end,
        weekly=fill_weeks(
            weekly_by_label(session=session, weeks=weeks, now=end), weeks=weeks, now=end
        ),
        handling=handling(session=session, settings=settings, since=since, now=now),
        senders=top_senders(session=session, since=since),
        campaigns=[c.to_dict() for c in campaigns],
    )
