"""What batch triage needs to know about a batch's senders and conversations, loaded at once.

One query each for senders, conversations, earlier declines per sender, pending reminders and
outgoing messages per conversation, and messages that already have drafts or follow-ups. While
the batch is worked through, the context is kept current (a reminder scheduled or cancelled) so
that a message sees what the messages before it in the batch did, as the per-message path would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from responder.followups.rules import DECLINE_KINDS
from responder.store.claims import as_utc
from responder.store.models import Conversation, Draft, FollowUp, Message, Sender

Stamped = tuple[int, datetime | None]


@dataclass
class BatchContext:
    senders: dict[int, Sender] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    #: sender id -> (message id, its sent_at) per approved or sent decline draft.
    declines: dict[int, list[Stamped]] = field(default_factory=lambda: defaultdict(list))
    #: conversation id -> pending reminders with their message's sent_at.
    reminders: dict[int, list[tuple[FollowUp, datetime | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    #: conversation id -> (id, sent_at) of the user's outgoing messages.
    outgoing: dict[int, list[Stamped]] = field(default_factory=lambda: defaultdict(list))
    #: messages of the batch that already have a draft or a follow-up (the per-message path).
    touched: set[int] = field(default_factory=set)

    # --- what the per-message path would query ----------------------------------------------
    def previous_declines(self, message: Message) -> int:
        """As `drafts.context.previous_declines`: decline drafts for the sender's other messages."""
        if message.sender_id is None:
            return 0
        return sum(1 for mid, _ in self.declines.get(message.sender_id, ()) if mid != message.id)

    def declines_before(self, message: Message) -> int:
        """As `followups.rules.declines_before`: declined messages sent up to this one."""
        if message.sender_id is None:
            return 0
        when = message.sent_at
        return len(
            {
                mid
                for mid, sent in self.declines.get(message.sender_id, ())
                if mid != message.id and (when is None or sent is None or _le(sent, when))
            }
        )

    def answered_later(self, message: Message) -> bool:
        """An outgoing message later in the conversation (part of `rules.is_answered`)."""
        if message.conversation_id is None:
            return False
        when = message.sent_at
        return any(
            oid != message.id and (when is None or sent is None or _le(when, sent))
            for oid, sent in self.outgoing.get(message.conversation_id, ())
        )

    def earlier_reminders(self, message: Message) -> list[FollowUp]:
        """Pending reminders that `rules.cancel_for_conversation` would cancel for `message`."""
        if message.conversation_id is None:
            return []
        before = message.sent_at
        return [
            row
            for row, sent in self.reminders.get(message.conversation_id, ())
            if row.status == "pending" and (before is None or sent is None or _lt(sent, before))
        ]


def _le(a: datetime, b: datetime) -> bool:
    return as_utc(a) <= as_utc(b)


def _lt(a: datetime, b: datetime) -> bool:
    return as_utc(a) < as_utc(b)


def load_context(*, session: Session, messages: list[Message]) -> BatchContext:
    """The context of a batch in six queries (their rows stay in the session's identity map, so
    `session.get` of a sender or conversation during drafting costs no query)."""
    ctx = BatchContext()
    sender_ids = {m.sender_id for m in messages if m.sender_id is not None}
    conv_ids = {m.conversation_id for m in messages if m.conversation_id is not None}
    ids = [m.id for m in messages]
    if sender_ids:
        ctx.senders = {
            s.id: s  # type: ignore[misc]
            for s in session.exec(select(Sender).where(col(Sender.id).in_(sender_ids)))
        }
    if conv_ids:
        ctx.conversations = {
            c.id: c  # type: ignore[misc]
            for c in session.exec(select(Conversation).where(col(Conversation.id).in_(conv_ids)))
        }
        for cid, oid, sent in session.exec(
            select(Message.conversation_id, Message.id, Message.sent_at).where(
                col(Message.conversation_id).in_(conv_ids), Message.direction == "out"
            )
        ):
            ctx.outgoing[cid].append((oid, sent))  # type: ignore[index,arg-type]
    refresh(session=session, ctx=ctx, sender_ids=sender_ids, conversation_ids=conv_ids)
    touched = select(Draft.message_id).where(col(Draft.message_id).in_(ids))
    ctx.touched = set(session.exec(touched))
    touched_f = select(FollowUp.message_id).where(col(FollowUp.message_id).in_(ids))
    ctx.touched |= {mid for mid in session.exec(touched_f) if mid is not None}
    return ctx


def refresh(
    *,
    session: Session,
    ctx: BatchContext,
    sender_ids: Iterable[int | None],
    conversation_ids: Iterable[int | None],
) -> None:
    """Reload the declines of `sender_ids` and the pending reminders of `conversation_ids` (after
    the per-message path changed them)."""
    senders = {s for s in sender_ids if s is not None}
    convs = {c for c in conversation_ids if c is not None}
    if senders:
        for sid in senders:
            ctx.declines[sid] = []
        stmt = (
            select(Message.sender_id, Draft.message_id, Message.sent_at)
            .join(Message, col(Message.id) == Draft.message_id)
            .where(
                col(Message.sender_id).in_(senders),
                col(Draft.kind).in_(DECLINE_KINDS),
                col(Draft.status).in_(("approved", "sent")),
            )
        )
        for sid, mid, sent in session.exec(stmt):
            ctx.declines[sid].append((mid, sent))  # type: ignore[index]
    if convs:
        for cid in convs:
            ctx.reminders[cid] = []
        rows = session.exec(
            select(FollowUp, Message.conversation_id, Message.sent_at)
            .join(Message, col(Message.id) == FollowUp.message_id)
            .where(
                FollowUp.kind == "reminder",
                FollowUp.status == "pending",
                col(Message.conversation_id).in_(convs),
            )
        )
        for row, cid, sent in rows:
            ctx.reminders[cid].append((row, sent))  # type: ignore[index]
