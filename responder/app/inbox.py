"""Read-side queries for the app: the inbox list, counts, a message's detail, its thread, and the
review queue. No Streamlit here; pages call these and render what they return.

Scale: the list is paginated in SQL (LIMIT/OFFSET ordered by `sent_at DESC, id DESC`, served by the
`(label, sent_at)` / `(direction, sent_at)` indexes); counts per label are one `GROUP BY` over
the indexed `label` column. Text search is a LIKE (ILIKE on PostgreSQL) over subject and body.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, or_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from responder.app.review_queue import needs_review_conditions
from responder.app.review_queue import needs_review_count as _needs_review_count
from responder.errors import NotFoundError
from responder.store.models import (
    Classification,
    Conversation,
    Correction,
    Delivery,
    Draft,
    Message,
    Sender,
)
from responder.taxonomy import NOTE_KINDS, REPORT_LABELS

log = logging.getLogger(__name__)

#: Draft states that are still "live" for a message (the one the user acts on).
LIVE_DRAFT_STATES = ("pending", "approved")
SNIPPET_CHARS = 140
UNLABELLED = "unlabelled"


@dataclass
class InboxFilter:
    """What the user narrowed the inbox to. Empty means "everything inbound"."""

    labels: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    #: Sender name, e-mail or profile URL fragment (case-insensitive), or an exact sender id.
    sender: str = ""
    sender_id: int | None = None
    search: str = ""
    needs_review: bool = False
    direction: str | None = "in"


@dataclass
class InboxRow:
    id: int
    label: str | None
    confidence: float | None
    needs_review: bool
    sender: str
    sent_at: datetime | None
    status: str
    subject: str
    snippet: str
    draft_status: str | None = None


@dataclass
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass
class MessageDetail:
    message: Message
    sender: Sender | None
    conversation: Conversation | None
    classification: Classification | None
    draft: Draft | None
    delivery: Delivery | None
    corrections: list[Correction]


@dataclass
class ReviewItem:
    draft: Draft
    message: Message
    sender: Sender | None
    conversation: Conversation | None
    delivery: Delivery | None = None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(flt: InboxFilter) -> tuple[list[ColumnElement[bool]], bool]:
    """SQL conditions for a filter, and whether they need the sender table joined."""
    conds: list[ColumnElement[bool]] = []
    if flt.direction:
        conds.append(col(Message.direction) == flt.direction)
    if flt.labels:
        named = [label for label in flt.labels if label != UNLABELLED]
        parts: list[ColumnElement[bool]] = []
        if named:
            parts.append(col(Message.label).in_(named))
        if UNLABELLED in flt.labels:
            parts.append(col(Message.label).is_(None))
        conds.append(or_(*parts))
    if flt.statuses:
        conds.append(col(Message.status).in_(flt.statuses))
    if flt.needs_review:
        conds.extend(needs_review_conditions())
    if flt.sender_id is not None:
        conds.append(col(Message.sender_id) == flt.sender_id)
    if flt.search.strip():
        pattern = f"%{_like_escape(flt.search.strip())}%"
        conds.append(
            or_(
                col(Message.subject).ilike(pattern, escape="\\"),
                col(Message.body).ilike(pattern, escape="\\"),
            )
        )
    join_sender = bool(flt.sender.strip())
    if join_sender:
        pattern = f"%{_like_escape(flt.sender.strip())}%"
        conds.append(
            or_(
                col(Sender.name).ilike(pattern, escape="\\"),
                col(Sender.email).ilike(pattern, escape="\\"),
                col(Sender.profile_url).ilike(pattern, escape="\\"),
            )
        )
    return conds, join_sender


def _snippet(subject: str | None, body: str) -> tuple[str, str]:
    flat = " ".join((body or "").split())
    if len(flat) > SNIPPET_CHARS:
        flat = flat[: SNIPPET_CHARS - 1] + "…"
    return (subject or "").strip(), flat


def list_messages(
    *, session: Session, flt: InboxFilter | None = None, page: int = 1, page_size: int = 50
) -> InboxPage:
    """One page of the inbox, newest first."""
    flt = flt or InboxFilter()
    page = max(1, page)
    conds, join_sender = _conditions(flt)
    count_stmt = select(func.count()).select_from(Message)
    if join_sender:
        count_stmt = count_stmt.join(Sender, col(Sender.id) == Message.sender_id)
    total = int(session.exec(count_stmt.where(*conds)).one())
    stmt = (
        select(Message, Sender)
        .join(Sender, col(Sender.id) == Message.sender_id, isouter=not join_sender)
        .where(*conds)
        .order_by(col(Message.sent_at).desc(), col(Message.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    pairs = list(session.exec(stmt))
    drafts = _live_draft_status(session, [m.id for m, _ in pairs if m.id is not None])
    rows = []
    for message, sender in pairs:
        subject, snippet = _snippet(message.subject, message.body)
        rows.append(
            InboxRow(
                id=message.id,  # type: ignore[arg-type]
                label=message.label,
                confidence=message.confidence,
                needs_review=message.needs_review
                and message.status == "open"
                and message.direction == "in",  # the one meaning (review_queue)
                sender=_sender_name(sender),
                sent_at=message.sent_at,
                status=message.status,
                subject=subject,
                snippet=snippet,
                draft_status=drafts.get(message.id),  # type: ignore[arg-type]
            )
        )
    return InboxPage(rows=rows, total=total, page=page, page_size=page_size)


#: How a sender without name, e-mail or profile link is shown (a paste without "From:").
UNKNOWN_SENDER = "Unknown sender"


def sender_display(sender: Sender | None) -> str:
    """The sender's name, e-mail or profile link, or "Unknown sender" in words (never the
    internal key such as "name:unknown")."""
    if sender is None:
        return UNKNOWN_SENDER
    return sender.name or sender.email or sender.profile_url or UNKNOWN_SENDER


def _sender_name(sender: Sender | None) -> str:
    return sender_display(sender) if sender is not None else ""


def _live_draft_status(session: Session, message_ids: list[int]) -> dict[int, str]:
    if not message_ids:
        return {}
    stmt = (
        select(Draft.message_id, Draft.status)
        .where(col(Draft.message_id).in_(message_ids), col(Draft.status) != "superseded")
        .order_by(col(Draft.id))
    )
    return {mid: status for mid, status in session.exec(stmt)}


def label_counts(*, session: Session, direction: str | None = "in") -> dict[str, int]:
    """Messages per current label (`unlabelled` for inbound ones not triaged yet).

    Only inbound messages are ever labelled, so the labelled counts are one GROUP BY over the
    covering `label` index (no table rows read); the unlabelled count is a second indexed count.
    """
    counts = {
        label: int(n)
        for label, n in session.exec(
            select(Message.label, func.count())
            .where(col(Message.label).is_not(None))
            .group_by(Message.label)
        )
    }
    stmt = select(func.count()).where(col(Message.label).is_(None))
    if direction:
        stmt = stmt.where(Message.direction == direction)
    unlabelled = int(session.exec(stmt).one())
    if unlabelled:
        counts[UNLABELLED] = unlabelled
    return counts


def status_counts(*, session: Session, direction: str | None = "in") -> dict[str, int]:
    stmt = select(Message.status, func.count()).group_by(Message.status)
    if direction:
        stmt = stmt.where(Message.direction == direction)
    return {status: int(n) for status, n in session.exec(stmt)}


def needs_review_count(*, session: Session) -> int:
    """Messages that need review (one definition: `review_queue.needs_review_conditions`)."""
    return _needs_review_count(session=session)


def message_count(*, session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Message)).one())


def message_detail(*, session: Session, message_id: int) -> MessageDetail:
    """Everything the message view shows: the message, who sent it, why it got its label, and
    the draft the user can act on (pending or approved, else the latest non-superseded one)."""
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"Message {message_id} does not exist.")
    sender = session.get(Sender, message.sender_id) if message.sender_id else None
    conversation = (
        session.get(Conversation, message.conversation_id) if message.conversation_id else None
    )
    classification = None
    if message.classification_id:
        classification = session.get(Classification, message.classification_id)
    if classification is None:
        classification = session.exec(
            select(Classification)
            .where(Classification.message_id == message_id)
            .order_by(col(Classification.id).desc())
        ).first()
    draft = current_draft(session=session, message_id=message_id)
    delivery = None
    if draft is not None:
        delivery = session.exec(select(Delivery).where(Delivery.draft_id == draft.id)).first()
    corrections = list(
        session.exec(
            select(Correction)
            .where(Correction.message_id == message_id)
            .order_by(col(Correction.id).desc())
        )
    )
    return MessageDetail(
        message, sender, conversation, classification, draft, delivery, corrections
    )


def current_draft(*, session: Session, message_id: int) -> Draft | None:
    drafts = list(
        session.exec(
            select(Draft)
            .where(Draft.message_id == message_id, col(Draft.status) != "superseded")
            .order_by(col(Draft.id).desc())
        )
    )
    for draft in drafts:
        if draft.status in LIVE_DRAFT_STATES:
            return draft
    return drafts[0] if drafts else None


def conversation_thread(
    *, session: Session, conversation_id: int, limit: int = 200
) -> list[tuple[Message, Sender | None]]:
    """The messages of a conversation, oldest first (both directions)."""
    stmt = (
        select(Message, Sender)
        .join(Sender, col(Sender.id) == Message.sender_id, isouter=True)
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.sent_at).asc(), col(Message.id).asc())
        .limit(limit)
    )
    return list(session.exec(stmt))


def _review_stmt(*, status: str) -> Any:
    return (
        select(Draft, Message, Sender, Conversation)
        .join(Message, col(Message.id) == Draft.message_id)
        .join(Sender, col(Sender.id) == Message.sender_id, isouter=True)
        .join(Conversation, col(Conversation.id) == Message.conversation_id, isouter=True)
        .where(Draft.status == status)
    )


def review_queue(*, session: Session, limit: int = 500) -> dict[str, list[ReviewItem]]:
    """Pending drafts grouped by the message's current label, oldest message first.

    Report notes are under their report label; replies under theirs. A label with no pending
    draft is absent."""
    stmt = _review_stmt(status="pending").order_by(col(Message.sent_at).asc(), col(Draft.id).asc())
    groups: dict[str, list[ReviewItem]] = {}
    for draft, message, sender, conversation in session.exec(stmt.limit(limit)):
        label = message.label or draft.label or UNLABELLED
        groups.setdefault(label, []).append(ReviewItem(draft, message, sender, conversation))
    return groups


def pending_counts(*, session: Session) -> dict[str, int]:
    """Pending drafts per message label (for the review tabs and the sidebar)."""
    stmt = (
        select(Message.label, func.count())
        .select_from(Draft)
        .join(Message, col(Message.id) == Draft.message_id)
        .where(Draft.status == "pending")
        .group_by(Message.label)
    )
    return {(label or UNLABELLED): int(n) for label, n in session.exec(stmt)}


def ready_to_send(*, session: Session, limit: int = 200) -> list[ReviewItem]:
    """Approved replies the user sends by hand (LinkedIn: copy, open conversation, mark sent)."""
    stmt = (
        _review_stmt(status="approved")
        .add_columns(Delivery)
        .join(Delivery, col(Delivery.draft_id) == Draft.id)
        .where(col(Delivery.state) == "manual")
        .order_by(col(Draft.approved_at).asc(), col(Draft.id).asc())
        .limit(limit)
    )
    return [
        ReviewItem(draft, message, sender, conversation, delivery)
        for draft, message, sender, conversation, delivery in session.exec(stmt)
        if draft.kind not in NOTE_KINDS
    ]


def is_report_item(item: ReviewItem) -> bool:
    return item.draft.kind in NOTE_KINDS or (item.message.label or "") in REPORT_LABELS


_THREAD_ID = re.compile(r"^[A-Za-z0-9_=+/\-]{2,200}$")
LINKEDIN_SOURCES = frozenset({"linkedin", "demo"})


def conversation_link(conversation: Conversation | None) -> str | None:
    """The LinkedIn messaging URL for a conversation, built by us from the export's conversation
    id (never a URL taken from message content), or None when there is no such id."""
    if conversation is None or conversation.source not in LINKEDIN_SOURCES:
        return None
    thread_id = (conversation.source_id or "").strip()
    if not _THREAD_ID.match(thread_id):
        return None
    return f"https://www.linkedin.com/messaging/thread/{quote(thread_id, safe='')}/"
