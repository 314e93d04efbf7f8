"""Triage: classify new inbound messages, apply the policy, create drafts.

Crash safety: each batch is one transaction. Its first statement claims the batch with a
conditional UPDATE (`triage_status` new -> triaging), which row-locks on PostgreSQL and takes the
write lock on SQLite, so two triage runs never process the same message; a crash rolls the batch
back to "new" and the next run redoes it, so there are no lost messages and no duplicate drafts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from responder.classify.classifier import build_classifier
from responder.classify.language import detect_language
from responder.classify.result import ClassificationResult
from responder.drafts.drafter import build_drafter
from responder.drafts.lifecycle import create_draft, supersede_pending
from responder.errors import NotFoundError
from responder.followups.rules import on_message_triaged
from responder.settings import Settings
from responder.store.models import (
    Classification,
    Conversation,
    Correction,
    Draft,
    Event,
    Message,
    Sender,
)
from responder.taxonomy import LABELS
from responder.triage.policy import decide_action, may_auto_approve
from responder.triage.review import approve_draft

if TYPE_CHECKING:
    from responder.classify.classifier import Classifier
    from responder.drafts.drafter import Drafter

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]


@dataclass
class TriageSummary:
    triaged: int = 0
    drafts: int = 0
    auto_approved: int = 0
    needs_review: int = 0
    failed: int = 0
    by_label: dict[str, int] = field(default_factory=dict)

    def merge(self, other: TriageSummary) -> None:
        self.triaged += other.triaged
        self.drafts += other.drafts
        self.auto_approved += other.auto_approved
        self.needs_review += other.needs_review
        self.failed += other.failed
        for label, count in other.by_label.items():
            self.by_label[label] = self.by_label.get(label, 0) + count

    def to_dict(self) -> dict[str, Any]:
        return {
            "triaged": self.triaged,
            "drafts": self.drafts,
            "auto_approved": self.auto_approved,
            "needs_review": self.needs_review,
            "failed": self.failed,
            "by_label": dict(sorted(self.by_label.items())),
        }


def pending_count(session: Session) -> int:
    from sqlalchemy import func

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
) -> TriageSummary:
    """Triage every inbound message still "new" (at most `limit`)."""
    classifier = classifier or build_classifier(settings=settings, chat_model=chat_model)
    drafter = drafter or build_drafter(settings=settings, chat_model=chat_model)
    batch_size = 200 if chat_model is None else 10
    summary = TriageSummary()
    with Session(engine) as s:
        total = pending_count(s)
    total = min(total, limit) if limit is not None else total
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
    with Session(engine) as s:
        ids = list(
            s.exec(
                select(Message.id)
                .where(Message.direction == "in", Message.triage_status == "new")
                .order_by(col(Message.id))
                .limit(size)
            )
        )
    if not ids:
        return 0
    try:
        _triage_ids(
            engine=engine,
            settings=settings,
            classifier=classifier,
            drafter=drafter,
            ids=ids,
            summary=summary,
        )
    except Exception as exc:  # noqa: BLE001 - never leave a batch stuck; find the culprit
        log.warning("triage batch of %d failed (%s); retrying one by one", len(ids), exc)
        for one in ids:
            try:
                _triage_ids(
                    engine=engine,
                    settings=settings,
                    classifier=classifier,
                    drafter=drafter,
                    ids=[one],
                    summary=summary,
                )
            except Exception as exc_one:  # noqa: BLE001
                log.exception("triage failed for message %s", one)
                _mark_failed(
                    engine=engine, ids=[one], error=f"{exc_one.__class__.__name__}: {exc_one}"
                )
                summary.failed += 1
    return len(ids)


def _triage_ids(
    *,
    engine: Engine,
    settings: Settings,
    classifier: Classifier,
    drafter: Drafter,
    ids: list[int],
    summary: TriageSummary,
) -> None:
    """One transaction: claim, classify, store, draft, commit. Counts only what committed."""
    local = TriageSummary()
    with Session(engine, expire_on_commit=False) as s:
        s.exec(  # type: ignore[call-overload]
            update(Message)
            .where(col(Message.id).in_(ids), Message.triage_status == "new")
            .values(triage_status="triaging")
        )
        messages = list(
            s.exec(
                select(Message)
                .where(col(Message.id).in_(ids), Message.triage_status == "triaging")
                .order_by(col(Message.id))
            )
        )
        if not messages:  # another run took them
            s.rollback()
            return
        results = classifier.classify_batch(session=s, messages=messages)
        for message, result in zip(messages, results, strict=True):
            apply_result(
                session=s,
                message=message,
                result=result,
                settings=settings,
                drafter=drafter,
                summary=local,
            )
        s.commit()
    summary.merge(local)


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


def apply_result(
    *,
    session: Session,
    message: Message,
    result: ClassificationResult,
    settings: Settings,
    drafter: Drafter | None,
    summary: TriageSummary | None = None,
) -> Draft | None:
    """Store a classification as the message's current one, apply the policy, draft."""
    store_classification(session=session, message=message, result=result)
    if not message.language:
        message.language = detect_language(message.body)
    conversation = (
        session.get(Conversation, message.conversation_id) if message.conversation_id else None
    )
    sender = session.get(Sender, message.sender_id) if message.sender_id else None
    decision = decide_action(
        label=result.label,
        confidence=result.confidence,
        needs_review=result.needs_review,
        settings=settings,
        user_participated=bool(conversation and conversation.user_participated),
        sender_status=sender.status if sender else "neutral",
    )
    draft = None
    if decision.draft_kind and drafter is not None:
        draft = create_draft(
            session=session,
            message=message,
            label=result.label,
            kind=decision.draft_kind,
            drafter=drafter,
        )
    draft = _after_triage_hooks(
        session=session,
        message=message,
        draft=draft,
        drafter=drafter,
        settings=settings,
        summary=summary,
    )
    message.triage_status = "triaged"
    session.add(message)
    if summary is not None:
        summary.triaged += 1
        summary.by_label[result.label] = summary.by_label.get(result.label, 0) + 1
        summary.needs_review += int(result.needs_review)
        summary.drafts += int(draft is not None)
    return draft


