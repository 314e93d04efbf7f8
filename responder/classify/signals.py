"""Signals: what a message asks for, where its links go, whether it is a template, who sent it.

Each signal carries a one-sentence explanation for the UI. Everything here is offline: domains are
parsed with `tldextract`'s bundled public-suffix snapshot (it never fetches). Cue counts come from
`cues`, links from `links`, template fingerprints from `fingerprint`; their public names are
re-exported here, where the rest of the app imports them from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from responder.classify import lexicon as lx
from responder.classify.cues import (  # noqa: F401 - re-exported
    CUES,
    FEATURE_CHARS,
    cue_counts,
    directed_abuse,
)
from responder.classify.fingerprint import content_hash, template_fingerprint  # noqa: F401
from responder.classify.links import (  # noqa: F401 - re-exported
    PHONE,
    Link,
    defang,
    extract_links,
    has_phone,
    lookalike_brand,
)

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
    if has_phone(full):
        sig.add("contact_number", True, "Gives a phone number or SMS short code to call or text.")
    if sig.counts.get("abuse") and directed_abuse(full[:FEATURE_CHARS], sig.counts):
        sig.add(
            "abuse_directed",
            True,
            "Insults, sexual remarks or threats aimed at you, with no friendly context.",
        )
    if relationship is not None:
        _relationship_signals(sig, relationship)
    if language and language != "und":
        sig.add("language", language, f"The message is written in {language}.")
    return sig


def describe_links(links: list[Link], text: str) -> list[tuple[str, Any, str]]:
    """Link signals as (name, value, explanation)."""
    out: list[tuple[str, Any, str]] = []
    if not links:
        return out
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
