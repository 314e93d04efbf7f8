"""Signals: what a message asks for, where its links go, whether it is a template, who sent it.

Each signal carries a one-sentence explanation for the UI. Everything here is offline: domains are
parsed with `tldextract`'s bundled public-suffix snapshot (it never fetches).
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from responder.classify import lexicon as lx

_URL = re.compile(r"(?:https?://|hxxps?://|www\.)[^\s<>\"'()\[\]]+", re.I)
_BARE = re.compile(
    r"(?<![@\w.\-/])((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}|"
    r"\d{1,3}(?:\.\d{1,3}){3})((?::\d{2,5})?/[^\s<>\"'()\[\]]*)?",
    re.I,
)
_ANCHOR = re.compile(r"<a\s[^>]*href\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.I | re.S)
_MARKDOWN = re.compile(r"\[([^\]\n]{1,200})\]\((https?://[^)\s]+)\)", re.I)
_EMAIL = re.compile(r"\b([\w.+\-]+)@((?:[\w\-]+\.)+[a-z]{2,24})\b", re.I)
_TAG = re.compile(r"<[^>]+>")
PHONE = re.compile(
    r"(?:\+\d[\d ()\-]{7,}\d|\b0\d{3,4}[ \-]?\d{3}[ \-]?\d{3,4}\b|\b[6-9]\d{9}\b|\b\d{5}\b|"
    r"\b\d{3}[ \-.]\d{3}[ \-.]\d{4}\b|\b1[38]00[ \-]?\d{3}[ \-]?\d{3}\b)"
)
_TRAILING = ".,;:!?)]}'\""


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@dataclass(frozen=True)
class Link:
    """A link found in a message, normalised, with what makes it suspicious."""

    url: str
    host: str
    domain: str  # registered domain (example.co.uk), or the IP
    display_text: str | None = None
    shortener: bool = False
    raw_ip: bool = False
    punycode: bool = False
    lookalike_brand: str | None = None
    display_mismatch: bool = False

    @property
    def suspicious(self) -> bool:
        return self.raw_ip or self.punycode or bool(self.lookalike_brand) or self.display_mismatch


@lru_cache(maxsize=8192)
def _registered(host: str) -> tuple[str, str, str]:
    """(registered domain, domain label, suffix) of a host; ("", "", "") when not a real domain."""
    ext = _extractor()(host)
    if not ext.suffix or not ext.domain:
        return "", "", ""
    return f"{ext.domain}.{ext.suffix}", ext.domain, ext.suffix


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


_LEET = str.maketrans(
    {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


def _skeleton(label: str) -> str:
    """Fold digits that look like letters and separators: 1inkedin -> linkedin, micros0ft -> microsoft."""
    s = label.lower().translate(_LEET).replace("rn", "m").replace("vv", "w")
    return re.sub(r"[^a-z]", "", s)


def lookalike_brand(host: str) -> str | None:
    """The brand a host imitates without being one of the brand's real domains, if any."""
    registered, label, _suffix = _registered(host)
    if not registered:
        return None
    for real in lx.BRANDS.values():
        if registered in real or any(registered.endswith("." + r) for r in real):
            return None
    if label.startswith("xn--"):
        try:
            label = label.encode().decode("idna")
        except UnicodeError:
            return None
        label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    tokens = [_skeleton(t) for t in re.split(r"[-_]", label) if t]
    sub_tokens = [_skeleton(t) for t in re.split(r"[-_.]", host[: -len(registered)]) if t]
    joined = _skeleton(label)
    for brand in lx.BRANDS:
        if joined == brand or (brand in tokens and len(tokens) > 1):
            return brand
        if any(joined == brand + w or joined == w + brand for w in lx.LURE_WORDS):
            return brand
        if brand in sub_tokens and any(w in tokens + sub_tokens for w in lx.LURE_WORDS):
            return brand
    return None


def _make_link(raw: str, display: str | None = None) -> Link | None:
    raw = raw.strip().rstrip(_TRAILING)
    raw = re.sub(r"^hxxp", "http", raw, flags=re.I).replace("[.]", ".").replace("(.)", ".")
    url = raw if re.match(r"https?://", raw, re.I) else "http://" + raw
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    ip = _is_ip(host)
    registered = host if ip else _registered(host)[0]
    if not registered:
        return None
    normalised = f"{parts.scheme.lower()}://{host}{parts.path or ''}" + (
        f"?{parts.query}" if parts.query else ""
    )
    mismatch = False
    if display:
        shown = _first_url_host(display)
        mismatch = bool(shown) and _registered(shown)[0] not in ("", registered)
    return Link(
        url=normalised,
        host=host,
        domain=registered,
        display_text=display,
        shortener=registered in lx.SHORTENERS or host in lx.SHORTENERS,
        raw_ip=ip,
        punycode=any(p.startswith("xn--") for p in host.split(".")),
        lookalike_brand=None if ip else lookalike_brand(host),
        display_mismatch=mismatch,
    )


