"""Senders and campaigns: who wrote, what they sent, and the allow/block lists.

A campaign is one message template (`Message.template_hash`: the text with names, numbers and
links removed) sent by several distinct senders, a strong sign of mass outreach from fake or
rented profiles. The user can report all of a campaign (report-note drafts for every message) or
block all its senders in one click.

Every function is one unit of work on the given session; the caller commits.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from responder.errors import NotFoundError
from responder.models import Draft, Event, FollowUp, Message, Sender
from responder.review import set_sender_status
from responder.settings import Settings
from responder.taxonomy import DraftKind

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
    from responder.ingest.base import normalize_profile_url

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
        messages=[_message_row(m) for m in messages],
        drafts=[_draft_row(d) for d in drafts],
        followups=[_followup_row(f) for f in followups],
        events=[{"at": e.at, "kind": e.kind, "detail": e.detail} for e in events],
    )


def _message_row(m: Message) -> dict[str, Any]:
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


# --- campaigns ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Campaign:
    template_hash: str
    senders: int
    messages: int
    first_seen: datetime | None
    last_seen: datetime | None
    top_label: str
    blocked_senders: int
    example_message_id: int
    example_subject: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_campaigns(
    *,
    session: Session,
    since: datetime | None = None,
    min_senders: int = 2,
    limit: int = 50,
    offset: int = 0,
) -> list[Campaign]:
    """Templates sent by at least `min_senders` distinct senders, most senders first."""
    senders = sa.func.count(sa.distinct(Message.sender_id)).label("senders")
    n = sa.func.count().label("n")
    stmt = (
        select(
            Message.template_hash,
            senders,
            n,
            sa.func.min(Message.sent_at),
            sa.func.max(Message.sent_at),
            sa.func.min(Message.id),
        )
        .where(Message.direction == "in", col(Message.template_hash).is_not(None))
        .group_by(Message.template_hash)
        .having(senders >= min_senders)
        .order_by(senders.desc(), n.desc(), col(Message.template_hash))
        .limit(limit)
        .offset(offset)
    )
    if since is not None:
        stmt = stmt.where(col(Message.sent_at) >= since)
    groups = list(session.exec(stmt))
    if not groups:
        return []
    hashes = [g[0] for g in groups]
    labels = _campaign_labels(session, hashes, since)
    blocked = _campaign_blocked(session, hashes, since)
    examples = {
        m.id: m
        for m in session.exec(select(Message).where(col(Message.id).in_([g[5] for g in groups])))
    }
    return [
        Campaign(
            template_hash=h,
            senders=int(s),
            messages=int(c),
            first_seen=first,
            last_seen=last,
            top_label=labels.get(h, UNTRIAGED),
            blocked_senders=blocked.get(h, 0),
            example_message_id=int(mid),
            example_subject=(examples[mid].subject or "") if mid in examples else "",
        )
        for h, s, c, first, last, mid in groups
    ]


def _by_template(stmt: Any, hashes: list[str], since: datetime | None) -> Any:
    """Restrict to the campaigns' inbound rows (served by the covering `ix_message_dashboard`)."""
    stmt = stmt.where(col(Message.template_hash).in_(hashes), Message.direction == "in")
    if since is not None:
        stmt = stmt.where(col(Message.sent_at) >= since)
    return stmt


def _campaign_labels(session: Session, hashes: list[str], since: datetime | None) -> dict[str, str]:
    label = sa.func.coalesce(Message.label, UNTRIAGED)
    stmt = _by_template(
        select(Message.template_hash, label, sa.func.count()), hashes, since
    ).group_by(Message.template_hash, label)
    best: dict[str, tuple[int, str]] = {}
    for h, lab, c in session.exec(stmt):
        if h not in best or (int(c), lab) > best[h]:
            best[h] = (int(c), lab)
    return {h: lab for h, (_, lab) in best.items()}


def _campaign_blocked(
    session: Session, hashes: list[str], since: datetime | None
) -> dict[str, int]:
    stmt = _by_template(
        select(Message.template_hash, sa.func.count(sa.distinct(Sender.id)))
        .select_from(Message)
        .join(Sender, col(Sender.id) == Message.sender_id),
        hashes,
        since,
    )
    stmt = stmt.where(Sender.status == "blocked").group_by(Message.template_hash)
    return {h: int(c) for h, c in session.exec(stmt)}


