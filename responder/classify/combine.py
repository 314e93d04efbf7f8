"""Combination: safety rules first, then the model's label, calibrated confidence and reasons.

Rules (high precision, method "rules"): a link to a look-alike, punycode or raw-IP host together
with a credentials ask is phishing; gift-card payment asks are scam. Behind the offline model only
(an LLM reads banter better): insults aimed at the reader without friendly context (lol, jk,
self-blame) are harassment.

Safety (method "safety"): an ongoing conversation the user took part in, or an allowed sender, is
never auto-declined (it goes to review); a blocked sender keeps its label with "blocked sender" as
the first reason.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from responder.classify.signals import Relationship, Signals
from responder.taxonomy import DECLINE_LABELS, DISPLAY, REPORT_LABELS

if TYPE_CHECKING:
    from responder.classify.result import ClassificationResult

#: Which signals support which label (used to order and pick reasons).
SUPPORT: dict[str, tuple[str, ...]] = {
    "phishing": (
        "lookalike_domain",
        "punycode",
        "raw_ip",
        "display_mismatch",
        "brand_mismatch",
        "credentials",
        "account_alert",
        "account_block",
        "shortener",
        "threat_account",
        "urgency",
        "delivery",
    ),
    "scam": (
        "gift_cards",
        "crypto",
        "prize",
        "premium_cta",
        "advance_fee",
        "fake_job",
        "loan",
        "romance",
        "payment",
        "personal_data",
        "contact_number",
        "off_platform",
        "urgency",
    ),
    "sales_pitch": ("calendar_link", "pitch", "mass_outreach"),
    "recruiting": ("recruiting", "mass_outreach"),
    "harassment": ("abuse_directed", "abuse"),
    "genuine": ("warm",),
}
_RELATIONSHIP = (
    "sender_blocked",
    "sender_allowed",
    "user_participated",
    "mass_outreach",
    "first_contact",
)
_SUSPICIOUS_LINK = ("lookalike_domain", "punycode", "raw_ip", "display_mismatch")


def signal_reasons(label: str, sig: Signals, limit: int = 4) -> list[str]:
    names = [n for n in SUPPORT.get(label, ()) if n in sig]
    return [sig.items[n].explanation for n in names[:limit]]


def rule_label(sig: Signals) -> tuple[str, float, str] | None:
    """A label from a high-precision rule, with confidence and the rule's reason, or None."""
    suspicious = [n for n in _SUSPICIOUS_LINK if n in sig]
    if suspicious and "credentials" in sig:
        return (
            "phishing",
            0.97,
            "Rule: a disguised link together with a request to log in or verify.",
        )
    if "gift_cards" in sig and ("payment" in sig or "urgency" in sig):
        return "scam", 0.95, "Rule: asks for payment in gift cards."
    if "prize" in sig and "premium_cta" in sig and "warm" not in sig:
        return (
            "scam",
            0.9,
            "Rule: announces a prize and asks you to call a premium-rate number or text a short code.",
        )
    if _blocked_account_lure(sig):
        return (
            "phishing",
            0.85,
            "Rule: says your account or card is blocked and sends you to a link or a number.",
        )
    if "prize" in sig and ("contact_number" in sig or "links" in sig) and "warm" not in sig:
        return (
            "scam",
            0.85,
            "Rule: announces a prize and asks you to call, text or click to claim it.",
        )
    return None


def _blocked_account_lure(sig: Signals) -> bool:
    """ "Your card/account is blocked" + a way out that is not the official one (a shortened or
    disguised link, a phone number, or a request for credentials or personal data)."""
    if "account_block" not in sig or "warm" in sig:
        return False
    exits = [n for n in (*_SUSPICIOUS_LINK, "shortener", "brand_mismatch") if n in sig]
    asks = "credentials" in sig or "personal_data" in sig
    return bool(exits) or (asks and ("links" in sig or "contact_number" in sig))


def offline_rule_label(sig: Signals) -> tuple[str, float, str] | None:
    """Rules that back the offline model only: an LLM reads banter better than a word list."""
    if "abuse_directed" in sig and "warm" not in sig:
        return (
            "harassment",
            0.85,
            "Rule: insults, sexual remarks or threats aimed at you, with no friendly context.",
        )
    return None


def apply_rules(result: ClassificationResult, sig: Signals) -> ClassificationResult:
    """A firing rule sets the label (method "rules"), or backs up a model that agrees."""
    ruled = rule_label(sig)
    if ruled is None and result.method == "offline":
        ruled = offline_rule_label(sig)
    if ruled is None:
        return result
    label, confidence, why = ruled
    if result.label == label:
        confidence = max(confidence, result.confidence)
        return replace(result, confidence=confidence, reasons=[why, *result.reasons])
    reasons = [why, *signal_reasons(label, sig)]
    return replace(result, label=label, confidence=confidence, reasons=reasons, method="rules")


def apply_safety(result: ClassificationResult, rel: Relationship | None) -> ClassificationResult:
    """Relationship rules: never auto-decline a conversation the user joined; keep blocks."""
    if rel is None:
        return result
    if rel.sender_status == "blocked":
        return replace(
            result, reasons=["Blocked sender: you blocked this sender before.", *result.reasons]
        )
    if rel.user_participated or rel.sender_status == "allowed":
        why = (
            "You took part in this conversation, so it is never declined automatically."
            if rel.user_participated
            else "The sender is on your allow list, so it is never declined automatically."
        )
        if result.label in DECLINE_LABELS or result.label in REPORT_LABELS:
            return replace(
                result, reasons=[why, *result.reasons], needs_review=True, method="safety"
            )
        return replace(result, reasons=[*result.reasons, why])
    return result


def finalize(
    result: ClassificationResult,
    sig: Signals,
    rel: Relationship | None,
    *,
    review_threshold: float,
) -> ClassificationResult:
    """Rules, then relationship safety, then the review threshold."""
    result = apply_rules(result, sig)
    result = apply_safety(result, rel)
    needs_review = result.needs_review or result.confidence < review_threshold
    if needs_review and result.confidence < review_threshold:
        note = f"Confidence {result.confidence:.0%} is below your review threshold: please check."
        if note not in result.reasons:
            result = replace(result, reasons=[*result.reasons, note])
    signals = sig.to_dict()
    return replace(result, needs_review=needs_review, signals=signals)


def model_reason(label: str, confidence: float, terms: list[str]) -> list[str]:
    out = []
    if terms:
        quoted = ", ".join(f"'{t}'" for t in terms)
        out.append(f"Wording typical of {DISPLAY[label].lower()} messages: {quoted}.")
    out.append(f"The offline model rates this {confidence:.0%} {DISPLAY[label].lower()}.")
    return out


def correction_reason(label: str) -> str:
    return f"You corrected a message like this one to {DISPLAY[label].lower()}."
