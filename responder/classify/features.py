"""Numeric intent features for the offline model, computed from the signals.

These are what transfers across writing styles: what the sender asks for, where links go, whether
they push urgency or abuse. The text n-grams only add vocabulary on top.
"""

from __future__ import annotations

import math
import re

import numpy as np

from responder.classify.cues import CUE_NAMES, cue_counts
from responder.classify.links import extract_links, has_phone

_MONEY = re.compile(r"[$€£]\s?\d|\d\s?(?:€|eur|usd|dollars|pounds|euros)\b", re.I)
_SHOUT = re.compile(r"\b[A-Z]{3,}\b")
#: Quick tests: every _MONEY match has a digit, every _SHOUT match three capitals in a row.
_DIGIT = re.compile(r"\d")
_CAPS = re.compile(r"[A-Z]{3}")

FEATURE_NAMES: tuple[str, ...] = (
    *(f"cue_{n}" for n in CUE_NAMES),
    "link_any",
    "link_suspicious",
    "link_shortener",
    "link_lookalike",
    "link_calendar",
    "phone",
    "money",
    "shouting",
    "exclaim",
    "short",
    "long",
    "abuse_2p",
    "ask_with_link",
    "ask_with_urgency",
    "no_intent",
    "medium",
    "no_risk",
)
#: Cues that say what a sender wants; a message with none of them (and no link, phone or money)
#: is most likely a normal conversation.
_INTENT_CUES = tuple(n for n in CUE_NAMES if n not in ("warm", "second_person", "urgency"))
#: Cues of what fraud asks for; a message with none of them and no link or phone number is
#: "no risk", and only such a message gets the full benefit of the doubt towards genuine.
RISK_CUES = (
    "credentials",
    "payment",
    "gift_cards",
    "crypto",
    "prize",
    "advance_fee",
    "fake_job",
    "loan",
    "delivery",
    "account_alert",
    "account_block",
    "premium_cta",
    "off_platform",
    "personal_data",
)


def _feature_values(text: str) -> list[float]:
    """The intent features of one text as floats (same order as FEATURE_NAMES)."""
    by = cue_counts(text)
    counts = list(by.values())
    links = extract_links(text) if ("." in text) else []
    suspicious = any(link.suspicious for link in links)
    words = max(1, len(text.split()))
    asks = by["credentials"] + by["payment"] + by["personal_data"]
    phone = has_phone(text)
    money = _DIGIT.search(text) is not None and _MONEY.search(text) is not None
    shouts = len(_SHOUT.findall(text)) if _CAPS.search(text) else 0
    values = [math.log1p(c) for c in counts]
    values += [
        float(bool(links)),
        float(suspicious),
        float(any(link.shortener for link in links)),
        float(any(link.lookalike_brand for link in links)),
        float(any("cal" in link.domain or "hubspot" in link.domain for link in links)),
        float(phone),
        float(money),
        min(1.0, shouts / 3),
        min(1.0, text.count("!") / 3),
        float(words < 12),
        float(words > 120),
        float(by["abuse"] > 0 and by["second_person"] > 0),
        float(asks > 0 and bool(links)),
        float(asks > 0 and by["urgency"] + by["threat_account"] > 0),
    ]
    quiet = not any(by[n] for n in _INTENT_CUES) and not links
    quiet = quiet and not phone and not money
    no_risk = not links and not phone and not any(by[n] for n in RISK_CUES)
    values += [float(quiet), float(40 <= words <= 120), float(no_risk)]
    return values


def feature_vector(text: str) -> np.ndarray:
    """The intent feature vector of one text (same order as FEATURE_NAMES)."""
    return np.asarray(_feature_values(text), dtype=np.float64)


def feature_matrix(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, len(FEATURE_NAMES)))
    return np.asarray([_feature_values(t) for t in texts], dtype=np.float64)
