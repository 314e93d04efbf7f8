"""The outbox: approved replies and their delivery, exactly once.

States of a `Delivery`:

    approved --claim--> sending --server accepted--> sent
                           |--transient error--> approved (retry at next_attempt_at, backoff)
                           |--permanent error or attempts used up--> failed   (Event)
                           '--worker died, reconciled at restart--> uncertain (Event) | sent | approved
    manual (LinkedIn): the user sends it and marks it sent (`responder.triage.review.mark_sent`)
    failed | uncertain --retry_delivery--> approved (same Message-ID)

Exactly once: the claim (state "sending") and the outgoing Message-ID are committed BEFORE the
SMTP conversation starts. SMTP cannot be asked afterwards whether a mail went out, so a row found
in "sending" after a crash is resolved without guessing:
- no Message-ID stored yet: nothing can have been sent -> back to "approved" (sent later);
- IMAP configured and a mail with that Message-ID is in a Sent folder -> "sent";
- otherwise -> "uncertain": the app asks the user (mark sent, or send again). Never resent
  silently. A resend reuses the Message-ID, so a recipient's client that got both shows one.
Sends wait for business hours in the user's time zone, like reminders.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from responder.channels import smtp
from responder.errors import InvalidTransitionError, NotFoundError
from responder.followups.business_hours import is_business_time
from responder.ingest import imap as mail_source
from responder.settings import Settings
from responder.store.claims import as_utc, claim_rows, fault_point
from responder.store.models import Delivery, Draft, Event, Message, Sender
from responder.triage.review import mark_sent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRYABLE_STATES = frozenset({"failed", "uncertain"})


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 1, 2, 4, 8 ... minutes, at most 1 h."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def send_lease(settings: Settings) -> timedelta:
    """A "sending" claim older than this belongs to a worker that died (SMTP timeouts included)."""
    return timedelta(seconds=4 * settings.mail.timeout_s + 300)


@dataclass(frozen=True)
class OutboxItem:
    delivery: Delivery
    draft: Draft
    message: Message
    sender: Sender | None


def outbox_items(
    *, session: Session, state: str | None = None, limit: int = 200
) -> list[OutboxItem]:
    """Outbox rows (newest first) with their draft, message and sender, for the app."""
    stmt = (
        select(Delivery, Draft, Message, Sender)
        .join(Draft, col(Draft.id) == Delivery.draft_id)
        .join(Message, col(Message.id) == Draft.message_id)
        .join(Sender, col(Sender.id) == Message.sender_id, isouter=True)
    )
    if state is not None:
        stmt = stmt.where(Delivery.state == state)
    rows = session.exec(stmt.order_by(col(Delivery.id).desc()).limit(limit))
    return [OutboxItem(d, dr, m, s) for d, dr, m, s in rows]


def retry_delivery(*, session: Session, delivery_id: int, now: datetime | None = None) -> Delivery:
    """Send a failed or uncertain reply again (the caller commits)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFoundError(f"Outbox item {delivery_id} does not exist.")
    if delivery.state not in RETRYABLE_STATES:
        raise InvalidTransitionError(
            f"Only failed or uncertain replies can be retried (this one is {delivery.state})."
        )
    now = as_utc(now)
    previous = delivery.state
    delivery.state, delivery.attempts, delivery.next_attempt_at = "approved", 0, now
    delivery.claimed_by = delivery.claimed_at = None
    delivery.updated_at = now
    session.add(delivery)
    session.add(Event(kind="delivery_retry", detail=f"outbox {delivery_id}: {previous} -> retry"))
    return delivery


def process_outbox(
    *,
    engine: Engine,
    settings: Settings,
    worker_id: str,
    now: datetime | None = None,
    limit: int = 20,
) -> dict[str, int]:
    """Send due e-mail replies (at most `limit`). Does nothing without SMTP settings or outside
    business hours."""
    now = as_utc(now)
    if not smtp.is_configured(settings) or not is_business_time(now, settings):
        return {}
    ids = claim_rows(
        engine=engine,
        model=Delivery,
        where=[
            Delivery.state == "approved",  # type: ignore[list-item]
            Delivery.channel == "email",  # type: ignore[list-item]
            or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now),
        ],
        order_by=[Delivery.id],
        values={
            "state": "sending",
            "claimed_by": worker_id,
            "claimed_at": now,
            "attempts": Delivery.attempts + 1,
            "updated_at": now,
        },
        limit=limit,
    )
    outcomes = Counter(_send_one(engine, settings, did, worker_id, now) for did in ids)
    if outcomes:
        log.info("outbox: %s", dict(outcomes))
    return dict(outcomes)


def _prepare(
    engine: Engine, settings: Settings, delivery_id: int, worker_id: str, now: datetime
) -> EmailMessage | None:
    """Store the Message-ID (committed before anything is sent) and build the mail."""
    with Session(engine, expire_on_commit=False) as s:
        delivery = s.get(Delivery, delivery_id)
        if delivery is None or delivery.state != "sending" or delivery.claimed_by != worker_id:
            return None
        draft = s.get(Draft, delivery.draft_id)
        message = s.get(Message, draft.message_id) if draft else None
        if draft is None or message is None:
            raise smtp.SendError("The draft or its message is gone.", permanent=True)
        if not delivery.outgoing_message_id:
            delivery.outgoing_message_id = smtp.new_message_id(settings)
            s.add(delivery)
            s.commit()
        sender = s.get(Sender, message.sender_id) if message.sender_id else None
        return smtp.build_reply(
            message=message,
            draft=draft,
            sender=sender,
            settings=settings,
            message_id=delivery.outgoing_message_id,  # type: ignore[arg-type]
            now=now,
        )


