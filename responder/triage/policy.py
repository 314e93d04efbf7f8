"""Label -> action: what Responder does with a classified message.

`decide_action` is the single rule set the pipeline applies. Auto-approve rules live here too
(`may_auto_approve`), so the whole policy reads in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import func
from sqlmodel import Session, col, select

from responder.followups.business_hours import user_tz
from responder.settings import Settings
from responder.store.models import Conversation, Draft, Message, Sender
from responder.taxonomy import NOTE_KINDS, REPORT_LABELS, Action, DraftKind, Label, default_action


@dataclass(frozen=True)
class Decision:
    action: Action
    #: The draft to create now, or None (genuine messages get a reply only on request).
    draft_kind: str | None
    reason: str


def decide_action(
    *,
    label: str,
    confidence: float,
    needs_review: bool,
    settings: Settings,
    user_participated: bool = False,
    sender_status: str = "neutral",
) -> Decision:
    """The action for a message with this classification.

    Safety first: a conversation the user took part in, or an allowed sender, is never declined;
    report labels always get a report note (never a reply), even when confidence is low, because a
    note costs nothing and the user decides.
    """
    if label in REPORT_LABELS:
        return Decision(Action.REPORT, DraftKind.REPORT_NOTE, "report note; no reply is ever sent")
    if label == Label.GENUINE:
        return Decision(Action.KEEP, None, "kept for you; reply on request")
    if user_participated or sender_status == "allowed":
        why = "you wrote in this conversation" if user_participated else "the sender is allowed"
        return Decision(Action.REVIEW, None, f"not declined: {why}")
    if label == Label.RECRUITING and settings.profile.keep_recruiters:
        return Decision(Action.KEEP, None, "recruiters are kept (your setting)")
    if needs_review:
        # Still prepare the decline so approving is one click, but nothing goes automatically.
        return Decision(Action.REVIEW, DraftKind.DECLINE, "low confidence: waiting for your review")
    action = default_action(label)
    return Decision(action, DraftKind.DECLINE, f"{label}: polite decline")


# --- auto-approve ------------------------------------------------------------------------------------


def may_auto_approve(
    *, session: Session, draft: Draft, message: Message, settings: Settings
) -> tuple[bool, str]:
    """May this draft be approved without the user? Returns (ok, reason in plain words).

    Never for phishing, scam or harassment (nor any report note), never for a draft that fails
    lint, never to a sender the user has an ongoing conversation with (or allowed, or blocked),
    never for an escalation (a firm decline waits for the user), and only when the label's rule is
    enabled, the confidence reaches its threshold and today's cap (user's time zone) is not reached.
    """
    label = message.label or ""
    if label in REPORT_LABELS or draft.kind in NOTE_KINDS:
        return False, f"never automatic for {label or draft.kind}"
    if draft.status != "pending":
        return False, f"the draft is {draft.status}"
    if not draft.lint_ok:
        return False, "the draft fails lint: " + "; ".join(draft.lint_problems or [])
    if draft.kind == DraftKind.DECLINE_FIRM:
        return False, "a firm decline (the sender wrote again) waits for you"
    rule = settings.policy.auto_approve.get(label)
    if rule is None or not rule.enabled:
        return False, f"auto-approve is off for {label}"
    confidence = message.confidence or 0.0
    if message.needs_review or confidence < rule.min_confidence:
        return False, f"confidence {confidence:.2f} is below {rule.min_confidence:.2f}"
    why_not = _relationship_block(session, message)
    if why_not:
        return False, why_not
    used = auto_approved_today(session=session, settings=settings)
    if used >= settings.policy.daily_auto_approve_cap:
        return False, f"today's cap of {settings.policy.daily_auto_approve_cap} is reached"
    return True, f"{label} at {confidence:.2f} >= {rule.min_confidence:.2f} (auto-approve rule)"


def could_auto_approve(
    *, label: str, confidence: float, needs_review: bool, settings: Settings
) -> bool:
    """False when `may_auto_approve` is sure to refuse whatever the draft and the store say (the
    label's rule is off, the confidence too low, a report label): batch triage then skips the
    per-draft checks. True only means "ask `may_auto_approve`"."""
    if label in REPORT_LABELS or needs_review:
        return False
    rule = settings.policy.auto_approve.get(label)
    return rule is not None and rule.enabled and (confidence or 0.0) >= rule.min_confidence


def _relationship_block(session: Session, message: Message) -> str | None:
    sender = session.get(Sender, message.sender_id) if message.sender_id else None
    if sender is not None and sender.status != "neutral":
        return f"the sender is {sender.status}"
    if message.conversation_id is not None:
        conv = session.get(Conversation, message.conversation_id)
        if conv is not None and conv.user_participated:
            return "you take part in this conversation"
    if sender is not None:
        ongoing = session.exec(
            select(Conversation.id)
            .join(Message, col(Message.conversation_id) == Conversation.id)
            .where(Message.sender_id == sender.id, Conversation.user_participated == True)  # noqa: E712
        ).first()
        if ongoing is not None:
            return "you have an ongoing conversation with this sender"
    return None


def auto_approved_today(
    *, session: Session, settings: Settings, now: datetime | None = None
) -> int:
    """Drafts auto-approved since midnight in the user's time zone."""

    tz = user_tz(settings)
    local = (now or datetime.now(UTC)).astimezone(tz)
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz).astimezone(UTC)
    stmt = select(func.count()).where(
        Draft.auto_approved == True,  # noqa: E712
        col(Draft.approved_at) >= midnight,
    )
    return int(session.exec(stmt).one())
