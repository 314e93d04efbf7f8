"""Applying one classification to one message: store it, apply the policy, draft, follow up.

This is the per-message path: relabel and regenerate (here too) use it, and batch triage uses it for the
few messages whose outcome depends on earlier drafts (a sender we declined before, a draft the
user may auto-approve, a message that already has drafts or follow-ups).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from responder.classify.language import detect_language
from responder.classify.result import ClassificationResult
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
    from responder.drafts.drafter import Drafter


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

    def count(self, *, label: str, needs_review: bool, drafted: bool) -> None:
        """One more triaged message."""
        self.triaged += 1
        self.by_label[label] = self.by_label.get(label, 0) + 1
        self.needs_review += int(needs_review)
        self.drafts += int(drafted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "triaged": self.triaged,
            "drafts": self.drafts,
            "auto_approved": self.auto_approved,
            "needs_review": self.needs_review,
            "failed": self.failed,
            "by_label": dict(sorted(self.by_label.items())),
        }


def with_scores(result: ClassificationResult) -> dict[str, Any]:
    """The result's signals plus the classifier's per-label scores (rounded), when it gave any:
    the review queue names the labels it hesitated between."""
    signals = dict(result.signals)
    probabilities = (result.extra or {}).get("probabilities")
    if isinstance(probabilities, dict) and probabilities:
        signals["scores"] = {label: round(float(p), 3) for label, p in probabilities.items()}
    return signals


def classification_values(*, message: Message, result: ClassificationResult) -> dict[str, Any]:
    """The columns of the classification row for `message`."""
    return {
        "message_id": message.id,
        "label": result.label,
        "confidence": float(result.confidence),
        "reasons": list(result.reasons),
        "signals": with_scores(result),
        "method": result.method,
        "model": result.model,
        "prompt_name": result.prompt_name,
        "prompt_version": result.prompt_version,
        "needs_review": result.needs_review,
    }


def mark_classified(*, message: Message, result: ClassificationResult, row_id: int | None) -> None:
    """Make the stored classification `row_id` the message's current one (and know its
    language)."""
    message.label = result.label
    message.confidence = float(result.confidence)
    message.needs_review = result.needs_review
    message.classification_id = row_id
    if getattr(result, "template_hash", None):
        message.template_hash = result.template_hash
    if not message.language:
        message.language = detect_language(message.body)


def store_classification(
    *, session: Session, message: Message, result: ClassificationResult
) -> Classification:
    row = Classification(**classification_values(message=message, result=result))
    session.add(row)
    session.flush()
    mark_classified(message=message, result=result, row_id=row.id)
    session.add(message)
    return row


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
    return apply_decision(
        session=session,
        message=message,
        result=result,
        settings=settings,
        drafter=drafter,
        summary=summary,
    )


def apply_decision(
    *,
    session: Session,
    message: Message,
    result: ClassificationResult,
    settings: Settings,
    drafter: Drafter | None,
    summary: TriageSummary | None = None,
) -> Draft | None:
    """For a message whose classification is stored: the policy, the draft, the follow-ups."""
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
        summary.count(
            label=result.label, needs_review=result.needs_review, drafted=draft is not None
        )
    return draft


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