def _send_one(
    engine: Engine, settings: Settings, delivery_id: int, worker_id: str, now: datetime
) -> str:
    try:
        mail = _prepare(engine, settings, delivery_id, worker_id, now)
        if mail is None:
            return "lost"
        fault_point("before_smtp")
        smtp.send(mail, settings)
    except smtp.SendError as exc:
        return _after_failure(engine, delivery_id, str(exc), exc.permanent, now)
    fault_point("after_smtp_accept")
    mark_delivered(engine=engine, delivery_id=delivery_id, detail=f"sent to {mail['To']}")
    return "sent"


def mark_delivered(*, engine: Engine, delivery_id: int, detail: str) -> None:
    """The reply went out: delivery, draft and message say so; follow-ups cancel."""

    with Session(engine, expire_on_commit=False) as s:
        delivery = s.get(Delivery, delivery_id)
        if delivery is None or delivery.state == "sent":
            return
        delivery.state, delivery.last_error = "sent", None
        s.add(delivery)
        s.flush()
        draft = s.get(Draft, delivery.draft_id)
        if draft is not None and draft.status == "approved":
            mark_sent(session=s, draft_id=draft.id)  # type: ignore[arg-type]
        msg = s.get(Message, draft.message_id) if draft else None
        s.add(Event(kind="delivery_sent", message_id=msg.id if msg else None, detail=detail))
        s.commit()


def _after_failure(
    engine: Engine, delivery_id: int, error: str, permanent: bool, now: datetime
) -> str:
    with Session(engine) as s:
        delivery = s.get(Delivery, delivery_id)
        if delivery is None:
            return "lost"
        draft = s.get(Draft, delivery.draft_id)
        delivery.last_error, delivery.updated_at = error[:2000], now
        delivery.claimed_by = delivery.claimed_at = None
        if permanent or delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = "failed"
            why = "" if permanent else f" after {delivery.attempts} attempts"
            s.add(
                Event(
                    kind="delivery_failed",
                    level="error",
                    message_id=draft.message_id if draft else None,
                    detail=f"Reply not sent{why}: {error}",
                )
            )
            outcome = "failed"
        else:
            delivery.state = "approved"
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            outcome = "retry"
        s.add(delivery)
        s.commit()
    log.warning("outbox %s: %s (%s)", delivery_id, error, outcome)
    return outcome


def reconcile_sending(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    worker_id: str | None = None,
) -> dict[str, int]:
    """Resolve rows left in "sending" by a worker that died (at start: also every row claimed
    under this worker's own name). See the module docstring for the rules."""
    now = as_utc(now)
    cond = col(Delivery.claimed_at) < now - send_lease(settings)
    if worker_id is not None:
        cond = or_(cond, col(Delivery.claimed_by) == worker_id)
    with Session(engine) as s:
        stuck = list(s.exec(select(Delivery).where(Delivery.state == "sending", cond)))
    if not stuck:
        return {}
    found = _found_in_sent(
        settings, [d.outgoing_message_id for d in stuck if d.outgoing_message_id]
    )
    outcomes: Counter[str] = Counter()
    for d in stuck:
        if d.outgoing_message_id and d.outgoing_message_id in found:
            mark_delivered(engine=engine, delivery_id=d.id, detail="found in the Sent folder")  # type: ignore[arg-type]
            outcomes["sent"] += 1
        else:
            outcomes[_settle_stuck(engine, d.id, now)] += 1  # type: ignore[arg-type]
    log.warning("outbox reconcile: %s", dict(outcomes))
    return dict(outcomes)


def _settle_stuck(engine: Engine, delivery_id: int, now: datetime) -> str:
    with Session(engine) as s:
        d = s.get(Delivery, delivery_id)
        if d is None or d.state != "sending":
            return "lost"
        draft = s.get(Draft, d.draft_id)
        d.claimed_by = d.claimed_at = None
        d.updated_at = now
        if not d.outgoing_message_id:
            d.state, d.next_attempt_at = "approved", now
            outcome = "requeued"
        else:
            d.state = "uncertain"
            d.last_error = (
                "uncertain: the worker stopped while sending. Check your Sent folder, then mark "
                "it sent or send it again."
            )
            s.add(
                Event(
                    kind="delivery_uncertain",
                    level="warning",
                    message_id=draft.message_id if draft else None,
                    detail=f"Outbox {delivery_id}: {d.last_error}",
                )
            )
            outcome = "uncertain"
        s.add(d)
        s.commit()
    return outcome


def _found_in_sent(settings: Settings, message_ids: Iterable[str]) -> set[str]:
    ids = [m for m in message_ids if m]
    if not ids:
        return set()

    if not mail_source.is_configured(settings):
        return set()
    try:
        return mail_source.find_sent(settings=settings, message_ids=ids)
    except Exception:  # noqa: BLE001 - an unreachable IMAP server leaves the rows uncertain
        log.warning("could not check the Sent folder over IMAP", exc_info=True)
        return set()
