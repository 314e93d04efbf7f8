"""Signals: what a message asks for, where its links go, whether it is a template, who sent it.

Each signal carries a one-sentence explanation for the UI. Everything here is offline: domains are
parsed with `tldextract`'s bundled public-suffix snapshot (it never fetches).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from responder.classify import lexicon as lx
from responder.classify.links import (  # noqa: F401 - re-exported
    _BARE,
    _EMAIL,
    _URL,
    PHONE,
    Link,
    _is_ip,
    defang,
    extract_links,
    lookalike_brand,
)

# --- templates ---------------------------------------------------------------------------------

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|hallo|guten tag|liebe[rs]?|sehr geehrte[rs]?|bonjour|salut|cher|"
    r"chère|hola|estimad[oa]|buenos días|good (?:morning|afternoon|evening))\b[^\n,!.:]{0,40}[,!.:]?",
    re.I,
)
_SIGNOFF = re.compile(
    r"\n\s*(?:best|regards|cheers|thanks|thank you|kind regards|best regards|viele grüße|mit freundlichen"
    r" grüßen|lg|cordialement|bien à vous|saludos|un saludo|atentamente)\b.*$",
    re.I | re.S,
)


def template_fingerprint(text: str) -> str:
    """A near-duplicate key: greetings, sign-offs, names, numbers, links and e-mails removed."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _SIGNOFF.sub("", _GREETING.sub("", t, count=1))
    t = _EMAIL.sub(" ", _URL.sub(" ", t))
    t = _BARE.sub(" ", t)
    # Capitalised words not at a sentence start are usually names and companies.
    t = re.sub(r"(?<=[a-z,;] )[A-ZÄÖÜÉÈÁÍÓÚ][\w'\-]+", " ", t)
    t = re.sub(r"\d+", " ", t.lower())
    tokens = re.findall(r"[^\W\d_]+", t)
    return hashlib.sha256(" ".join(tokens).encode()).hexdigest()[:32]


def content_hash(text: str) -> str:
    """The ingest's content key (sha256 of the whitespace- and case-normalised body)."""
    from responder.ingest.base import content_hash as ingest_hash

    return ingest_hash(text or "")


# --- signals ------------------------------------------------------------------------------------


@dataclass
class Relationship:
    """What the store knows about the sender and the thread."""

    user_participated: bool = False
    sender_status: str = "neutral"  # neutral | allowed | blocked
    first_contact: bool = True
    template_count: int = 1  # messages sharing this template
    template_senders: int = 1  # distinct senders of this template


@dataclass
class Signal:
    name: str
    value: Any
    explanation: str


