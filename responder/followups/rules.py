"""Follow-up rules: reminders, escalation of repeat pitchers, snooze, cancellation.

Follow-ups are rows (`FollowUp`); the store is the source of truth and the worker's periodic job
(`process_due_followups`) acts on the due ones. Every function takes `now` so tests drive time.

- A genuine message gets a reminder `policy.reminder_days` after it arrived, moved into the
  user's business hours (`next_business_time`). When it comes due the worker checks again whether
  the user answered (a sent draft, an outgoing message later in the conversation, or a status the
  user set) and cancels it instead of reminding.
- A sender who writes again after we declined (an approved or sent decline) gets a firm decline
  the second time; the third time and after, a report note and a block suggestion (an `Event` of
  kind `block_suggested` the app shows with the sender).
- Snooze hides a message until a date; a `snooze` follow-up brings it back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from responder.drafts.drafter import build_drafter
from responder.drafts.lifecycle import create_draft
from responder.errors import NotFoundError
from responder.followups.business_hours import is_business_time, next_business_time, user_tz
from responder.settings import Settings
from responder.store.claims import as_utc
from responder.store.models import Draft, Event, FollowUp, Message, Sender
from responder.taxonomy import DECLINE_LABELS, DraftKind, Label

log = logging.getLogger(__name__)
__all__ = ["is_business_time", "next_business_time", "on_message_triaged", "snooze", "user_tz"]

DECLINE_KINDS = frozenset({DraftKind.DECLINE, DraftKind.DECLINE_FIRM})


# --- scheduling and cancelling ----------------------------------------------------------------------


def _pending(session: Session, *, message_id: int, kind: str) -> list[FollowUp]:
    return list(
        session.exec(
            select(FollowUp).where(
                FollowUp.message_id == message_id,
                FollowUp.kind == kind,
                FollowUp.status == "pending",
            )
        )
    )


def schedule_reminder(
    *, session: Session, message: Message, settings: Settings, now: datetime | None = None
) -> FollowUp:
    """A reminder for `message` `reminder_days` after it arrived (never in the past, in business
    hours). Idempotent: an existing pending reminder is returned unchanged."""
    existing = _pending(session, message_id=message.id, kind="reminder")  # type: ignore[arg-type]
    if existing:
        return existing[0]
    row = reminder_row(message=message, settings=settings, now=now)
    session.add(row)
    session.flush()
    return row


def reminder_row(*, message: Message, settings: Settings, now: datetime | None = None) -> FollowUp:
    """The reminder row for `message` (not added to a session; batch triage adds many)."""
    arrived = as_utc(message.sent_at or message.imported_at)
    due = next_business_time(arrived + timedelta(days=settings.policy.reminder_days), settings)
    return FollowUp(
        message_id=message.id,
        sender_id=message.sender_id,
        kind="reminder",
        due_at=max(due, next_business_time(as_utc(now), settings)),
        note=f"remind after {settings.policy.reminder_days} days without a reply",
    )


def cancel_for_message(
    *,
    session: Session,
    message_id: int | None,
    reason: str = "answered",
    kinds: tuple[str, ...] = ("reminder",),
    now: datetime | None = None,
) -> int:
    """Cancel the message's pending follow-ups of `kinds` (the user replied or moved on)."""
    if message_id is None:
        return 0
    count = 0
    for row in session.exec(
        select(FollowUp).where(
            FollowUp.message_id == message_id,
            FollowUp.status == "pending",
            col(FollowUp.kind).in_(kinds),
        )
    ):
        row.status, row.done_at, row.note = "cancelled", as_utc(now), f"cancelled: {reason}"
        session.add(row)
        count += 1
    return count


def cancel_for_conversation(
    *, session: Session, conversation_id: int | None, before: datetime | None, reason: str
) -> int:
    """Cancel pending reminders of earlier messages in a conversation that moved on (one query,
    so triaging a long thread stays linear)."""
    if conversation_id is None:
        return 0
    earlier = select(Message.id).where(Message.conversation_id == conversation_id)
    if before is not None:
        earlier = earlier.where(or_(col(Message.sent_at).is_(None), col(Message.sent_at) < before))
    rows = session.exec(
        select(FollowUp).where(
            FollowUp.kind == "reminder",
            FollowUp.status == "pending",
            col(FollowUp.message_id).in_(earlier),
        )
    ).all()
    for row in rows:
        row.status, row.done_at, row.note = "cancelled", as_utc(None), f"cancelled: {reason}"
        session.add(row)
    return len(rows)


