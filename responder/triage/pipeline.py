"""Triage: classify new inbound messages, apply the policy, create drafts.

`triage_new` works through the new messages in batches (`triage.batch`): each batch is one
transaction that claims its messages first (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a conditional
UPDATE on SQLite), so two triage runs never process the same message and two workers on
PostgreSQL take different batches; a crash rolls the batch back to "new" and the next run redoes
it, so there are no lost messages and no duplicate drafts. A batch that fails is retried message
by message to find the culprit, which is parked as "failed".

Relabel and regenerate act on one message (`triage.apply`, which does not load the classifier:
the app's message view imports it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from responder.classify.classifier import build_classifier
from responder.drafts.drafter import build_drafter
from responder.settings import Settings
from responder.store.models import Event, Message
from responder.triage.apply import (
    TriageSummary,
    apply_result,
    regenerate,
    relabel,
    store_classification,
)
from responder.triage.batch import triage_batch

if TYPE_CHECKING:
    from responder.classify.classifier import Classifier
    from responder.drafts.drafter import Drafter

__all__ = [
    "TriageSummary",
    "apply_result",
    "regenerate",
    "relabel",
    "store_classification",
    "triage_new",
]
log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]


def pending_count(session: Session) -> int:
    stmt = select(func.count()).where(Message.direction == "in", Message.triage_status == "new")
    return int(session.exec(stmt).one())


def triage_new(
    *,
    engine: Engine,
    settings: Settings,
    chat_model: Any = None,
    limit: int | None = None,
    progress: Progress | None = None,
    classifier: Classifier | None = None,
    drafter: Drafter | None = None,
    batch_size: int | None = None,
) -> TriageSummary:
    """Triage every inbound message still "new" (at most `limit`), `batch_size` per transaction
    (default: 200 offline, 10 when a chat model classifies or drafts)."""
    classifier = classifier or build_classifier(settings=settings, chat_model=chat_model)
    drafter = drafter or build_drafter(settings=settings, chat_model=chat_model)
    batch_size = batch_size or (200 if chat_model is None else 10)
    summary = TriageSummary()
    with Session(engine) as s:
        total = pending_count(s)
    total = min(total, limit) if limit is not None else total
    if progress:
        progress(0, total)
    while limit is None or summary.triaged < limit:
        size = batch_size if limit is None else min(batch_size, limit - summary.triaged)
        done = _triage_batch(
            engine=engine,
            settings=settings,
            classifier=classifier,
            drafter=drafter,
            size=size,
            summary=summary,
        )
        if done == 0:
            break
        if progress:
            progress(summary.triaged, total)
    log.info("triage: %s", summary.to_dict())
    return summary


def _triage_batch(
    *,
    engine: Engine,
    settings: Settings,
    classifier: Classifier,
    drafter: Drafter,
    size: int,
    summary: TriageSummary,
) -> int:
    """Triage up to `size` new messages; returns how many were taken (0: nothing left)."""
    try:
        ids, done = triage_batch(
            engine=engine, settings=settings, classifier=classifier, drafter=drafter, size=size
        )
    except Exception as exc:  # noqa: BLE001 - never leave a batch stuck; find the culprit
        ids = _next_ids(engine=engine, size=size)
        log.warning("triage batch of %d failed (%s); retrying one by one", len(ids), exc)
        for one in ids:
            try:
                _, done_one = triage_batch(
                    engine=engine,
                    settings=settings,
                    classifier=classifier,
                    drafter=drafter,
                    size=1,
                    ids=[one],
                )
                summary.merge(done_one)
            except Exception as exc_one:  # noqa: BLE001
                log.exception("triage failed for message %s", one)
                _mark_failed(
                    engine=engine, ids=[one], error=f"{exc_one.__class__.__name__}: {exc_one}"
                )
                summary.failed += 1
        return len(ids)
    summary.merge(done)
    return len(ids)


def _next_ids(*, engine: Engine, size: int) -> list[int]:
    """The ids a batch would take next (to retry them one by one after the batch failed)."""
    with Session(engine) as s:
        return list(
            s.exec(
                select(Message.id)
                .where(Message.direction == "in", Message.triage_status == "new")
                .order_by(col(Message.id))
                .limit(size)
            )
        )


def _mark_failed(*, engine: Engine, ids: list[int], error: str) -> None:
    """Park messages whose triage raised so the run moves on; `retry_failed` brings them back."""
    with Session(engine) as s:
        s.exec(  # type: ignore[call-overload]
            update(Message).where(col(Message.id).in_(ids)).values(triage_status="failed")
        )
        s.add(
            Event(
                level="error",
                kind="triage_failed",
                detail=f"{len(ids)} message(s) could not be triaged: {error[:500]}",
            )
        )
        s.commit()


def retry_failed(*, engine: Engine) -> int:
    """Put messages whose triage failed back in the queue."""
    with Session(engine) as s:
        result = s.exec(  # type: ignore[call-overload]
            update(Message).where(Message.triage_status == "failed").values(triage_status="new")
        )
        s.commit()
        return int(result.rowcount or 0)
