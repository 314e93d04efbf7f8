"""What the store knows about a batch of messages: relationship, template counts, the place of
each message in its conversation, and the user's corrections."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from responder.classify.signals import Relationship, template_fingerprint
from responder.store.models import Conversation, Correction, Message, Sender

MIN_TEMPLATE_WORDS = 8


def template_of(message: Message) -> str:
    return message.template_hash or template_fingerprint(message.body or "")


def relationships(*, session: Session, messages: list[Message]) -> list[Relationship]:
    """One `Relationship` per message (same order), with a few grouped queries per batch."""
    conv_ids = {m.conversation_id for m in messages if m.conversation_id is not None}
    sender_ids = {m.sender_id for m in messages if m.sender_id is not None}
    participated: set[int] = set()
    if conv_ids:
        stmt = select(Conversation.id).where(
            col(Conversation.id).in_(conv_ids),
            Conversation.user_participated == True,  # noqa: E712
        )
        participated = {int(i) for i in session.exec(stmt) if i is not None}
    status: dict[int, str] = {}
    earlier: dict[int, int] = {}
    if sender_ids:
        for sid, st in session.exec(
            select(Sender.id, Sender.status).where(col(Sender.id).in_(sender_ids))
        ):
            status[int(sid)] = st  # type: ignore[arg-type]
        counts = (
            select(Message.sender_id, func.count())
            .where(col(Message.sender_id).in_(sender_ids), Message.direction == "in")
            .group_by(Message.sender_id)
        )
        earlier = {int(sid): int(n) for sid, n in session.exec(counts)}  # type: ignore[arg-type]
    templates = [template_of(m) for m in messages]
    stats = template_stats(session=session, messages=messages, templates=templates)
    out = []
    for m, tpl in zip(messages, templates, strict=True):
        count, senders = stats.get(tpl, (1, 1))
        if len((m.body or "").split()) < MIN_TEMPLATE_WORDS:  # "ok", "thanks!" are not templates
            count, senders = 1, 1
        out.append(
            Relationship(
                user_participated=m.conversation_id in participated,
                sender_status=status.get(m.sender_id or -1, "neutral"),
                first_contact=earlier.get(m.sender_id or -1, 1) <= 1,
                template_count=count,
                template_senders=senders,
            )
        )
    return out


def template_stats(
    *, session: Session, messages: list[Message], templates: list[str]
) -> dict[str, tuple[int, int]]:
    """Per template hash: (messages, distinct senders), counting stored messages and this batch."""
    batch_ids = {m.id for m in messages if m.id is not None}
    unique = sorted(set(templates))
    stored: dict[str, tuple[int, set[Any]]] = {}
    if unique:
        stmt = select(Message.template_hash, Message.sender_id, func.count()).where(
            col(Message.template_hash).in_(unique), Message.direction == "in"
        )
        if batch_ids:
            stmt = stmt.where(col(Message.id).not_in(batch_ids))
        for tpl, sid, n in session.exec(stmt.group_by(Message.template_hash, Message.sender_id)):
            count, senders = stored.get(tpl, (0, set()))  # type: ignore[arg-type]
            senders.add(sid)
            stored[tpl] = (count + int(n), senders)  # type: ignore[index]
    in_batch = Counter(templates)
    batch_senders: dict[str, set[Any]] = {}
    for m, tpl in zip(messages, templates, strict=True):
        batch_senders.setdefault(tpl, set()).add(m.sender_id)
    out = {}
    for tpl in unique:
        count, senders = stored.get(tpl, (0, set()))
        out[tpl] = (count + in_batch[tpl], len(senders | batch_senders.get(tpl, set())))
    return out


@dataclass(frozen=True)
class ThreadPlace:
    """Where a message stands in its conversation: who wrote first, and the id of the other
    side's first message before it (None: this is the first)."""

    started_by_user: bool
    opener_id: int | None


def thread_places(*, session: Session, messages: list[Message]) -> list[ThreadPlace | None]:
    """One `ThreadPlace` per message (None outside a conversation), one query per batch."""
    conv_ids = {m.conversation_id for m in messages if m.conversation_id is not None}
    if not conv_ids:
        return [None] * len(messages)
    stmt = (
        select(Message.id, Message.conversation_id, Message.direction, Message.sent_at)
        .where(col(Message.conversation_id).in_(conv_ids))
        .order_by(col(Message.conversation_id), col(Message.sent_at), col(Message.id))
    )
    by_conv: dict[int, list[tuple[int, str]]] = {}
    for mid, cid, direction, _sent in session.exec(stmt):
        by_conv.setdefault(int(cid), []).append((int(mid), str(direction)))  # type: ignore[arg-type]
    out: list[ThreadPlace | None] = []
    for m in messages:
        thread = by_conv.get(m.conversation_id or -1)
        if not thread:
            out.append(None)
            continue
        ids = [mid for mid, _d in thread]
        before = thread[: ids.index(m.id)] if m.id in ids else thread
        opener = next((mid for mid, d in before if d == "in"), None)
        out.append(ThreadPlace(started_by_user=thread[0][1] == "out", opener_id=opener))
    return out


def corrected_messages(*, session: Session, limit: int = 5000) -> list[tuple[int, str, str]]:
    """(correction id, model text, new label) of the latest correction per message, newest
    first."""
    rows = session.exec(
        select(
            Correction.id,
            Correction.message_id,
            Correction.new_label,
            Message.body,
            Message.subject,
        )
        .join(Message, col(Message.id) == Correction.message_id)
        .order_by(col(Correction.id).desc())
        .limit(limit)
    )
    seen: set[int] = set()
    out = []
    for cid, mid, label, body, subject in rows:
        if mid in seen:
            continue
        seen.add(mid)
        text = f"{subject}\n{body}" if subject else (body or "")
        out.append((int(cid), text, str(label)))  # type: ignore[arg-type]
    return out


def stored_labels(*, session: Session, ids: set[int]) -> dict[int, str]:
    """The current label of these stored messages (unlabelled ones left out)."""
    if not ids:
        return {}
    stmt = select(Message.id, Message.label).where(col(Message.id).in_(ids))
    return {int(i): str(lab) for i, lab in session.exec(stmt) if lab}  # type: ignore[arg-type]
