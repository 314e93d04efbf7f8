"""What the user does with drafts and labels: approve, edit, reject, regenerate, mark sent,
relabel. Every function is one unit of work on the session it is given (the caller commits).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from responder.drafts.lifecycle import relint
from responder.errors import InvalidTransitionError, NotFoundError
from responder.followups.rules import cancel_for_message
from responder.settings import Settings
from responder.store.models import Delivery, Draft, Event, Message, Sender
from responder.taxonomy import NOTE_KINDS, REPORT_LABELS

log = logging.getLogger(__name__)
EMAIL_SOURCES = frozenset({"email", "imap"})


def _now() -> datetime:
    return datetime.now(UTC)


def _draft(session: Session, draft_id: int) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFoundError(f"Draft {draft_id} does not exist (it may have been regenerated).")
    return draft


def edit_draft(
    *, session: Session, draft_id: int, text: str, settings: Settings | None = None
) -> Draft:
    """Replace the draft's text (it stays pending) and lint it again."""
    draft = _draft(session, draft_id)
    if draft.status not in {"pending", "approved"}:
        raise InvalidTransitionError(f"A {draft.status} draft cannot be edited.")
    if text != draft.text:
        draft.text = text
        draft.edited = True
        message = session.get(Message, draft.message_id)
        assert message is not None
        relint(draft=draft, message=message, settings=settings)
    draft.updated_at = _now()
    session.add(draft)
    return draft


def channel_for(*, session: Session, message: Message) -> str:
    """email when the message came by mail and has an address to answer; else linkedin (manual)."""
    if message.source in EMAIL_SOURCES:
        sender = session.get(Sender, message.sender_id) if message.sender_id else None
        if message.reply_to or (sender and sender.email):
            return "email"
    return "linkedin"


def approve_draft(
    *,
    session: Session,
    draft_id: int,
    text: str | None = None,
    auto: bool = False,
    settings: Settings | None = None,
) -> Draft:
    """Approve (optionally with edited text). Replies go to the outbox; report notes are notes
    for the user and are never sent."""
    draft = _draft(session, draft_id)
    if draft.status != "pending":
        raise InvalidTransitionError(
            f"Only pending drafts can be approved (this one is {draft.status})."
        )
    message = session.get(Message, draft.message_id)
    assert message is not None
    if text is not None:
        edit_draft(session=session, draft_id=draft_id, text=text, settings=settings)
    if auto and not draft.lint_ok:
        raise InvalidTransitionError("A draft that fails lint cannot be auto-approved.")
    if draft.kind not in NOTE_KINDS and message.label in REPORT_LABELS:
        raise InvalidTransitionError(
            f"No reply is ever sent to a message labelled {message.label}; relabel it first."
        )
    now = _now()
    draft.status = "approved"
    draft.auto_approved = auto
    draft.approved_at = now
    draft.updated_at = now
    session.add(draft)
    if draft.kind not in NOTE_KINDS:
        channel = channel_for(session=session, message=message)
        existing = session.exec(select(Delivery).where(Delivery.draft_id == draft.id)).first()
        if existing is None:
            session.add(
                Delivery(
                    draft_id=draft.id,
                    channel=channel,  # type: ignore[arg-type]
                    state="approved" if channel == "email" else "manual",
                    next_attempt_at=now,
                )
            )
    session.flush()
    return draft


def reject_draft(*, session: Session, draft_id: int, reason: str | None = None) -> Draft:
    draft = _draft(session, draft_id)
    if draft.status not in {"pending", "approved"}:
        raise InvalidTransitionError(f"A {draft.status} draft cannot be rejected.")
    delivery = session.exec(select(Delivery).where(Delivery.draft_id == draft.id)).first()
    if delivery is not None:
        if delivery.state in {"sending", "sent"}:
            raise InvalidTransitionError("This reply is already being sent.")
        session.delete(delivery)
    draft.status = "rejected"
    draft.reject_reason = (reason or "").strip()[:500] or None
    draft.updated_at = _now()
    session.add(draft)
    return draft


def mark_sent(*, session: Session, draft_id: int) -> Draft:
    """The user sent the reply themself (LinkedIn: copy, open conversation, send, mark sent)."""
    draft = _draft(session, draft_id)
    if draft.status == "pending":
        approve_draft(session=session, draft_id=draft_id)
    if draft.status != "approved":
        raise InvalidTransitionError(f"A {draft.status} draft cannot be marked sent.")
    now = _now()
    delivery = session.exec(select(Delivery).where(Delivery.draft_id == draft.id)).first()
    if delivery is not None:
        if delivery.state == "sending":
            raise InvalidTransitionError("The worker is sending this reply right now.")
        delivery.state = "sent"
        delivery.sent_at = now
        delivery.updated_at = now
        session.add(delivery)
    draft.status = "sent"
    draft.sent_at = now
    draft.updated_at = now
    session.add(draft)
    message = session.get(Message, draft.message_id)
    assert message is not None
    message.status = "handled" if draft.kind in NOTE_KINDS else "answered"
    session.add(message)
    _cancel_followups(session=session, message=message)
    return draft


def mark_reported(*, session: Session, draft_id: int, block: bool = True) -> Draft:
    """The user reported the sender on LinkedIn using the report note; optionally block them."""
    draft = _draft(session, draft_id)
    if draft.kind not in NOTE_KINDS:
        raise InvalidTransitionError("Only report notes can be marked reported.")
    if draft.status == "pending":
        approve_draft(session=session, draft_id=draft_id)
    mark_sent(session=session, draft_id=draft_id)
    message = session.get(Message, draft.message_id)
    if block and message is not None and message.sender_id:
        set_sender_status(session=session, sender_id=message.sender_id, status="blocked")
    return draft


def bulk_approve(*, session: Session, label: str, settings: Settings | None = None) -> int:
    """Approve every pending reply drafted for `label` that passes lint. Never for report labels."""
    if label in REPORT_LABELS:
        raise InvalidTransitionError(f"Replies are never approved in bulk for {label}.")
    drafts = session.exec(
        select(Draft)
        .join(Message, col(Message.id) == Draft.message_id)
        .where(Draft.status == "pending", Message.label == label, Draft.lint_ok == True)  # noqa: E712
    ).all()
    for draft in drafts:
        approve_draft(session=session, draft_id=draft.id, settings=settings)  # type: ignore[arg-type]
    return len(drafts)


def set_sender_status(*, session: Session, sender_id: int, status: str) -> Sender:
    if status not in {"neutral", "allowed", "blocked"}:
        raise ValueError(f"unknown sender status {status!r}")
    sender = session.get(Sender, sender_id)
    if sender is None:
        raise NotFoundError(f"Sender {sender_id} does not exist.")
    sender.status = status
    session.add(sender)
    session.add(Event(kind="sender_status", detail=f"sender {sender_id} -> {status}"))
    return sender


def _cancel_followups(*, session: Session, message: Message) -> None:
    cancel_for_message(session=session, message_id=message.id)