def is_answered(*, session: Session, message: Message) -> bool:
    """Did the user answer (or otherwise deal with) this message?"""
    if message.status in {"answered", "handled", "archived"}:
        return True
    sent = session.exec(
        select(Draft.id).where(Draft.message_id == message.id, Draft.status == "sent")
    ).first()
    if sent is not None:
        return True
    if message.conversation_id is None:
        return False
    later = select(Message.id).where(
        Message.conversation_id == message.conversation_id,
        Message.direction == "out",
        Message.id != message.id,
    )
    if message.sent_at is not None:
        later = later.where(
            or_(col(Message.sent_at).is_(None), col(Message.sent_at) >= message.sent_at)
        )
    return session.exec(later).first() is not None


# --- escalation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Escalation:
    #: 1 = first contact (or never declined), 2 = wrote again after one decline, 3+ = again.
    level: int
    #: The draft kind this level calls for (None: no decline wanted for this label).
    draft_kind: str | None
    block_suggested: bool


def declines_before(*, session: Session, message: Message) -> int:
    """How many earlier messages from this sender we declined (decline approved or sent)."""
    if message.sender_id is None:
        return 0
    stmt = (
        select(Draft.message_id)
        .join(Message, col(Message.id) == Draft.message_id)
        .where(
            Message.sender_id == message.sender_id,
            Message.id != message.id,
            col(Draft.kind).in_(DECLINE_KINDS),
            col(Draft.status).in_(("approved", "sent")),
        )
    )
    if message.sent_at is not None:
        stmt = stmt.where(
            or_(col(Message.sent_at).is_(None), col(Message.sent_at) <= message.sent_at)
        )
    return len(set(session.exec(stmt)))


def escalation_for(*, session: Session, message: Message) -> Escalation:
    """What a message from a previously declined sender calls for (pipeline may call it before
    drafting to pick the kind; `on_message_triaged` applies it after)."""
    if message.label not in DECLINE_LABELS:
        return Escalation(1, None, False)
    level = declines_before(session=session, message=message) + 1
    if level >= 3:
        return Escalation(level, DraftKind.REPORT_NOTE, True)
    if level == 2:
        return Escalation(level, DraftKind.DECLINE_FIRM, False)
    return Escalation(level, DraftKind.DECLINE, False)


@dataclass
class TriageFollowUp:
    """What `on_message_triaged` did. `draft` is the draft to use from now on: the escalated one
    when the message called for a firmer draft than the pipeline wrote."""

    reminder: FollowUp | None = None
    escalation: Escalation | None = None
    draft: Draft | None = None
    cancelled: int = 0


def reminder_horizon_days(settings: Settings) -> int:
    """Messages older than this many days get no reminder: an imported archive must not flood
    the app with reminders for messages from years ago."""
    return max(30, 3 * settings.policy.reminder_days)


def reminder_wanted(message: Message, settings: Settings, now: datetime) -> bool:
    if message.label != Label.GENUINE or message.status != "open":
        return False
    horizon = timedelta(days=reminder_horizon_days(settings))
    return as_utc(message.sent_at or message.imported_at) >= now - horizon


def on_message_triaged(
    *,
    session: Session,
    message: Message,
    settings: Settings,
    now: datetime | None = None,
    draft: Draft | None = None,
    drafter: Any = None,
) -> TriageFollowUp:
    """The pipeline's hook after a message was classified (and drafted). Schedules a reminder
    for a genuine message, cancels reminders of a thread that moved on, escalates a sender who
    writes again after our decline. Idempotent for the same message."""
    now = as_utc(now)
    result = TriageFollowUp(draft=draft)
    result.cancelled = cancel_for_conversation(
        session=session,
        conversation_id=message.conversation_id,
        before=message.sent_at,
        reason="you replied" if message.direction == "out" else "the thread moved on",
    )
    if message.direction != "in":
        return result
    if reminder_wanted(message, settings, now) and not is_answered(
        session=session, message=message
    ):
        result.reminder = schedule_reminder(
            session=session, message=message, settings=settings, now=now
        )
    elif message.label != Label.GENUINE:  # relabelled away from genuine: no reminder any more
        result.cancelled += cancel_for_message(
            session=session, message_id=message.id, reason=f"now {message.label}", now=now
        )
    escalation = escalation_for(session=session, message=message)
    if escalation.level >= 2:
        result.escalation = escalation
        result.draft = _escalate(
            session=session,
            message=message,
            settings=settings,
            escalation=escalation,
            draft=draft,
            drafter=drafter,
            now=now,
        )
    return result