def store_classification(
    *, session: Session, message: Message, result: ClassificationResult
) -> Classification:
    row = Classification(
        message_id=message.id,  # type: ignore[arg-type]
        label=result.label,
        confidence=float(result.confidence),
        reasons=list(result.reasons),
        signals=_with_scores(result),
        method=result.method,
        model=result.model,
        prompt_name=result.prompt_name,
        prompt_version=result.prompt_version,
        needs_review=result.needs_review,
    )
    session.add(row)
    session.flush()
    message.label = result.label
    message.confidence = float(result.confidence)
    message.needs_review = result.needs_review
    message.classification_id = row.id
    if getattr(result, "template_hash", None):
        message.template_hash = result.template_hash
    session.add(message)
    return row


def _with_scores(result: ClassificationResult) -> dict[str, Any]:
    """The result's signals plus the classifier's per-label scores (rounded), when it gave any:
    the review queue names the labels it hesitated between."""
    signals = dict(result.signals)
    probabilities = (result.extra or {}).get("probabilities")
    if isinstance(probabilities, dict) and probabilities:
        signals["scores"] = {label: round(float(p), 3) for label, p in probabilities.items()}
    return signals


def _after_triage_hooks(
    *,
    session: Session,
    message: Message,
    draft: Draft | None,
    drafter: Drafter | None,
    settings: Settings,
    summary: TriageSummary | None,
) -> Draft | None:
    """Follow-ups (reminders, escalation of repeat senders) then auto-approve; returns the draft
    that now stands (escalation may have replaced it with a firmer one)."""
    draft = on_message_triaged(
        session=session, message=message, settings=settings, draft=draft, drafter=drafter
    ).draft
    if draft is None:
        return None
    ok, why = may_auto_approve(session=session, draft=draft, message=message, settings=settings)
    if ok:
        approve_draft(session=session, draft_id=draft.id, auto=True)  # type: ignore[arg-type]
        session.add(Event(kind="auto_approved", message_id=message.id, detail=why))
        if summary is not None:
            summary.auto_approved += 1
    return draft


def regenerate(
    *, session: Session, message_id: int, settings: Settings, drafter: Any, kind: str | None = None
) -> Draft | None:
    """A fresh draft for the message's current label (the old pending one is superseded)."""
    message = session.get(Message, message_id)
    if message is None or message.label is None:
        raise NotFoundError(f"Message {message_id} has no label yet; triage it first.")
    return create_draft(
        session=session, message=message, label=message.label, kind=kind, drafter=drafter
    )


def relabel(
    *,
    session: Session,
    message_id: int,
    new_label: str,
    settings: Settings,
    drafter: Any = None,
    note: str | None = None,
) -> Draft | None:
    """Store the user's correction, make it the current label and redo the draft for it."""
    if new_label not in LABELS:
        raise ValueError(f"{new_label!r} is not one of {', '.join(LABELS)}")
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"Message {message_id} does not exist.")
    session.add(
        Correction(message_id=message_id, old_label=message.label, new_label=new_label, note=note)
    )
    supersede_pending(session=session, message_id=message_id)
    result = ClassificationResult(
        label=new_label,
        confidence=1.0,
        reasons=["Set by you."],
        signals={},
        method="user",
    )
    return apply_result(
        session=session, message=message, result=result, settings=settings, drafter=drafter
    )