@dataclass
class Signals:
    items: dict[str, Signal] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    language: str | None = None

    def add(self, name: str, value: Any, explanation: str) -> None:
        self.items[name] = Signal(name, value, explanation)

    def __contains__(self, name: str) -> bool:
        return name in self.items

    def explanations(self) -> list[str]:
        return [s.explanation for s in self.items.values()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: {name: {"value", "explanation"}} plus defanged links and the language."""
        data: dict[str, Any] = {
            n: {"value": s.value, "explanation": s.explanation} for n, s in self.items.items()
        }
        data["_links"] = [_link_dict(link) for link in self.links]
        data["_language"] = self.language
        return data


_LINK_FIELDS = tuple(f.name for f in fields(Link))


def _link_dict(link: Link) -> dict[str, Any]:
    """asdict() without its deep copies (it is on the hot path), the URL defanged."""
    data = {name: getattr(link, name) for name in _LINK_FIELDS}
    data["url"] = defang(link.url)
    return data


def _compile(words: list[str]) -> re.Pattern[str]:
    """One pattern per lexicon, matched on lower-cased text at word starts (fast: no re.I)."""
    alternatives = [w[2:] if w.startswith(r"\b") else w for w in words]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")")


CUES: dict[str, re.Pattern[str]] = {
    name: _compile(getattr(lx, name.upper()))
    for name in (
        "credentials",
        "payment",
        "gift_cards",
        "crypto",
        "off_platform",
        "personal_data",
        "prize",
        "advance_fee",
        "fake_job",
        "loan",
        "romance",
        "delivery",
        "urgency",
        "threat_account",
        "account_alert",
        "account_block",
        "premium_cta",
        "abuse",
        "second_person",
        "pitch",
        "recruiting",
        "warm",
    )
}


#: Cues, the intent features and the n-grams look at the first characters only (speed; the message
#: is stored whole and links are extracted from all of it).
FEATURE_CHARS = 2000


def cue_counts(text: str) -> dict[str, int]:
    """How often each cue lexicon matches (memoised: the model and the signals share it)."""
    return dict(zip(CUES, _cue_tuple(text), strict=True))


#: Matched one by one: they overlap the other lexicons ("verify YOUR account", "KYC") and the
#: safety rules rely on them.
_SEPARATE = ("second_person", "urgency", "warm", "account_block", "premium_cta")
_INDEX = {name: i for i, name in enumerate(CUES)}


def _combined() -> re.Pattern[str]:
    """All other lexicons in one alternation with a named group each: one scan of the text
    instead of one per lexicon. Where two lexicons match at the same place the first listed wins
    (a handful of messages lose a cue that way; the model is trained on the same counts)."""
    parts = []
    for name in CUES:
        if name not in _SEPARATE:
            words = getattr(lx, name.upper())
            alternatives = [w[2:] if w.startswith(r"\b") else w for w in words]
            parts.append(f"(?P<{name}>" + "|".join(alternatives) + ")")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")")


_ALL_CUES = _combined()


@lru_cache(maxsize=16384)
def _cue_tuple(text: str) -> tuple[int, ...]:
    low = text.lower()
    counts = [0] * len(CUES)
    for m in _ALL_CUES.finditer(low):
        counts[_INDEX[m.lastgroup or ""]] += 1
    for name in _SEPARATE:
        counts[_INDEX[name]] = len(CUES[name].findall(low))
    return tuple(counts)


def compute_signals(
    text: str,
    subject: str | None = None,
    sender_name: str | None = None,
    *,
    relationship: Relationship | None = None,
    language: str | None = None,
) -> Signals:
    """Every signal of a message, each with a one-sentence explanation."""
    full = f"{subject}\n{text}" if subject else (text or "")
    sig = Signals(links=extract_links(full), language=language)
    sig.counts = cue_counts(full[:FEATURE_CHARS])
    for name, count in sig.counts.items():
        if count and name in lx.EXPLAIN:
            sig.add(name, count, lx.EXPLAIN[name])
    for name, value, why in describe_links(sig.links, full):
        sig.add(name, value, why)
    if PHONE.search(full):
        sig.add("contact_number", True, "Gives a phone number or SMS short code to call or text.")
    if relationship is not None:
        _relationship_signals(sig, relationship)
    if language and language != "und":
        sig.add("language", language, f"The message is written in {language}.")
    return sig


def describe_links(links: list[Link], text: str) -> list[tuple[str, Any, str]]:
    """Link signals as (name, value, explanation)."""
    out: list[tuple[str, Any, str]] = []
    if links:
        out.append(("links", len(links), f"Contains {len(links)} link(s)."))

    def first(pred: Any) -> Link | None:
        return next((link for link in links if pred(link)), None)

    if link := first(lambda x: x.shortener):
        out.append(
            (
                "shortener",
                defang(link.host),
                f"A link uses the URL shortener {defang(link.host)}, which hides where it goes.",
            )
        )
    if link := first(lambda x: x.raw_ip):
        out.append(
            (
                "raw_ip",
                defang(link.host),
                f"A link points to a bare IP address ({defang(link.host)}) instead of a domain.",
            )
        )
    if link := first(lambda x: x.punycode):
        out.append(
            (
                "punycode",
                defang(link.host),
                f"A link uses an internationalised (punycode) domain {defang(link.host)} that can imitate another.",
            )
        )
    if link := first(lambda x: x.lookalike_brand):
        out.append(
            (
                "lookalike_domain",
                defang(link.host),
                f"The domain {defang(link.domain)} imitates {link.lookalike_brand} but is not one of its domains.",
            )
        )
    if link := first(lambda x: x.display_mismatch):
        out.append(
            (
                "display_mismatch",
                defang(link.host),
                f"A link's visible text differs from where it really goes ({defang(link.domain)}).",
            )
        )
    if link := first(lambda x: any(x.domain.endswith(h) for h in lx.CALENDAR_HOSTS)):
        out.append(
            (
                "calendar_link",
                defang(link.domain),
                f"Contains a meeting-booking link ({defang(link.domain)}).",
            )
        )
    if not links:
        return out
    low = text.lower()
    brands = [b for b in lx.BRANDS if len(b) >= 4 and b in low]
    if brands and not any(_is_brand_domain(link.domain, brands) for link in links):
        out.append(
            (
                "brand_mismatch",
                brands[0],
                f"Mentions {brands[0]} but links to a domain that is not {brands[0]}'s.",
            )
        )
    return out


def _is_brand_domain(domain: str, brands: list[str]) -> bool:
    return any(domain in lx.BRANDS[b] for b in brands)


def _relationship_signals(sig: Signals, rel: Relationship) -> None:
    if rel.user_participated:
        sig.add("user_participated", True, "You have written in this conversation before.")
    if rel.sender_status == "allowed":
        sig.add("sender_allowed", True, "The sender is on your allow list.")
    elif rel.sender_status == "blocked":
        sig.add("sender_blocked", True, "The sender is on your block list.")
    if rel.first_contact and not rel.user_participated:
        sig.add("first_contact", True, "This is the first message from this sender.")
    if rel.template_count >= 3 or rel.template_senders >= 2:
        sig.add(
            "mass_outreach",
            {"messages": rel.template_count, "senders": rel.template_senders},
            f"The same template text arrived {rel.template_count} times from "
            f"{rel.template_senders} sender(s): mass outreach.",
        )
