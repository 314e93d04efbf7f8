"""The "Check the label" decision: keep the suggested label or pick another, in one step.

Keeping the label records it as yours (a user classification, so the message no longer needs
review) and keeps a pending draft as it is; picking another is a relabel (a `Correction`, the old
draft superseded, a new one written for the new label).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session, col, select

from responder.classify.result import ClassificationResult
from responder.errors import NotFoundError
from responder.settings import Settings
from responder.store.models import Draft, Event, Message
from responder.taxonomy import LABELS
from responder.triage.apply import apply_result, relabel, store_classification

log = logging.getLogger(__name__)


def _live_draft(session: Session, message_id: int) -> Draft | None:
    return session.exec(
        select(Draft).where(
            Draft.message_id == message_id, col(Draft.status).in_(("pending", "approved", "sent"))
        )
    ).first()


def decide_label(
    *,
    session: Session,
    message_id: int,
    label: str,
    settings: Settings,
    drafter: Any = None,
) -> Message:
    """Settle a message's label: `label` equal to the current one keeps it (and its draft),
    another one relabels. Either way the message no longer needs review. The caller commits."""
    if label not in LABELS:
        raise ValueError(f"{label!r} is not one of {', '.join(LABELS)}")
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"Message {message_id} does not exist.")
    if label != message.label:
        relabel(
            session=session,
            message_id=message_id,
            new_label=label,
            settings=settings,
            drafter=drafter,
            note="check the label",
        )
        return message
    result = ClassificationResult(
        label=label, confidence=1.0, reasons=["Checked by you."], signals={}, method="user"
    )
    if _live_draft(session, message_id) is None:
        apply_result(
            session=session, message=message, result=result, settings=settings, drafter=drafter
        )
    else:
        store_classification(session=session, message=message, result=result)
    message.needs_review = False
    session.add(message)
    session.add(Event(kind="label_confirmed", message_id=message_id, detail=f"kept {label}"))
    log.info("message %s: label %s kept by the user", message_id, label)
    return message
