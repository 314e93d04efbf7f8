"""Set-based triage of one batch, in one transaction.

The batch is claimed first: on PostgreSQL with `SELECT ... FOR UPDATE SKIP LOCKED` (a second
worker skips the rows this one holds and takes the next ones), on SQLite with a conditional
`UPDATE ... RETURNING` (which takes the database's write lock). Then the batch is classified at
once, its classifications inserted in one statement, its senders, conversations, earlier declines
and reminders loaded in a handful of queries (`triage.context`), and each message gets its policy
decision, draft and reminder from that context; drafts, reminders and message updates are written
in one flush at the end. The batch commits whole or not at all: a crash rolls it back to "new".

Messages whose outcome depends on earlier drafts (a sender we declined before, a draft the user's
rules may auto-approve, a message that already has drafts or follow-ups) go through the
per-message path (`triage.apply.apply_decision`) inside the same transaction, so the behaviour is
the per-message pipeline's, message by message, in id order.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from responder.classify.result import ClassificationResult
from responder.drafts.lifecycle import draft_values
from responder.followups.rules import reminder_row, reminder_wanted
from responder.settings import Settings
from responder.store.bulk import insert_rows, row_values
from responder.store.models import Classification, Draft, Message
from responder.taxonomy import DECLINE_LABELS
from responder.triage.apply import (
    TriageSummary,
    apply_decision,
    classification_values,
    mark_classified,
)
from responder.triage.context import BatchContext, load_context, refresh
from responder.triage.policy import could_auto_approve, decide_action

if TYPE_CHECKING:
    from responder.classify.classifier import Classifier
    from responder.drafts.drafter import Drafter

log = logging.getLogger(__name__)
NEW = (Message.direction == "in", Message.triage_status == "new")


def claim_batch(*, session: Session, size: int, ids: list[int] | None = None) -> list[int]:
    """Claim up to `size` new inbound messages (or exactly `ids`, those still new) for this
    transaction: they turn "triaging" and no other run can take them until it ends."""
    table = Message.__table__  # type: ignore[attr-defined]
    where = [*NEW] if ids is None else [*NEW, col(Message.id).in_(ids)]
    if session.get_bind().dialect.name == "postgresql":
        claimed = list(
            session.execute(
                sa_select(table.c.id)
                .where(*where)
                .order_by(table.c.id)
                .limit(size)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if claimed:
            session.execute(
                update(table).where(table.c.id.in_(claimed)).values(triage_status="triaging")
            )
        return claimed
    candidates = sa_select(table.c.id).where(*where).order_by(table.c.id).limit(size)
    stmt = (
        update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()), *where)
        .values(triage_status="triaging")
        .returning(table.c.id)
    )
    return sorted(session.execute(stmt).scalars())


def triage_batch(
    *,
    engine: Engine,
    settings: Settings,
    classifier: Classifier,
    drafter: Drafter,
    size: int,
    ids: list[int] | None = None,
) -> tuple[list[int], TriageSummary]:
    """Claim, classify, decide, draft and store one batch; commit. Returns the claimed ids (empty:
    nothing left) and what was done (only counted once committed)."""
    summary = TriageSummary()
    with Session(engine, expire_on_commit=False) as s:
        claimed = claim_batch(session=s, size=size, ids=ids)
        if not claimed:
            s.rollback()
            return [], summary
        messages = list(
            s.exec(select(Message).where(col(Message.id).in_(claimed)).order_by(col(Message.id)))
        )
        results = _classify_and_store(session=s, classifier=classifier, messages=messages)
        ctx = load_context(session=s, messages=messages)
        now = datetime.now(UTC)
        drafts: list[dict[str, object]] = []
        for message, result in zip(messages, results, strict=True):
            if _needs_per_message_path(message, result, ctx, settings):
                apply_decision(
                    session=s,
                    message=message,
                    result=result,
                    settings=settings,
                    drafter=drafter,
                    summary=summary,
                )
                refresh(
                    session=s,
                    ctx=ctx,
                    sender_ids=[message.sender_id],
                    conversation_ids=[message.conversation_id],
                )
                continue
            # Nothing this path reads is pending in the session: no flush per query.
            with s.no_autoflush:
                draft = _apply_from_context(
                    session=s,
                    message=message,
                    result=result,
                    ctx=ctx,
                    settings=settings,
                    drafter=drafter,
                    now=now,
                    summary=summary,
                )
            if draft is not None:
                drafts.append(draft)
        insert_rows(s, Draft, drafts)
        s.commit()
    return claimed, summary


def _classify_and_store(
    *, session: Session, classifier: Classifier, messages: list[Message]
) -> list[ClassificationResult]:
    """Classify the batch at once, insert its classifications in one statement and make them
    the messages' current ones."""
    results = classifier.classify_batch(session=session, messages=messages)
    values = [
        row_values(Classification, classification_values(message=m, result=r))
        for m, r in zip(messages, results, strict=True)
    ]
    row_ids = insert_rows(session, Classification, values)
    for message, result, row_id in zip(messages, results, row_ids, strict=True):
        mark_classified(message=message, result=result, row_id=row_id)
    session.flush()  # the messages' new labels, in one executemany
    return results


def _needs_per_message_path(
    message: Message, result: ClassificationResult, ctx: BatchContext, settings: Settings
) -> bool:
    if message.id in ctx.touched:
        return True
    if result.label in DECLINE_LABELS and ctx.declines_before(message) > 0:
        return True  # escalation: a firmer draft, an escalate follow-up, maybe a block hint
    return could_auto_approve(
        label=result.label,
        confidence=result.confidence,
        needs_review=result.needs_review,
        settings=settings,
    )


def _apply_from_context(
    *,
    session: Session,
    message: Message,
    result: ClassificationResult,
    ctx: BatchContext,
    settings: Settings,
    drafter: Drafter,
    now: datetime,
    summary: TriageSummary,
) -> dict[str, object] | None:
    """`apply_decision` for a message with no history of its own and no escalation or auto-approve
    in view, from the batch context instead of queries. Returns the new draft's row to insert."""
    conversation = ctx.conversations.get(message.conversation_id or -1)
    sender = ctx.senders.get(message.sender_id or -1)
    decision = decide_action(
        label=result.label,
        confidence=result.confidence,
        needs_review=result.needs_review,
        settings=settings,
        user_participated=bool(conversation and conversation.user_participated),
        sender_status=sender.status if sender else "neutral",
    )
    draft = None
    if decision.draft_kind:
        drafted_result = drafter.draft(
            session=session,
            message=message,
            label=result.label,
            kind=decision.draft_kind,
            declines=ctx.previous_declines(message),
        )
        if drafted_result is not None:
            values = draft_values(message=message, label=result.label, result=drafted_result)
            draft = row_values(Draft, values)
    # followups.rules.on_message_triaged, level-1 case: the thread moved on, maybe a reminder.
    for row in ctx.earlier_reminders(message):
        row.status, row.done_at, row.note = "cancelled", now, "cancelled: the thread moved on"
        session.add(row)
    answered = message.status in {"answered", "handled", "archived"} or ctx.answered_later(message)
    if reminder_wanted(message, settings, now) and not answered:
        reminder = reminder_row(message=message, settings=settings, now=now)
        session.add(reminder)
        if message.conversation_id is not None:
            ctx.reminders[message.conversation_id].append((reminder, message.sent_at))
    message.triage_status = "triaged"
    session.add(message)
    summary.count(label=result.label, needs_review=result.needs_review, drafted=bool(draft))
    return draft
