"""The daily digest (off by default: `worker.digest_enabled`): what was handled in the last day and
what waits for the user, as an in-app card (an `Event` of kind "digest") and, when SMTP is
configured and the profile has an address, a plain-text mail to the user."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from responder.channels import smtp
from responder.settings import Settings
from responder.store.claims import as_utc
from responder.store.models import Delivery, Draft, Event, FollowUp, Message

log = logging.getLogger(__name__)


def _count(session: Session, stmt) -> int:  # type: ignore[no-untyped-def]
    return int(session.exec(stmt).one())


def build_digest(*, session: Session, now: datetime | None = None) -> dict[str, int]:
    now = as_utc(now)
    since = now - timedelta(days=1)
    n = select(func.count())
    return {
        "received": _count(
            session, n.select_from(Message).where(col(Message.imported_at) >= since)
        ),
        "sent": _count(session, n.select_from(Delivery).where(col(Delivery.sent_at) >= since)),
        "auto_approved": _count(
            session,
            n.select_from(Draft).where(
                Draft.auto_approved == True,  # noqa: E712
                col(Draft.approved_at) >= since,
            ),
        ),
        "drafts_waiting": _count(session, n.select_from(Draft).where(Draft.status == "pending")),
        "reminders_due": _count(
            session,
            n.select_from(FollowUp).where(
                FollowUp.kind == "reminder",
                FollowUp.status == "done",
                col(FollowUp.done_at) >= since,
            ),
        ),
        "needs_attention": _count(
            session,
            n.select_from(Delivery).where(col(Delivery.state).in_(("failed", "uncertain"))),
        ),
    }


def digest_text(counts: dict[str, int]) -> str:
    return (
        f"Last 24 hours: {counts['received']} messages received, {counts['sent']} replies sent "
        f"({counts['auto_approved']} approved automatically).\n"
        f"Waiting for you: {counts['drafts_waiting']} drafts, {counts['reminders_due']} reminders, "
        f"{counts['needs_attention']} replies that failed or need a check."
    )


def send_digest(*, engine: Engine, settings: Settings, now: datetime | None = None) -> str:
    """Write the digest card; mail it too when possible. Returns the text."""
    with Session(engine) as s:
        text = digest_text(build_digest(session=s, now=now))
        s.add(Event(kind="digest", detail=text))
        s.commit()
    to = settings.profile.emails[0] if settings.profile.emails else ""
    if to and smtp.is_configured(settings):
        mail = EmailMessage()
        mail["From"] = settings.mail.from_address
        mail["To"] = to
        mail["Subject"] = "Responder: your daily digest"
        mail["Date"] = format_datetime(as_utc(now))
        mail["Message-ID"] = smtp.new_message_id(settings)
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(text)
        try:
            smtp.send(mail, settings)
        except smtp.SendError as exc:
            log.warning("digest mail not sent: %s", exc)
    return text