def _current_draft(session: Session, message: Message) -> Draft | None:
    return session.exec(
        select(Draft)
        .where(Draft.message_id == message.id, Draft.status == "pending")
        .order_by(col(Draft.id).desc())
    ).first()


def _escalate(
    *,
    session: Session,
    message: Message,
    settings: Settings,
    escalation: Escalation,
    draft: Draft | None,
    drafter: Any,
    now: datetime,
) -> Draft | None:
    already = session.exec(
        select(FollowUp.id).where(FollowUp.message_id == message.id, FollowUp.kind == "escalate")
    ).first()
    current = draft if draft is not None and draft.status == "pending" else None
    current = current or _current_draft(session, message)
    if current is not None and current.kind != escalation.draft_kind:
        current = _redraft(session, message, settings, escalation.draft_kind, drafter) or current
    if already is not None:
        return current
    sender = session.get(Sender, message.sender_id) if message.sender_id else None
    who = f"{sender.name or sender.key} (sender {sender.id})" if sender else "this sender"
    note = f"writes again after {escalation.level - 1} decline(s): {escalation.draft_kind}"
    session.add(
        FollowUp(
            message_id=message.id,
            sender_id=message.sender_id,
            kind="escalate",
            due_at=now,
            status="done",
            done_at=now,
            note=note,
        )
    )
    session.add(Event(kind="escalation", level="warning", message_id=message.id, detail=note))
    if escalation.block_suggested:
        detail = f"{who} wrote {escalation.level} times after being declined: consider blocking"
        session.add(
            Event(kind="block_suggested", level="warning", message_id=message.id, detail=detail)
        )
    return current


def _redraft(
    session: Session, message: Message, settings: Settings, kind: str | None, drafter: Any
) -> Draft | None:
    """A new pending draft of `kind` for the message (the old pending one is superseded)."""
    if kind is None or message.label is None:
        return None
    if drafter is None:
        drafter = build_drafter(settings=settings, chat_model=None)
    return create_draft(
        session=session, message=message, label=message.label, kind=kind, drafter=drafter
    )


# --- snooze and listing ----------------------------------------------------------------------------


def snooze(
    *, session: Session, message_id: int, until: datetime, now: datetime | None = None
) -> FollowUp:
    """Hide a message until `until`; the worker brings it back (status open) then."""
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"Message {message_id} does not exist.")
    until = as_utc(until)
    if until <= as_utc(now):
        raise ValueError("Snooze until a moment in the future.")
    cancel_for_message(
        session=session, message_id=message_id, kinds=("snooze",), reason="snoozed again", now=now
    )
    message.status, message.snoozed_until = "snoozed", until
    session.add(message)
    row = FollowUp(message_id=message_id, sender_id=message.sender_id, kind="snooze", due_at=until)
    session.add(row)
    session.flush()
    return row


def unsnooze(*, session: Session, message_id: int, now: datetime | None = None) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"Message {message_id} does not exist.")
    cancel_for_message(
        session=session, message_id=message_id, kinds=("snooze",), reason="unsnoozed", now=now
    )
    if message.status == "snoozed":
        message.status = "open"
    message.snoozed_until = None
    session.add(message)
    return message


def list_followups(
    *, session: Session, status: str | None = None, kind: str | None = None, limit: int = 500
) -> list[FollowUp]:
    """Follow-ups, soonest due first (optionally only one status and/or kind)."""
    stmt = select(FollowUp)
    if status is not None:
        stmt = stmt.where(FollowUp.status == status)
    if kind is not None:
        stmt = stmt.where(FollowUp.kind == kind)
    return list(session.exec(stmt.order_by(col(FollowUp.due_at), col(FollowUp.id)).limit(limit)))


def open_reminders(*, session: Session, limit: int = 200) -> list[tuple[FollowUp, Message]]:
    """Reminders that fired for messages still waiting for the user (for the app's inbox)."""
    rows = session.exec(
        select(FollowUp, Message)
        .join(Message, col(Message.id) == FollowUp.message_id)
        .where(FollowUp.kind == "reminder", FollowUp.status == "done", Message.status == "open")
        .order_by(col(FollowUp.done_at).desc())
        .limit(limit)
    )
    return [(f, m) for f, m in rows if not is_answered(session=session, message=m)]