def _first_url_host(text: str) -> str:
    m = _URL.search(text) or _BARE.search(text)
    if not m:
        return ""
    candidate = m.group(0)
    candidate = candidate if "://" in candidate else "http://" + candidate
    try:
        return (urlsplit(candidate).hostname or "").lower()
    except ValueError:
        return ""


def extract_links(text: str) -> list[Link]:
    """Every link in the text (HTML anchors, markdown links, URLs, bare domains), in order, unique."""
    return list(_links_cached(text or ""))


_MAYBE_LINK = re.compile(r"[a-z0-9]\.[a-z]{2}|://|\d\.\d", re.I)


@lru_cache(maxsize=4096)
def _links_cached(text: str) -> tuple[Link, ...]:
    if not _MAYBE_LINK.search(text):
        return ()
    links: list[Link] = []
    seen: set[str] = set()

    def add(link: Link | None) -> None:
        if link and link.url not in seen:
            seen.add(link.url)
            links.append(link)

    for m in _ANCHOR.finditer(text):
        add(_make_link(html.unescape(m.group(1)), _TAG.sub("", m.group(2)).strip() or None))
    for m in _MARKDOWN.finditer(text):
        add(_make_link(m.group(2), m.group(1)))
    rest = _MARKDOWN.sub(" ", _ANCHOR.sub(" ", text))
    for m in _URL.finditer(rest):
        add(_make_link(m.group(0)))
    rest = _URL.sub(" ", _EMAIL.sub(" ", rest))
    for m in _BARE.finditer(rest):
        add(_make_link(m.group(0)))
    return tuple(links)


def _defang_host(host: str) -> str:
    return host.replace(".", "[.]")


def defang(text: str) -> str:
    """Make every URL, bare domain and e-mail domain in the text non-clickable.

    `https://evil.example.com/x` -> `hxxps://evil[.]example[.]com/x`, `bit.ly/abc` ->
    `bit[.]ly/abc`, `joe@example.com` -> `joe@example[.]com`. Already defanged text is unchanged.
    """
    if not text:
        return ""

    def url_sub(m: re.Match[str]) -> str:
        value = m.group(0)
        scheme, sep, rest = value.partition("://")
        if not sep:
            scheme, rest = "", value
        host, slash, tail = rest.partition("/")
        out_scheme = re.sub(r"^http", "hxxp", scheme, flags=re.I) + "://" if sep else ""
        return out_scheme + _defang_host(host) + slash + tail

    def bare_sub(m: re.Match[str]) -> str:
        host = m.group(1)
        if not (_is_ip(host) or _registered(host)[0]):
            return m.group(0)
        return _defang_host(host) + (m.group(2) or "")

    def email_sub(m: re.Match[str]) -> str:
        return f"{m.group(1)}@{_defang_host(m.group(2))}"

    out = _URL.sub(url_sub, text)
    out = _EMAIL.sub(email_sub, out)
    pieces = re.split(r"(\S*\[\.\]\S*)", out)  # leave already-defanged tokens alone
    return "".join(p if "[.]" in p else _BARE.sub(bare_sub, p) for p in pieces)


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
    """sha256 of the whitespace- and case-normalised text (same as the ingest's content key)."""
    norm = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip().lower()
    return hashlib.sha256(norm.encode()).hexdigest()


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
        data["_links"] = [{**asdict(link), "url": defang(link.url)} for link in self.links]
        data["_language"] = self.language
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
        "abuse",
        "second_person",
        "pitch",
        "recruiting",
        "warm",
    )
}


def cue_counts(text: str) -> dict[str, int]:
    """How often each cue lexicon matches (memoised: the model and the signals share it)."""
    return dict(zip(CUES, _cue_tuple(text), strict=True))


@lru_cache(maxsize=4096)
def _cue_tuple(text: str) -> tuple[int, ...]:
    low = text.lower()
    return tuple(len(rx.findall(low)) for rx in CUES.values())


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
    sig.counts = cue_counts(full)
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
    low = text.lower()
    brands = [b for b in lx.BRANDS if len(b) >= 4 and b in low]
    if brands and links and not any(_is_brand_domain(link.domain, brands) for link in links):
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
