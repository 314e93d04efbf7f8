"""Campaigns: one message template (`Message.template_hash`: the text with names, numbers and
links removed) sent by several distinct senders, a strong sign of mass outreach from fake or
rented profiles. The user can report all of a campaign (report-note drafts for every message) or
block all its senders in one click.

Every function is one unit of work on the given session; the caller commits.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from responder.app.senders import message_row
from responder.classify.signals import defang
from responder.drafts.drafter import build_drafter
from responder.drafts.lifecycle import create_draft, relint, supersede_pending
from responder.errors import NotFoundError
from responder.settings import Settings
from responder.store.models import Draft, Event, Message, Sender
from responder.taxonomy import REPORT_LABELS, DraftKind
from responder.triage.review import set_sender_status

log = logging.getLogger(__name__)
UNTRIAGED = "untriaged"
MAX_DETAIL_ROWS = 500
#: `Draft.template_name` of the campaign report notes written here.
CAMPAIGN_NOTE = "campaign_report"


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
        row = message_row(m)
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

    Messages labelled phishing, scam or harassment get their note from the drafting engine
    (offline templates unless a drafter with a model is given: a click in the app must not wait
    for dozens of model calls). Other campaign messages (mass pitches from fake-looking profiles)
    get a campaign note: LinkedIn's "Spam" / "Fake account" reasons with the evidence that the
    same text came from several profiles. Nothing is ever sent to the senders.
    """
    result = CampaignAction(template_hash=template_hash)
    messages = _campaign_inbound(session, template_hash)
    noted = _messages_with_live_note(session, [m.id for m in messages])  # type: ignore[misc]
    evidence = _campaign_evidence(session, messages)
    drafter = drafter if drafter is not None else _offline_drafter(settings)
    for message in messages:
        if message.id in noted:
            result.already_noted += 1
        elif _note_for(session, message, drafter, evidence, settings) is not None:
            result.notes_created += 1
        else:
            _mark_for_report(session, message, template_hash)
            result.marked_for_report += 1
    session.add(Event(kind="campaign_reported", detail=f"campaign {template_hash[:12]}: {result}"))
    session.flush()
    return result


def _note_for(
    session: Session, message: Message, drafter: Any, evidence: str, settings: Settings
) -> Draft | None:

    if message.label in REPORT_LABELS:
        if drafter is None:
            return None
        return create_draft(
            session=session,
            message=message,
            label=message.label,
            kind=DraftKind.REPORT_NOTE,
            drafter=drafter,
        )
    supersede_pending(session=session, message_id=message.id)  # type: ignore[arg-type]
    draft = Draft(
        message_id=message.id,  # type: ignore[arg-type]
        kind=DraftKind.REPORT_NOTE,
        text=evidence,
        label=message.label,
        language="en",
        template_name=CAMPAIGN_NOTE,
        method="offline",
    )
    relint(draft=draft, message=message, settings=settings)
    session.add(draft)
    session.flush()
    return draft


def _campaign_evidence(session: Session, messages: list[Message]) -> str:
    """The note for a campaign of non-report messages: reason and evidence, links defanged."""

    ids = {m.sender_id for m in messages if m.sender_id}
    senders = list(session.exec(select(Sender).where(col(Sender.id).in_(ids)).limit(20)))
    who = [f"- {s.name or s.key} ({s.profile_url or s.email or s.key})" for s in senders]
    if len(ids) > len(senders):
        who.append(f"- and {len(ids) - len(senders)} more")
    dates = sorted(m.sent_at for m in messages if m.sent_at)
    span = f" between {dates[0]:%Y-%m-%d} and {dates[-1]:%Y-%m-%d}" if dates else ""
    excerpt = " ".join(messages[0].body.split())[:300]
    text = (
        "Report reason: Spam (or Fake account if the profile looks fabricated).\n"
        f"Evidence: the same message was sent by {len(ids)} different profiles{span} "
        f"({len(messages)} messages), a sign of mass outreach from fake or rented accounts.\n"
        "Senders:\n" + "\n".join(who) + "\n"
        f'Message (excerpt): "{excerpt}"\n'
        "Nothing was sent to these senders."
    )
    return defang(text)


def _mark_for_report(session: Session, message: Message, template_hash: str) -> None:
    message.needs_review = True
    session.add(message)
    session.add(
        Event(
            kind="report_requested",
            message_id=message.id,
            detail=f"campaign {template_hash[:12]}: report this sender",
        )
    )


def _messages_with_live_note(session: Session, ids: list[int]) -> set[int]:
    stmt = select(Draft.message_id).where(
        col(Draft.message_id).in_(ids),
        Draft.kind == DraftKind.REPORT_NOTE,
        col(Draft.status).in_(("pending", "approved", "sent")),
    )
    return set(session.exec(stmt))


def _offline_drafter(settings: Settings) -> Any:
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
