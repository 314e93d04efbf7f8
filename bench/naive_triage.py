"""The naive triage baseline: the per-message loop triage had before it was set-based.

Batches of 200 are claimed and classified together, but then every message goes through the
per-message path (`triage.apply.apply_result`): it stores its classification, looks up its
conversation and sender, queries earlier declines and reminders, and flushes its own rows, about
six ORM round trips per message. The equivalence test (tests/test_triage_batch.py) checks that the
set-based pipeline leaves the same rows as this loop.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from responder.classify.classifier import Classifier
from responder.drafts.drafter import Drafter
from responder.settings import Settings
from responder.store.models import Message
from responder.triage.apply import TriageSummary, apply_result


def naive_triage(
    *,
    engine: Engine,
    settings: Settings,
    classifier: Classifier,
    drafter: Drafter,
    batch_size: int = 200,
) -> TriageSummary:
    """Triage every new inbound message, message by message inside batches of `batch_size`."""
    summary = TriageSummary()
    while True:
        with Session(engine, expire_on_commit=False) as s:
            ids = list(
                s.exec(
                    select(Message.id)
                    .where(Message.direction == "in", Message.triage_status == "new")
                    .order_by(col(Message.id))
                    .limit(batch_size)
                )
            )
            if not ids:
                return summary
            s.exec(  # type: ignore[call-overload]
                update(Message)
                .where(col(Message.id).in_(ids), Message.triage_status == "new")
                .values(triage_status="triaging")
            )
            messages = list(
                s.exec(select(Message).where(col(Message.id).in_(ids)).order_by(col(Message.id)))
            )
            results = classifier.classify_batch(session=s, messages=messages)
            for message, result in zip(messages, results, strict=True):
                apply_result(
                    session=s,
                    message=message,
                    result=result,
                    settings=settings,
                    drafter=drafter,
                    summary=summary,
                )
            s.commit()
