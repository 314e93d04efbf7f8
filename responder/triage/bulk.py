"""Bulk approve and reject for one label, and their undo.

The app first asks `bulk_candidates` how many drafts an action would touch (the confirmation shows
the count), then runs `bulk_decide`, which returns the draft ids so the action can be undone.
`undo_bulk` puts those drafts back to pending as long as their reply has not gone out: an e-mail
the worker is sending or has sent, or a LinkedIn reply marked sent, stays as it is. Bulk-approved
e-mail replies wait `UNDO_GRACE` before the worker sends them, so the undo has time to work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlmodel import Session, col, select

from responder.errors import InvalidTransitionError
from responder.settings import Settings
from responder.store.models import Delivery, Draft, Event, Message
from responder.taxonomy import NOTE_KINDS, REPORT_LABELS
from responder.triage.review import approve_draft, reject_draft

log = logging.getLogger(__name__)
BulkAction = Literal["approve", "reject"]
#: Bulk-approved e-mail replies are sent no sooner than this, leaving time to undo.
UNDO_GRACE = timedelta(minutes=2)
_GONE = frozenset({"sending", "sent"})


@dataclass
class BulkResult:
    action: BulkAction
    label: str
    draft_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.draft_ids)


@dataclass
class UndoResult:
    restored: int = 0
    #: Drafts left as they are, because their reply went out or they changed since.
    kept: int = 0


def bulk_candidates(*, session: Session, label: str, action: BulkAction) -> list[int]:
    """The pending reply drafts for `label` the action would touch (approve: lint-clean only).
    Never for phishing, scam or harassment: no reply is approved there in bulk."""
    if label in REPORT_LABELS:
        raise InvalidTransitionError(f"Drafts are never handled in bulk for {label}.")
    stmt = (
        select(Draft.id)
        .join(Message, col(Message.id) == Draft.message_id)
        .where(
            Draft.status == "pending",
            Message.label == label,
            col(Draft.kind).not_in(tuple(NOTE_KINDS)),
        )
        .order_by(col(Draft.id))
    )
    if action == "approve":
        stmt = stmt.where(Draft.lint_ok == True)  # noqa: E712
    return [int(i) for i in session.exec(stmt) if i is not None]


def bulk_decide(
    *,
    session: Session,
    label: str,
    action: BulkAction,
    settings: Settings | None = None,
    expected: int | None = None,
    now: datetime | None = None,
) -> BulkResult:
    """Approve or reject every candidate draft for `label` (the caller commits). With
    `expected`, refuses when the count changed since the user confirmed it."""
    ids = bulk_candidates(session=session, label=label, action=action)
    if expected is not None and len(ids) != expected:
        raise InvalidTransitionError(
            f"{len(ids)} drafts match now, not the {expected} you confirmed: look again."
        )
    now = now or datetime.now(UTC)
    for draft_id in ids:
        if action == "approve":
            approve_draft(session=session, draft_id=draft_id, settings=settings)
            delivery = session.exec(select(Delivery).where(Delivery.draft_id == draft_id)).first()
            if delivery is not None and delivery.state == "approved":
                delivery.next_attempt_at = now + UNDO_GRACE
                session.add(delivery)
        else:
            reject_draft(session=session, draft_id=draft_id, reason="bulk reject")
    session.add(Event(kind=f"bulk_{action}", detail=f"{len(ids)} {label} drafts: {action}d"))
    session.flush()
    log.info("bulk %s of %d %s drafts", action, len(ids), label)
    return BulkResult(action=action, label=label, draft_ids=ids)


def _restore(session: Session, draft: Draft, action: BulkAction) -> bool:
    delivery = session.exec(select(Delivery).where(Delivery.draft_id == draft.id)).first()
    if action == "approve":
        if draft.status != "approved" or (delivery is not None and delivery.state in _GONE):
            return False
    else:
        if draft.status != "rejected" or draft.reject_reason != "bulk reject":
            return False
        live = session.exec(
            select(Draft.id).where(
                Draft.message_id == draft.message_id,
                col(Draft.status).in_(("pending", "approved", "sent")),
            )
        ).first()
        if live is not None:  # a newer draft took its place
            return False
    if delivery is not None:
        session.delete(delivery)
    draft.status = "pending"
    draft.approved_at = None
    draft.auto_approved = False
    draft.reject_reason = None
    draft.updated_at = datetime.now(UTC)
    session.add(draft)
    return True


def undo_bulk(*, session: Session, draft_ids: list[int], action: BulkAction) -> UndoResult:
    """Put the drafts of a bulk action back to pending where their reply has not gone out."""
    result = UndoResult()
    rows = session.exec(select(Draft).where(col(Draft.id).in_(draft_ids))).all()
    for draft in rows:
        if _restore(session, draft, action):
            result.restored += 1
        else:
            result.kept += 1
    result.kept += len(set(draft_ids)) - len(rows)
    session.add(Event(kind="bulk_undo", detail=f"undo {action}: {result.restored} back to pending"))
    session.flush()
    return result