def campaign_messages(*, session: Session, template_hash: str) -> list[dict[str, Any]]:
    """The campaign's inbound messages with their senders, newest first."""
    stmt = (
        select(Message, Sender)
        .join(Sender, col(Sender.id) == Message.sender_id, isouter=True)
        .where(Message.template_hash == template_hash, Message.direction == "in")
        .order_by(col(Message.sent_at).desc().nulls_last(), col(Message.id).desc())
        .limit(MAX_DETAIL_ROWS)
    )
    rows = []
    for m, s in session.exec(stmt):
        row = _message_row(m)
        row.update(
            sender_id=s.id if s else None,
            sender_name=(s.name or s.key) if s else "",
            sender_status=s.status if s else "",
        )
        rows.append(row)
    return rows


@dataclass
class CampaignAction:
    template_hash: str
    notes_created: int = 0
    already_noted: int = 0
    marked_for_report: int = 0
    blocked: int = 0
    already_blocked: int = 0
    skipped_allowed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _campaign_inbound(session: Session, template_hash: str) -> list[Message]:
    messages = list(
        session.exec(
            select(Message)
            .where(Message.template_hash == template_hash, Message.direction == "in")
            .order_by(col(Message.id))
        )
    )
    if not messages:
        raise NotFoundError(f"No messages with template {template_hash[:12]}.")
    return messages


def report_campaign(
    *, session: Session, template_hash: str, settings: Settings, drafter: Any = None
) -> CampaignAction:
    """A report-note draft for every message of the campaign that has none yet.

    The notes are written by the drafting engine (offline templates unless a drafter with a
    model is given: a click in the app must not wait for dozens of model calls). Without a
    drafting engine the messages are marked for review with a `report_requested` event.
    """
    from responder.pipeline import create_draft

    result = CampaignAction(template_hash=template_hash)
    messages = _campaign_inbound(session, template_hash)
    noted = _messages_with_live_note(session, [m.id for m in messages])  # type: ignore[misc]
    drafter = drafter if drafter is not None else _offline_drafter(settings)
    for message in messages:
        if message.id in noted:
            result.already_noted += 1
            continue
        draft = None
        if drafter is not None:
            draft = create_draft(
                session=session,
                message=message,
                label=message.label or "scam",
                kind=DraftKind.REPORT_NOTE,
                drafter=drafter,
            )
        if draft is not None:
            result.notes_created += 1
        else:
            message.needs_review = True
            session.add(message)
            session.add(
                Event(
                    kind="report_requested",
                    message_id=message.id,
                    detail=f"campaign {template_hash[:12]}: report this sender",
                )
            )
            result.marked_for_report += 1
    session.add(Event(kind="campaign_reported", detail=f"campaign {template_hash[:12]}: {result}"))
    session.flush()
    return result


def _messages_with_live_note(session: Session, ids: list[int]) -> set[int]:
    stmt = select(Draft.message_id).where(
        col(Draft.message_id).in_(ids),
        Draft.kind == DraftKind.REPORT_NOTE,
        col(Draft.status).in_(("pending", "approved", "sent")),
    )
    return set(session.exec(stmt))


def _offline_drafter(settings: Settings) -> Any:
    try:
        from responder.draft import build_drafter
    except ImportError:  # pragma: no cover - before the drafting engine exists
        return None
    return build_drafter(settings=settings, chat_model=None)


def block_campaign(*, session: Session, template_hash: str) -> CampaignAction:
    """Block every sender of the campaign; senders on the allow list are left alone."""
    result = CampaignAction(template_hash=template_hash)
    sender_ids = {m.sender_id for m in _campaign_inbound(session, template_hash) if m.sender_id}
    for sender in session.exec(select(Sender).where(col(Sender.id).in_(sender_ids))):
        if sender.is_self or sender.status == "allowed":
            result.skipped_allowed += 1
        elif sender.status == "blocked":
            result.already_blocked += 1
        else:
            set_sender_status(session=session, sender_id=sender.id, status="blocked")  # type: ignore[arg-type]
            result.blocked += 1
    session.flush()
    return result
