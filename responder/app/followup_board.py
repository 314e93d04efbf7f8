"""Read side of the Follow-ups page: what is due, what is snoozed, recent escalations, with the
message and sender each row is about. Plain data (dicts); the page renders it as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from responder.followups.rules import list_followups, open_reminders, reminder_horizon_days
from responder.settings import Settings
from responder.store.claims import as_utc
from responder.store.models import FollowUp, Message, Sender
from responder.taxonomy import Label

LIMIT = 200


@dataclass
class Board:
    #: Reminders that fired (or are past due) for messages still waiting for the user.
    due: list[dict[str, Any]] = field(default_factory=list)
    #: Pending reminders not due yet.
    upcoming: list[dict[str, Any]] = field(default_factory=list)
    snoozed: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    #: Messages older than this many days get no reminder.
    horizon_days: int = 30
    #: Open genuine messages older than that, which therefore get no reminder.
    too_old: int = 0


def _context(session: Session, rows: list[FollowUp]) -> dict[int, tuple[Message, Sender | None]]:
    ids = {r.message_id for r in rows if r.message_id}
    if not ids:
        return {}
    pairs = session.exec(
        select(Message, Sender)
        .join(Sender, col(Sender.id) == Message.sender_id, isouter=True)
        .where(col(Message.id).in_(ids))
    )
    return {m.id: (m, s) for m, s in pairs}  # type: ignore[misc]


def _row(f: FollowUp, ctx: dict[int, tuple[Message, Sender | None]]) -> dict[str, Any]:
    message, sender = ctx.get(f.message_id, (None, None)) if f.message_id else (None, None)
    return {
        "id": f.id,
        "kind": f.kind,
        "status": f.status,
        "due_at": f.due_at,
        "done_at": f.done_at,
        "note": f.note or "",
        "message_id": f.message_id,
        "message_status": message.status if message else "",
        "sent_at": message.sent_at if message else None,
        "subject": (message.subject or message.body[:200]) if message else "",
        "label": message.label if message else None,
        "sender_id": sender.id if sender else None,
        "sender": (sender.name or sender.key) if sender else "",
        "snoozed_until": message.snoozed_until if message else None,
    }


def too_old_for_reminders(*, session: Session, settings: Settings, now: datetime) -> int:
    """Open genuine inbound messages older than the reminder horizon (they get no reminder)."""
    since = as_utc(now) - timedelta(days=reminder_horizon_days(settings))
    stmt = select(func.count()).where(
        Message.direction == "in",
        Message.status == "open",
        Message.label == Label.GENUINE,
        col(Message.sent_at) < since,
    )
    return int(session.exec(stmt).one())


def followup_board(
    *, session: Session, now: datetime | None = None, settings: Settings | None = None
) -> Board:
    now = as_utc(now)
    pending = list_followups(session=session, status="pending", kind="reminder", limit=LIMIT)
    fired = [f for f, _ in open_reminders(session=session, limit=LIMIT)]
    snoozes = list_followups(session=session, status="pending", kind="snooze", limit=LIMIT)
    escalations = list(
        session.exec(
            select(FollowUp)
            .where(FollowUp.kind == "escalate")
            .order_by(col(FollowUp.due_at).desc(), col(FollowUp.id).desc())
            .limit(50)
        )
    )
    ctx = _context(session, [*pending, *fired, *snoozes, *escalations])
    overdue = [f for f in pending if as_utc(f.due_at) <= now]
    due = [_row(f, ctx) for f in [*fired, *overdue]]
    return Board(
        due=[r for r in due if r["message_status"] == "open"],
        upcoming=[_row(f, ctx) for f in pending if as_utc(f.due_at) > now],
        snoozed=[_row(f, ctx) for f in snoozes],
        escalations=[_row(f, ctx) for f in escalations],
        horizon_days=reminder_horizon_days(settings) if settings else 30,
        too_old=too_old_for_reminders(session=session, settings=settings, now=now)
        if settings
        else 0,
    )
