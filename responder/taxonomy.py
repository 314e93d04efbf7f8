"""The six labels, their default actions and the draft kinds: the one place that defines them.

Definitions follow LABELS.md (kept by the maintainers in ../shared/data/LABELS.md).
"""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    GENUINE = "genuine"
    SALES_PITCH = "sales_pitch"
    RECRUITING = "recruiting"
    PHISHING = "phishing"
    SCAM = "scam"
    HARASSMENT = "harassment"


LABELS: tuple[str, ...] = tuple(label.value for label in Label)

#: Labels for which Responder never drafts a reply and never sends anything to the sender.
REPORT_LABELS: frozenset[str] = frozenset({Label.PHISHING, Label.SCAM, Label.HARASSMENT})
#: Labels that get a polite decline by default.
DECLINE_LABELS: frozenset[str] = frozenset({Label.SALES_PITCH, Label.RECRUITING})


class Action(StrEnum):
    """What Responder does with a message once it has a label."""

    KEEP = "keep"  # keep for the user, optional reply draft, reminder if unanswered
    DECLINE = "decline"  # polite decline draft
    REPORT = "report"  # report note, no reply, suggest block
    REVIEW = "review"  # confidence too low or safety rule: the user decides


class DraftKind(StrEnum):
    DECLINE = "decline"
    DECLINE_FIRM = "decline_firm"
    REPORT_NOTE = "report_note"
    REPLY = "reply"
    FOLLOWUP = "followup"


#: Draft kinds that are notes for the user, never sent to the sender.
NOTE_KINDS: frozenset[str] = frozenset({DraftKind.REPORT_NOTE})

DEFAULT_ACTION: dict[str, Action] = {
    Label.GENUINE: Action.KEEP,
    Label.SALES_PITCH: Action.DECLINE,
    Label.RECRUITING: Action.DECLINE,
    Label.PHISHING: Action.REPORT,
    Label.SCAM: Action.REPORT,
    Label.HARASSMENT: Action.REPORT,
}

DESCRIPTIONS: dict[str, str] = {
    Label.GENUINE: "A real personal or relevant business message that deserves a human reply.",
    Label.SALES_PITCH: "Unsolicited commercial outreach: software, agencies, lead generation, "
    "outsourcing, coaching, marketing, 'quick call?' pitches.",
    Label.RECRUITING: "Recruiters and headhunters, job offers, 'open to new opportunities?'.",
    Label.PHISHING: "Tries to steal credentials or get a click on a malicious link: fake alerts, "
    "fake invoices or documents, brand or LinkedIn impersonation.",
    Label.SCAM: "Fraud that is not mainly credential theft: advance fee, crypto, romance, prizes, "
    "fake jobs that want money or bank details, money mules, loan scams.",
    Label.HARASSMENT: "Abusive, hateful, sexually harassing or threatening messages aimed at the "
    "recipient.",
}

DISPLAY: dict[str, str] = {
    Label.GENUINE: "Genuine",
    Label.SALES_PITCH: "Sales pitch",
    Label.RECRUITING: "Recruiting",
    Label.PHISHING: "Phishing",
    Label.SCAM: "Scam",
    Label.HARASSMENT: "Harassment",
}


def is_label(value: str) -> bool:
    return value in LABELS


def default_action(label: str) -> Action:
    return DEFAULT_ACTION[Label(label)]
