"""Senders and campaigns: who wrote, what they sent, and the allow/block lists.

A campaign is one message template (`Message.template_hash`: the text with names, numbers and
links removed) sent by several distinct senders, a strong sign of mass outreach from fake or
rented profiles. The user can report all of a campaign (report-note drafts for every message) or
block all its senders in one click.

Every function is one unit of work on the given session; the caller commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from responder.errors import NotFoundError
from responder.ingest.base import normalize_profile_url
from responder.store.models import Draft, Event, FollowUp, Message, Sender
from responder.triage.review import set_sender_status

log = logging.getLogger(__name__)
SENDER_STATUSES = ("neutral", "allowed", "blocked")
UNTRIAGED = "untriaged"
MAX_DETAIL_ROWS = 500


# --- the sender list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SenderRow:
    id: int
    name: str
    key: str
    email: str | None
    profile_url: str | None
    status: str
    messages: int
    last_seen: datetime | None


def _sender_filter(search: str, status: str | None) -> list[Any]:
    conds: list[Any] = [Sender.is_self == False]  # noqa: E712
    if status:
        conds.append(Sender.status == status)
    text = search.strip()
    if text:
        pattern = f"%{text.lower()}%"
        conds.append(
            sa.or_(
                sa.func.lower(Sender.name).like(pattern),
                sa.func.lower(Sender.key).like(pattern),
                sa.func.lower(sa.func.coalesce(Sender.email, "")).like(pattern),
            )
        )
    return conds


def list_senders(
    *,
    session: Session,
    search: str = "",
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[SenderRow], int]:
    """One page of senders (most recently seen first) and the total that match."""
    conds = _sender_filter(search, status)
    total = int(session.exec(select(sa.func.count()).select_from(Sender).where(*conds)).one())
    senders = list(
        session.exec(
            select(Sender)
            .where(*conds)
            .order_by(col(Sender.last_seen).desc().nulls_last(), col(Sender.id).desc())
            .limit(limit)
            .offset(offset)
        )
    )
    counts = message_counts(session=session, sender_ids=[s.id for s in senders if s.id])
    rows = [
        SenderRow(
            id=s.id,  # type: ignore[arg-type]
            name=s.name,
            key=s.key,
            email=s.email,
            profile_url=s.profile_url,
            status=s.status,
            messages=counts.get(s.id, 0),  # type: ignore[arg-type]
            last_seen=s.last_seen,
        )
        for s in senders
    ]
    return rows, total


def message_counts(*, session: Session, sender_ids: list[int]) -> dict[int, int]:
    if not sender_ids:
        return {}
    stmt = (
        select(Message.sender_id, sa.func.count())
        .where(col(Message.sender_id).in_(sender_ids), Message.direction == "in")
        .group_by(Message.sender_id)
    )
    return {int(sid): int(n) for sid, n in session.exec(stmt)}


def set_status(*, session: Session, sender_id: int, status: str) -> Sender:
    """Allow, block or reset a sender (allowed senders are never declined automatically)."""
    return set_sender_status(session=session, sender_id=sender_id, status=status)


def add_to_list(*, session: Session, identity: str, status: str, name: str = "") -> Sender:
    """Put a sender on the allow or block list by profile URL or e-mail address, creating the
    sender if they never wrote yet (their future messages then match by the same key)."""

    if status not in SENDER_STATUSES:
        raise ValueError(f"unknown sender status {status!r}")
    text = identity.strip()
    if "@" in text and "/" not in text:
        key, email, url = text.lower(), text.lower(), None
    else:
        url = normalize_profile_url(text) if text and not any(c.isspace() for c in text) else None
        if not url or "." not in (urlsplit(url).hostname or ""):
            raise ValueError(
                f"{identity!r} is neither an e-mail address nor a LinkedIn profile URL."
            )
        key, email = url, None
    sender = session.exec(select(Sender).where(Sender.key == key[:512])).first()
    if sender is None:
        sender = Sender(key=key[:512], name=name.strip()[:300], email=email, profile_url=url)
        session.add(sender)
        session.flush()
    return set_sender_status(session=session, sender_id=sender.id, status=status)  # type: ignore[arg-type]


# --- one sender ---------------------------------------------------------------------------------------


@dataclass
class SenderProfile:
    sender: dict[str, Any]
    label_counts: dict[str, int]
    messages: list[dict[str, Any]]
    drafts: list[dict[str, Any]]
    followups: list[dict[str, Any]]
    events: list[dict[str, Any]] = field(default_factory=list)


def sender_profile(*, session: Session, sender_id: int) -> SenderProfile:
    """All a sender's messages (newest first), their labels, drafts and follow-ups."""
    sender = session.get(Sender, sender_id)
    if sender is None:
        raise NotFoundError(f"Sender {sender_id} does not exist.")
    messages = list(
        session.exec(
            select(Message)
            .where(Message.sender_id == sender_id)
            .order_by(col(Message.sent_at).desc().nulls_last(), col(Message.id).desc())
            .limit(MAX_DETAIL_ROWS)
        )
    )
    ids = [m.id for m in messages]
    drafts = list(
        session.exec(
            select(Draft).where(col(Draft.message_id).in_(ids)).order_by(col(Draft.id).desc())
        )
    )
    followups = list(
        session.exec(
            select(FollowUp)
            .where(sa.or_(FollowUp.sender_id == sender_id, col(FollowUp.message_id).in_(ids)))
            .order_by(col(FollowUp.due_at).desc())
        )
    )
    events = list(
        session.exec(
            select(Event)
            .where(col(Event.message_id).in_(ids))
            .order_by(col(Event.id).desc())
            .limit(50)
        )
    )
    label_counts: dict[str, int] = {}
    for m in messages:
        if m.direction == "in":
            lab = m.label or UNTRIAGED
            label_counts[lab] = label_counts.get(lab, 0) + 1
    return SenderProfile(
        sender=sender.model_dump(),
        label_counts=label_counts,
        messages=[message_row(m) for m in messages],
        drafts=[_draft_row(d) for d in drafts],
        followups=[_followup_row(f) for f in followups],
        events=[{"at": e.at, "kind": e.kind, "detail": e.detail} for e in events],
    )


def message_row(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "sent_at": m.sent_at,
        "direction": m.direction,
        "source": m.source,
        "label": m.label,
        "confidence": m.confidence,
        "status": m.status,
        "subject": m.subject or "",
        "body": m.body,
        "template_hash": m.template_hash,
    }


def _draft_row(d: Draft) -> dict[str, Any]:
    return {
        "id": d.id,
        "message_id": d.message_id,
        "kind": d.kind,
        "status": d.status,
        "auto_approved": d.auto_approved,
        "created_at": d.created_at,
        "sent_at": d.sent_at,
        "text": d.text,
    }


def _followup_row(f: FollowUp) -> dict[str, Any]:
    return {
        "id": f.id,
        "message_id": f.message_id,
        "kind": f.kind,
        "due_at": f.due_at,
        "status": f.status,
        "note": f.note or "",
    }


__all__ = [
    "SenderProfile",
    "SenderRow",
    "add_to_list",
    "list_senders",
    "message_counts",
    "sender_profile",
    "set_status",
]
