"""Context: a message inherits what its conversation is about.

* A short follow-up ("bumping this up", "any thoughts?") in a conversation that the other side
  opened with a pitch, a recruiter note or a fraud attempt is more of the same: the model reads
  the follow-up alone and sees nothing, so the conversation's label wins.
* A reply in a conversation the user started (the user wrote first) is not unsolicited: a pitch
  or recruiter label there becomes genuine (the user asked for it).

Pure functions over `ThreadContext`; `context.thread_contexts` reads them from the store and the
seed's `thread` field gives the same for training and tests.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from responder.classify.result import ClassificationResult
from responder.taxonomy import DISPLAY

#: Labels a conversation passes on to a follow-up that the model calls genuine.
INHERITED = ("sales_pitch", "recruiting", "scam", "phishing")
#: Labels that a conversation the user started turns into genuine.
SOLICITED = ("sales_pitch", "recruiting")
#: A follow-up this short says too little on its own; longer ones keep the model's label.
FOLLOW_UP_WORDS = 40
INHERIT_CONFIDENCE = 0.8
SOLICITED_CONFIDENCE = 0.7


@dataclass(frozen=True)
class ThreadContext:
    """What came before a message in its conversation."""

    started_by_user: bool = False
    #: The label of the other side's first message (None: unknown or none).
    opener_label: str | None = None


def from_seed_thread(thread: list[dict[str, Any]], opener_label: str | None) -> ThreadContext:
    """The context of a seed row's `thread` ([{from: me|them, text}], oldest first)."""
    started = bool(thread) and thread[0].get("from") == "me"
    return ThreadContext(started_by_user=started, opener_label=opener_label)


def apply_thread(
    result: ClassificationResult, ctx: ThreadContext | None, text: str
) -> ClassificationResult:
    """The result with its conversation taken into account (unchanged without context)."""
    if ctx is None:
        return result
    if ctx.started_by_user:
        if result.label in SOLICITED:
            why = (
                f"You started this conversation, so this reply is not an unsolicited "
                f"{DISPLAY[result.label].lower()} message."
            )
            return replace(
                result,
                label="genuine",
                confidence=SOLICITED_CONFIDENCE,
                reasons=[why, *result.reasons],
                method="context",
            )
        return result
    short = len(text.split()) <= FOLLOW_UP_WORDS
    if ctx.opener_label in INHERITED and result.label == "genuine" and short:
        shown = DISPLAY[ctx.opener_label].lower()
        why = f"A follow-up in a conversation that opened with a {shown} message."
        return replace(
            result,
            label=ctx.opener_label,
            confidence=max(INHERIT_CONFIDENCE, result.confidence * 0.9),
            reasons=[why, *result.reasons],
            method="context",
        )
    return result
