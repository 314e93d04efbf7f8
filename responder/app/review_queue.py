"""One meaning of "needs review", used by the Inbox, the Review page, the sidebar and the Dashboard.

A message needs review when it is inbound, still open, and its current classification asked for a
person (`Message.needs_review`): the label is uncertain, or a safety rule held back the automatic
answer (you took part in the conversation, the sender is on your allow list), or a campaign asked
you to report it. `review_reasons` says which, in words; `label_check_queue` is the Review page's
"Check the label" queue, with the suggested label and the likely alternatives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from responder.settings import Settings
from responder.store.models import Classification, Conversation, Event, Message, Sender
from responder.taxonomy import DISPLAY, LABELS

log = logging.getLogger(__name__)

#: Two labels whose scores are this close (the second at least this share of the first) are a
#: real doubt between the two, worth naming.
CLOSE_SECOND = 0.25
_PARTICIPATED = "You took part in this conversation"
_ALLOWED = "on your allow list"


def needs_review_conditions() -> list[ColumnElement[bool]]:
    """The SQL meaning of "needs review" (served by the (status, needs_review, direction) index)."""
    return [
        col(Message.direction) == "in",
        col(Message.status) == "open",
        col(Message.needs_review).is_(True),
    ]


def needs_review_count(*, session: Session) -> int:
    """How many messages need review (the number the sidebar, Inbox and Dashboard show)."""
    stmt = select(func.count()).select_from(Message).where(*needs_review_conditions())
    return int(session.exec(stmt).one())


def label_scores(classification: Classification | None) -> dict[str, float]:
    """Per-label scores the classifier kept (`signals["scores"]`), highest first; {} if none."""
    if classification is None:
        return {}
    raw = (classification.signals or {}).get("scores") or {}
    scores = {k: float(v) for k, v in raw.items() if k in LABELS and isinstance(v, (int, float))}
    return dict(sorted(scores.items(), key=lambda kv: -kv[1]))


def _name(label: str | None) -> str:
    return DISPLAY.get(label or "", label or "no label").lower()


def review_reasons(
    *,
    message: Message,
    classification: Classification | None,
    conversation: Conversation | None,
    sender: Sender | None,
    threshold: float,
    report_requested: bool = False,
) -> list[str]:
    """Why this message waits for you, in words, most important first."""
    reasons: list[str] = []
    why = list(classification.reasons or []) if classification is not None else []
    if (conversation is not None and conversation.user_participated) or any(
        r.startswith(_PARTICIPATED) for r in why
    ):
        reasons.append(
            f"You replied in this thread, so a {_name(message.label)} label is never acted on "
            "without you."
        )
    elif (sender is not None and sender.status == "allowed") or any(_ALLOWED in r for r in why):
        reasons.append("The sender is on your allow list, so nothing is declined without you.")
    if report_requested:
        reasons.append(
            "The same text came from several senders (a campaign): check it and report it."
        )
    scores = label_scores(classification)
    top = list(scores.items())[:2]
    if len(top) == 2 and top[1][1] >= CLOSE_SECOND * top[0][1] and top[1][1] >= 0.15:
        (first, p1), (second, p2) = top
        reasons.append(f"Unsure between {_name(first)} and {_name(second)} ({p1:.0%} / {p2:.0%}).")
    confidence = message.confidence
    if confidence is not None and confidence < threshold:
        reasons.append(
            f"The label's confidence ({confidence:.0%}) is below your review threshold "
            f"({threshold:.0%})."
        )
    if not reasons:
        reasons.append("Marked for a second look: check the label.")
    return reasons


@dataclass
class LabelCheck:
    """One message in the "Check the label" queue."""

    message: Message
    sender: Sender | None
    conversation: Conversation | None
    classification: Classification | None
    reasons: list[str]
    #: The label Responder suggests (the current one) and the others, likeliest first.
    suggested: str | None
    alternatives: list[str] = field(default_factory=list)


def _classifications(session: Session, messages: list[Message]) -> dict[int, Classification]:
    ids = [m.classification_id for m in messages if m.classification_id]
    if not ids:
        return {}
    rows = session.exec(select(Classification).where(col(Classification.id).in_(ids)))
    return {row.message_id: row for row in rows}


def _report_requested(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    stmt = select(Event.message_id).where(
        Event.kind == "report_requested", col(Event.message_id).in_(ids)
    )
    return {mid for mid in session.exec(stmt) if mid is not None}


def label_check_queue(
    *, session: Session, settings: Settings, limit: int = 200
) -> list[LabelCheck]:
    """Messages that need review, oldest first, with the reason and the label choices."""
    stmt = (
        select(Message, Sender, Conversation)
        .join(Sender, col(Sender.id) == Message.sender_id, isouter=True)
        .join(Conversation, col(Conversation.id) == Message.conversation_id, isouter=True)
        .where(*needs_review_conditions())
        .order_by(col(Message.sent_at).asc(), col(Message.id).asc())
        .limit(limit)
    )
    rows = list(session.exec(stmt))
    messages = [m for m, _, _ in rows]
    classes = _classifications(session, messages)
    reported = _report_requested(session, [m.id for m in messages if m.id is not None])
    out = []
    for message, sender, conversation in rows:
        c = classes.get(message.id)  # type: ignore[arg-type]
        scores = label_scores(c)
        others = [label for label in scores if label != message.label]
        others += [label for label in LABELS if label != message.label and label not in others]
        out.append(
            LabelCheck(
                message=message,
                sender=sender,
                conversation=conversation,
                classification=c,
                reasons=review_reasons(
                    message=message,
                    classification=c,
                    conversation=conversation,
                    sender=sender,
                    threshold=settings.policy.review_threshold,
                    report_requested=message.id in reported,
                ),
                suggested=message.label,
                alternatives=others,
            )
        )
    return out


def reasons_for(*, session: Session, message: Message, settings: Settings) -> list[str]:
    """`review_reasons` for one message, reading what it needs (for the message view)."""
    classification: Any = None
    if message.classification_id:
        classification = session.get(Classification, message.classification_id)
    conversation = (
        session.get(Conversation, message.conversation_id) if message.conversation_id else None
    )
    sender = session.get(Sender, message.sender_id) if message.sender_id else None
    reported = bool(_report_requested(session, [message.id])) if message.id else False
    return review_reasons(
        message=message,
        classification=classification,
        conversation=conversation,
        sender=sender,
        threshold=settings.policy.review_threshold,
        report_requested=reported,
    )
