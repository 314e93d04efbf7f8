"""The worker's side of follow-ups: claim the due rows atomically, act on each once.

Each claimed row is handled in its own transaction that both does the effect (an `Event` the app
shows, a message back from snooze) and marks the row done, guarded by `claimed_by`, so a crash
either leaves the row claimed (released and redone on restart) or done, never both half-way.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from responder.followups.business_hours import is_business_time, next_business_time
from responder.followups.rules import is_answered
from responder.settings import Settings
from responder.store.claims import as_utc, claim_rows
from responder.store.models import Event, FollowUp, Message, Sender

log = logging.getLogger(__name__)

#: A claim older than this is taken to belong to a worker that died (see `release_stale`).
CLAIM_LEASE = timedelta(minutes=10)
#: After an unexpected error a follow-up is tried again this much later.
ERROR_DELAY = timedelta(minutes=15)

Handler = Callable[[Session, FollowUp, Settings, datetime], str]


def claim_due(*, engine: Engine, worker_id: str, now: datetime, limit: int = 50) -> list[int]:
    """Atomically claim due pending follow-ups for this worker (see `responder.store.claims`)."""
    return claim_rows(
        engine=engine,
        model=FollowUp,
        where=[FollowUp.status == "pending", FollowUp.due_at <= now],  # type: ignore[list-item]
        order_by=[FollowUp.due_at, FollowUp.id],
        values={"status": "claimed", "claimed_by": worker_id, "claimed_at": now},
        limit=limit,
    )


def release_stale(
    *, engine: Engine, now: datetime, worker_id: str | None = None, lease: timedelta = CLAIM_LEASE
) -> int:
    """Put claims of dead workers back to pending: claims older than the lease, and (at a worker's
    start) every claim made under its own name by its previous life."""

    cond = col(FollowUp.claimed_at) < as_utc(now) - lease
    if worker_id is not None:
        cond = or_(cond, col(FollowUp.claimed_by) == worker_id)
    with engine.begin() as conn:
        res = conn.execute(
            update(FollowUp)
            .where(FollowUp.status == "claimed", cond)  # type: ignore[arg-type]
            .values(status="pending", claimed_by=None, claimed_at=None)
        )
    return int(res.rowcount or 0)


def process_due_followups(
    *,
    engine: Engine,
    settings: Settings,
    worker_id: str,
    now: datetime | None = None,
    limit: int = 500,
) -> dict[str, int]:
    """Act on every due follow-up (at most `limit` per call); returns counts per outcome."""
    now = as_utc(now)
    outcomes: Counter[str] = Counter()
    while sum(outcomes.values()) < limit:
        ids = claim_due(engine=engine, worker_id=worker_id, now=now, limit=50)
        if not ids:
            break
        for fid in ids:
            outcomes[_handle_one(engine, settings, fid, worker_id, now)] += 1
    if outcomes:
        log.info("follow-ups: %s", dict(outcomes))
    return dict(outcomes)


def _handle_one(engine: Engine, settings: Settings, fid: int, worker_id: str, now: datetime) -> str:
    try:
        with Session(engine, expire_on_commit=False) as s:
            row = s.get(FollowUp, fid)
            if row is None or row.status != "claimed" or row.claimed_by != worker_id:
                return "lost"
            outcome = HANDLERS.get(row.kind, _handle_other)(s, row, settings, now)
            s.commit()
            return outcome
    except Exception as exc:
        log.exception("follow-up %s failed", fid)
        with Session(engine) as s:
            row = s.get(FollowUp, fid)
            if row is not None and row.claimed_by == worker_id:
                row.status, row.claimed_by, row.claimed_at = "pending", None, None
                row.due_at = now + ERROR_DELAY
                s.add(row)
                s.add(
                    Event(
                        kind="followup_error",
                        level="error",
                        message_id=row.message_id,
                        detail=f"follow-up {fid} ({row.kind}) failed: {exc}; retrying later",
                    )
                )
                s.commit()
        return "error"


def _finish(row: FollowUp, now: datetime, status: str, note: str | None = None) -> None:
    row.status, row.done_at = status, now
    if note:
        row.note = note


def _postpone(row: FollowUp, due: datetime) -> None:
    row.status, row.claimed_by, row.claimed_at, row.due_at = "pending", None, None, due


def _handle_reminder(s: Session, row: FollowUp, settings: Settings, now: datetime) -> str:
    message = s.get(Message, row.message_id) if row.message_id else None
    if message is None:
        _finish(row, now, "cancelled", "cancelled: the message is gone")
        return "cancelled"
    if is_answered(session=s, message=message):
        _finish(row, now, "cancelled", "cancelled: answered")
        return "cancelled"
    if message.status == "snoozed" and message.snoozed_until and message.snoozed_until > now:
        _postpone(row, next_business_time(message.snoozed_until, settings))
        return "postponed"
    if not is_business_time(now, settings):
        # The worker may have been down; a reminder still waits for business hours.
        _postpone(row, next_business_time(now, settings))
        return "postponed"
    sender = s.get(Sender, message.sender_id) if message.sender_id else None
    who = (sender.name or sender.key) if sender else "a sender"
    when = as_utc(message.sent_at).date().isoformat() if message.sent_at else "earlier"
    s.add(
        Event(
            kind="reminder",
            level="warning",
            message_id=message.id,
            detail=f"No reply yet to {who} (message of {when}).",
        )
    )
    _finish(row, now, "done", "reminded")
    return "reminded"


def _handle_snooze(s: Session, row: FollowUp, settings: Settings, now: datetime) -> str:
    message = s.get(Message, row.message_id) if row.message_id else None
    if message is not None and message.status == "snoozed":
        message.status, message.snoozed_until = "open", None
        s.add(message)
        s.add(Event(kind="snooze_ended", message_id=message.id, detail="Back in your inbox."))
    _finish(row, now, "done")
    return "unsnoozed"


def _handle_other(s: Session, row: FollowUp, settings: Settings, now: datetime) -> str:
    _finish(row, now, "done")
    return "done"


HANDLERS: dict[str, Handler] = {"reminder": _handle_reminder, "snooze": _handle_snooze}
