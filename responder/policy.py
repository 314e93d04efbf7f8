"""Label -> action: what Responder does with a classified message.

`decide_action` is the single rule set the pipeline applies. Auto-approve rules live here too
(`may_auto_approve`), so the whole policy reads in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from responder.settings import Settings
from responder.taxonomy import REPORT_LABELS, Action, DraftKind, Label, default_action


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
