"""The demo workspace: the demo inbox is stored with source "demo", so it can be counted and
removed in one step without touching the user's own messages.

Removal deletes the demo messages and everything that hangs on them (classifications, drafts and
their deliveries, follow-ups, corrections, events), then the demo conversations and the senders
that have no message left. A sender who also wrote a real message is kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from responder.ingest.demo import DEMO_SOURCE
from responder.store.models import (
    Classification,
    Conversation,
    Correction,
    Delivery,
    Draft,
    Event,
    FollowUp,
    Message,
    Sender,
)

log = logging.getLogger(__name__)


def demo_message_count(*, session: Session) -> int:
    """How many demo messages are in the store (0: no demo loaded)."""
    stmt = select(func.count()).select_from(Message).where(Message.source == DEMO_SOURCE)
    return int(session.exec(stmt).one())


@dataclass(frozen=True)
class DemoRemoval:
    messages: int
    drafts: int
    senders: int
    conversations: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "drafts": self.drafts,
            "senders": self.senders,
            "conversations": self.conversations,
        }


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def remove_demo(*, session: Session) -> DemoRemoval:
    """Delete the demo inbox and what depends on it (the caller commits)."""
    ids = select(Message.id).where(Message.source == DEMO_SOURCE)
    sender_ids = set(
        session.exec(
            select(Message.sender_id)
            .where(Message.source == DEMO_SOURCE, col(Message.sender_id).is_not(None))
            .distinct()
        )
    )
    draft_ids = select(Draft.id).where(col(Draft.message_id).in_(ids))
    session.exec(delete(Delivery).where(col(Delivery.draft_id).in_(draft_ids)))  # type: ignore[call-overload]
    drafts = _rowcount(session.exec(delete(Draft).where(col(Draft.message_id).in_(ids))))  # type: ignore[call-overload]
    for table in (Classification, Correction, FollowUp, Event):
        session.exec(delete(table).where(col(table.message_id).in_(ids)))  # type: ignore[call-overload, attr-defined]
    messages = _rowcount(session.exec(delete(Message).where(Message.source == DEMO_SOURCE)))  # type: ignore[call-overload]
    used_convs = select(Message.conversation_id).where(col(Message.conversation_id).is_not(None))
    conversations = _rowcount(
        session.exec(
            delete(Conversation).where(  # type: ignore[call-overload]
                Conversation.source == DEMO_SOURCE, col(Conversation.id).not_in(used_convs)
            )
        )
    )
    senders = 0
    if sender_ids:
        still = set(
            session.exec(
                select(Message.sender_id).where(col(Message.sender_id).in_(sender_ids)).distinct()
            )
        )
        orphans = [sid for sid in sender_ids if sid not in still]
        if orphans:
            session.exec(delete(FollowUp).where(col(FollowUp.sender_id).in_(orphans)))  # type: ignore[call-overload]
            senders = _rowcount(session.exec(delete(Sender).where(col(Sender.id).in_(orphans))))  # type: ignore[call-overload]
    removal = DemoRemoval(
        messages=messages, drafts=drafts, senders=senders, conversations=conversations
    )
    session.add(
        Event(
            kind="demo_removed",
            detail=f"Demo inbox removed: {messages} messages, {drafts} drafts, {senders} senders.",
        )
    )
    session.flush()
    log.info("demo removed: %s", removal.to_dict())
    return removal
