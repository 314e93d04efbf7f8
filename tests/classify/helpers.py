"""Helpers to store messages for classifier tests."""

from __future__ import annotations

import itertools

from sqlmodel import Session

from responder.classify.signals import content_hash, template_fingerprint
from responder.store.models import Classification, Conversation, Message, Sender

_ids = itertools.count(1)


def add_sender(session: Session, name: str = "Sam Seller", status: str = "neutral") -> Sender:
    sender = Sender(key=f"name:{name}:{next(_ids)}", name=name, status=status)
    session.add(sender)
    session.flush()
    return sender


def add_message(
    session: Session,
    body: str,
    *,
    sender: Sender | None = None,
    conversation: Conversation | None = None,
    subject: str | None = None,
    direction: str = "in",
) -> Message:
    n = next(_ids)
    message = Message(
        source="paste",
        source_id=f"m{n}",
        body=body,
        subject=subject,
        content_hash=content_hash(body),
        sender_id=sender.id if sender else None,
        conversation_id=conversation.id if conversation else None,
        direction=direction,
    )
    session.add(message)
    session.flush()
    return message


def add_conversation(session: Session, *, user_participated: bool) -> Conversation:
    conv = Conversation(
        source="paste", source_id=f"c{next(_ids)}", user_participated=user_participated
    )
    session.add(conv)
    session.flush()
    return conv


def store(session: Session, message: Message, result) -> None:  # type: ignore[no-untyped-def]
    """What the triage pipeline does with a result (enough for cache tests)."""
    row = Classification(
        message_id=message.id,  # type: ignore[arg-type]
        label=result.label,
        confidence=result.confidence,
        reasons=result.reasons,
        signals=result.signals,
        method=result.method,
        model=result.model,
        prompt_name=result.prompt_name,
        prompt_version=result.prompt_version,
        needs_review=result.needs_review,
    )
    session.add(row)
    message.label = result.label
    message.template_hash = result.template_hash or template_fingerprint(message.body)
    session.add(message)
    session.flush()
