"""Links: extraction, normalisation, look-alike and disguised domains, defanging.

Domains are parsed with `tldextract`'s bundled public-suffix snapshot (it never fetches).
`responder.classify.signals` re-exports the public names.
"""

from __future__ import annotations

import html
import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from responder.classify import lexicon as lx

#: `(?:https?://|hxxps?://|www\.)[^\s<>\"'()\[\]]+` case-insensitive, spelled out without re.I
#: (which also matches "ſ" for "s") so that every alternative starts with a plain character: `re`
#: then jumps between h, H, w and W instead of trying every position (several times faster).
_URL_SCHEME = r"(?:[tT][tT]|[xX][xX])[pP][sS\u017f]?://"
_URL = re.compile(rf"(?:h{_URL_SCHEME}|H{_URL_SCHEME}|w[wW][wW]\.|W[wW][wW]\.)[^\s<>\"'()\[\]]+")
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

# --- cheap tests before the patterns above ------------------------------------------------------
# Each pattern scans the whole text; these say, in one fast pass, when it cannot match (a URL needs
# "://" or "www.", an e-mail "@", a bare domain or IP a dot before a letter or digit, ...), so the
# result is the same and the scan is skipped for most messages.
_DOT_THEN_ALNUM = re.compile(r"\.(?:[a-z]|\d)", re.I)  # what every _BARE match contains


def maybe_url(text: str) -> bool:
    """False when `_URL` cannot match `text` (it needs "://" or, in any case, "www.")."""
    return "://" in text or ("." in text and "www." in text.lower())


def maybe_email(text: str) -> bool:
    """False when `_EMAIL` cannot match `text`."""
    return "@" in text


def maybe_bare(text: str) -> bool:
    """False when `_BARE` cannot match `text`."""
    return "." in text and _DOT_THEN_ALNUM.search(text) is not None


def _maybe_anchor(text: str) -> bool:
    return "<a" in text or "<A" in text


def _maybe_markdown(text: str) -> bool:
    return "](" in text


_PLUS_DIGIT = re.compile(r"\+\d")
_DIGIT_RUN = re.compile(r"\d{3,}")


@lru_cache(maxsize=4096)
def has_phone(text: str) -> bool:
    """`PHONE.search(text) is not None`, faster (memoised: the signals and the intent features
    both ask). Every PHONE match starts at a "+" before a digit or at the start of a run of at
    least three digits; PHONE is tried at those places only."""
    match = PHONE.match
    for m in _DIGIT_RUN.finditer(text):
        if match(text, m.start()):
            return True
    if "+" in text:
        for m in _PLUS_DIGIT.finditer(text):
            if match(text, m.start()):
                return True
    return False


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


@lru_cache(maxsize=8192)
def _is_ip(host: str) -> bool:
    """Whether `host` is an IP address (memoised: parsing raises for every other host)."""
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


@lru_cache(maxsize=8192)
def lookalike_brand(host: str) -> str | None:
    """The brand a host imitates without being one of the brand's real domains, if any
    (memoised: the same hosts come back again and again)."""
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
    lured = any(w in tokens or w in sub_tokens for w in lx.LURE_WORDS)
    for brand in lx.BRANDS:
        if joined == brand or (brand in tokens and len(tokens) > 1):
            return brand
        if brand in joined and any(joined in (brand + w, w + brand) for w in lx.LURE_WORDS):
            return brand
        if lured and brand in sub_tokens:
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


#: Whether a text may hold a link: `[a-z0-9]\.[a-z]{2}|://|\d\.\d` (case-insensitive), written to
#: start at the "." or ":" so that `re` jumps between those characters instead of trying everywhere.
_MAYBE_LINK = re.compile(r"://|\.(?:(?<=[a-z0-9]\.)[a-z]{2}|(?<=\d\.)\d)", re.I)


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

    rest = text
    if _maybe_anchor(text):
        for m in _ANCHOR.finditer(text):
            add(_make_link(html.unescape(m.group(1)), _TAG.sub("", m.group(2)).strip() or None))
        rest = _ANCHOR.sub(" ", rest)
    if _maybe_markdown(text):
        for m in _MARKDOWN.finditer(text):
            add(_make_link(m.group(2), m.group(1)))
        rest = _MARKDOWN.sub(" ", rest)
    if maybe_url(rest):
        for m in _URL.finditer(rest):
            add(_make_link(m.group(0)))
    if maybe_email(rest):
        rest = _EMAIL.sub(" ", rest)
    if maybe_url(rest):
        rest = _URL.sub(" ", rest)
    if maybe_bare(rest):
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
