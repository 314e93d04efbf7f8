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
    has_phone,
    lookalike_brand,
    maybe_bare,
    maybe_email,
    maybe_url,
)
from responder.ingest.base import content_hash as ingest_hash

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


#: Capitalised words not at a sentence start are usually names and companies. Matched from the
#: space before them (replaced by two spaces): the same result as `(?<=[a-z,;] )[A-Z...][\w'\-]+`
#: -> " ", but `re` jumps from space to space instead of trying every position.
_NAME = re.compile(r" (?<=[a-z,;] )[A-ZÄÖÜÉÈÁÍÓÚ][\w'\-]+")
_LETTERS = re.compile(r"[^\W\d_]+")


def template_fingerprint(text: str) -> str:
    """A near-duplicate key: greetings, sign-offs, names, numbers, links and e-mails removed."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _SIGNOFF.sub("", _GREETING.sub("", t, count=1))
    if maybe_url(t):
        t = _URL.sub(" ", t)
    if maybe_email(t):
        t = _EMAIL.sub(" ", t)
    if maybe_bare(t):
        t = _BARE.sub(" ", t)
    t = _NAME.sub("  ", t)
    # Numbers go too: the tokens are runs of letters, so digits never reach them.
    tokens = _LETTERS.findall(t.lower())
    return hashlib.sha256(" ".join(tokens).encode()).hexdigest()[:32]


def content_hash(text: str) -> str:
    """The ingest's content key (sha256 of the whitespace- and case-normalised body)."""

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


def _alternatives(words: list[str]) -> list[str]:
    """A lexicon's regex fragments, with the leading \\b dropped (the patterns start with (?<!\\w))."""
    return [w[2:] if w.startswith(r"\b") else w for w in words]


def _compile(words: list[str], whole_words: bool = False) -> re.Pattern[str]:
    """One pattern per lexicon, matched on lower-cased text at word starts (fast: no re.I);
    `whole_words` also requires a word end ("mate" does not match "material")."""
    end = r"(?!\w)" if whole_words else ""
    return re.compile(r"(?<!\w)(?:" + "|".join(_alternatives(words)) + r")" + end)


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
#: The other lexicons, scanned together: one alternation, lexicon after lexicon, so where two
#: lexicons match at the same place the first listed wins (a handful of messages lose a cue that
#: way; the model is trained on the same counts).
_COMBINED = tuple(name for name in CUES if name not in _SEPARATE)


# --- fast lexicon scans --------------------------------------------------------------------------
# A regex alternation of hundreds of fragments is slow in `re`: at every word start each fragment
# is tried in turn. `_dispatch` rewrites an alternation into the same alternation grouped by first
# character (`p(?:assword|in\b|...)|v(?:...)`), keeping the order of the fragments that can start
# with each character, so every match (start, end, and which fragment wins) is unchanged; `re`
# then skips to the one group that fits. The rewrite uses `re`'s own parser; a fragment it cannot
# take apart (a capturing group, a back-reference) is kept whole, in its place.


class _Unsupported(ValueError):
    pass


def _re_parts() -> tuple[Any, Any]:
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser as p  # type: ignore[attr-defined]

    return c, p


def _unparse(seq: Any, c: Any) -> str:
    """Regex text of a parsed sequence (the subset of syntax the lexicons use)."""
    categories = {
        c.CATEGORY_DIGIT: r"\d",
        c.CATEGORY_NOT_DIGIT: r"\D",
        c.CATEGORY_SPACE: r"\s",
        c.CATEGORY_NOT_SPACE: r"\S",
        c.CATEGORY_WORD: r"\w",
        c.CATEGORY_NOT_WORD: r"\W",
    }
    anchors = {c.AT_BOUNDARY: r"\b", c.AT_NON_BOUNDARY: r"\B", c.AT_BEGINNING_STRING: r"\A"}
    anchors |= {c.AT_END_STRING: r"\Z", c.AT_BEGINNING: "^", c.AT_END: "$"}

    def member(op: Any, av: Any) -> str:
        if op is c.LITERAL:
            ch = chr(av)
            return "\\" + ch if ch in "\\]^-[" else re.escape(ch)
        if op is c.RANGE:
            return member(c.LITERAL, av[0]) + "-" + member(c.LITERAL, av[1])
        if op is c.CATEGORY and av in categories:
            return categories[av]
        raise _Unsupported(str(op))

    out = []
    for op, av in seq:
        if op is c.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is c.NOT_LITERAL:
            out.append("[^" + member(c.LITERAL, av) + "]")
        elif op is c.ANY:
            out.append(".")
        elif op is c.IN:
            negate = bool(av) and av[0][0] is c.NEGATE
            body = "".join(member(o, a) for o, a in (av[1:] if negate else av))
            out.append("[" + ("^" if negate else "") + body + "]")
        elif op is c.BRANCH:
            out.append("(?:" + "|".join(_unparse(alt, c) for alt in av[1]) + ")")
        elif op is c.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
            out.append("(?:" + _unparse(av[3], c) + ")")
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, high, sub = av
            if high is c.MAXREPEAT:
                quant = "*" if low == 0 else "+" if low == 1 else f"{{{low},}}"
            elif (low, high) == (0, 1):
                quant = "?"
            else:
                quant = f"{{{low}}}" if low == high else f"{{{low},{high}}}"
            quant += "?" if op is c.MIN_REPEAT else "+" if op is c.POSSESSIVE_REPEAT else ""
            out.append("(?:" + _unparse(sub, c) + ")" + quant)
        elif op is c.AT and av in anchors:
            out.append(anchors[av])
        elif op in (c.ASSERT, c.ASSERT_NOT):
            direction, sub = av
            kind = ("=" if op is c.ASSERT else "!") if direction == 1 else ""
            kind = kind or ("<=" if op is c.ASSERT else "<!")
            out.append("(?" + kind + _unparse(sub, c) + ")")
        else:
            raise _Unsupported(str(op))
    return "".join(out)


def _expand(seq: list[Any], c: Any) -> list[tuple[int | None, list[Any]]]:
    """`seq` as an ordered list of (first character, rest) with the same matches in the same
    order; (None, seq) where the start is not a plain character (kept whole)."""
    if not seq:
        return [(None, [])]
    (op, av), rest = seq[0], list(seq[1:])
    if op is c.LITERAL:
        return [(av, rest)]
    if op is c.BRANCH:  # (a|b)r == ar|br
        return [x for alt in av[1] for x in _expand([*alt, *rest], c)]
    if op is c.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
        return _expand([*av[3], *rest], c)
    if op is c.MAX_REPEAT and (av[0], av[1]) == (0, 1):  # greedy a?r == ar|r
        return _expand([*av[2], *rest], c) + _expand(rest, c)
    if op is c.IN and av and all(o is c.LITERAL for o, _a in av):  # [ab]r == ar|br
        return [(a, rest) for _o, a in av]
    return [(None, list(seq))]


def _may_start_with(seq: list[Any], char: int, c: Any) -> bool:
    """Whether `seq` could match text starting with `char` (True when unsure)."""
    if not seq:
        return True
    op, av = seq[0]
    if op is c.IN and list(av) == [(c.CATEGORY, c.CATEGORY_DIGIT)]:
        return chr(char).isdecimal()
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _may_start_with(list(av[2]), char, c)
    return True


def _dispatch(seqs: list[list[Any]], c: Any, depth: int) -> str:
    """The alternation of `seqs` (in order), grouped by first character `depth` levels deep."""
    slots: list[tuple[int | None, list[list[Any]]]] = []
    open_: dict[int, list[list[Any]]] = {}
    for seq in seqs:
        for first, rest in _expand(seq, c):
            if first is None:  # kept whole: what may start like it must not move past it
                slots.append((None, [rest]))
                for char in [ch for ch in open_ if _may_start_with(rest, ch, c)]:
                    del open_[char]
                continue
            group = open_.get(first)
            if group is None:
                group = open_[first] = []
                slots.append((first, group))
            group.append(rest)
    parts = []
    for first, group in slots:
        if first is None:
            parts.append(_unparse(group[0], c))
        elif depth > 1 and len(group) > 1:
            parts.append(re.escape(chr(first)) + "(?:" + _dispatch(group, c, depth - 1) + ")")
        else:
            body = "|".join(_unparse(rest, c) for rest in group)
            parts.append(re.escape(chr(first)) + "(?:" + body + ")")
    return "|".join(parts)


def _fast_body(words: list[str], depth: int = 2) -> str:
    """The alternation of `words` (fragments) rewritten by `_dispatch`, or as it is."""
    alternatives = _alternatives(words)
    try:
        c, parser = _re_parts()
        return _dispatch([list(parser.parse(w).data) for w in alternatives], c, depth)
    except (ImportError, AttributeError, _Unsupported, re.error):
        return "|".join(alternatives)


def _fast(words: list[str]) -> re.Pattern[str]:
    """The same matches as `_compile(words)` (same starts, ends and counts), faster."""
    return re.compile(r"(?<!\w)(?:" + _fast_body(words) + ")")


#: How many characters of a match `_starts` describes.
_START_CHARS = 3


def _starts(words: list[str]) -> tuple[tuple[str, ...], bool] | None:
    """What a lexicon's matches start with: (literal prefixes of up to `_START_CHARS` characters
    one of which every match starts with, whether a match may also start with any decimal digit),
    or None when that is not known."""
    try:
        c, parser = _re_parts()
        prefixes: set[str] = set()
        digits = False
        for w in _alternatives(words):
            for first, rest in _expand(list(parser.parse(w).data), c):
                if first is not None:
                    more = _prefixes(rest, c, _START_CHARS - 1)
                    prefixes |= {chr(first) + m for m in more} if more else {chr(first)}
                elif rest and not _may_start_with(rest, ord("a"), c):  # starts with a digit
                    digits = True
                else:
                    return None
    except (ImportError, AttributeError, re.error):
        return None
    return tuple(sorted(prefixes)), digits


def _prefixes(seq: list[Any], c: Any, size: int) -> set[str] | None:
    """The literal prefixes (up to `size` characters) `seq` can start with; None: not known."""
    if size == 0:
        return {""}
    out: set[str] = set()
    for first, rest in _expand(seq, c):
        if first is None:
            if rest:
                return None
            out.add("")  # the match may end here
            continue
        more = _prefixes(rest, c, size - 1)
        out |= {chr(first) + m for m in more} if more is not None else {chr(first)}
    return out


def _never_empty(words: list[str]) -> bool:
    """Whether no fragment can match the empty string (so scans never stall on a position)."""
    try:
        _c, parser = _re_parts()
        return all(parser.parse(w).getwidth()[0] > 0 for w in _alternatives(words))
    except (ImportError, AttributeError, re.error):
        return False


# Counting. Each separate lexicon counts like `finditer` on its own (matches do not overlap), and
# the combined ones like `finditer` on their alternation, each match going to the first lexicon,
# in order, that matches at its start (that lexicon holds the fragment that won, and its own match
# ends where the alternation's does). One scan finds the word starts where any lexicon matches (a
# look-ahead, so it skips nothing); at those few places each scan is replayed: a lexicon counts a
# match there unless its previous match covers the place.
_FAST = {name: _fast(getattr(lx, name.upper())) for name in CUES}
_STARTS = {name: _starts(getattr(lx, name.upper())) for name in CUES}
#: The scans: (the cue indexes and match functions it tries, in order), combined ones first.
_SCANS: tuple[tuple[str, ...], ...] = (_COMBINED, *((name,) for name in _SEPARATE))
#: Word starts where some lexicon matches (zero-width: `finditer` then yields every such place).
_ANY_CUE = re.compile(
    r"(?<!\w)(?=" + _fast_body([w for name in CUES for w in getattr(lx, name.upper())]) + ")"
)
_REPLAY = all(_never_empty(getattr(lx, name.upper())) for name in CUES)


def _may_match_at(name: str, start: str) -> bool:
    """Whether lexicon `name` may match text that starts with `start` (its next characters)."""
    found = _STARTS[name]
    if found is None:
        return True
    prefixes, digits = found
    return start.startswith(prefixes) or (digits and start[:1].isdecimal())


@lru_cache(maxsize=16384)
def _scans_at(start: str) -> tuple[tuple[int, tuple[tuple[int, Any], ...]], ...]:
    """The scans that may match at text starting with `start` (`_START_CHARS` characters):
    (scan number, ((cue index, match function), ...)), lexicons in order."""
    out = []
    for number, names in enumerate(_SCANS):
        tries = tuple(
            (_INDEX[name], _FAST[name].match) for name in names if _may_match_at(name, start)
        )
        if tries:
            out.append((number, tries))
    return tuple(out)


@lru_cache(maxsize=16384)
def _cue_tuple(text: str) -> tuple[int, ...]:
    low = text.lower()
    counts = [0] * len(CUES)
    if not _REPLAY:  # pragma: no cover - a lexicon fragment that can match nothing
        return _cue_tuple_plain(low)
    free = [0] * len(_SCANS)  # where each scan may match next
    for m in _ANY_CUE.finditer(low):
        at = m.start()
        for number, tries in _scans_at(low[at : at + _START_CHARS]):
            if at < free[number]:
                continue
            for index, match in tries:
                found = match(low, at)
                if found:
                    counts[index] += 1
                    free[number] = found.end()
                    break
    return tuple(counts)


def _cue_tuple_plain(low: str) -> tuple[int, ...]:
    """`_cue_tuple` by one `finditer` per scan (what the replay reproduces)."""
    counts = [0] * len(CUES)
    for names, pattern in zip(_SCANS, _scan_patterns(), strict=True):
        for m in pattern.finditer(low):
            for name in names:
                if _FAST[name].match(low, m.start()):
                    counts[_INDEX[name]] += 1
                    break
    return tuple(counts)


@lru_cache(maxsize=1)
def _scan_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(_fast([w for n in names for w in getattr(lx, n.upper())]) for names in _SCANS)


_FRIENDLY = _compile(lx.FRIENDLY, whole_words=True)
_SELF = _compile(lx.SELF_REFERENCE, whole_words=True)
#: A single rude word counts as aimed at the reader only in a message this short.
DIRECTED_MAX_WORDS = 12
#: Two or more rude words count as aimed at the reader in a message up to this long.
DIRECTED_MAX_WORDS_MANY = 40


def directed_abuse(text: str, counts: dict[str, int]) -> bool:
    """Abuse aimed at the reader: two or more abusive terms, or one in a short message that
    addresses "you"; never when friendly markers (lol, jk, a kiss) or self-blame ("I'm such an
    idiot") show banter."""
    low = text.lower()
    if _FRIENDLY.search(low) or _SELF.search(low):
        return False
    words, abuse = len(low.split()), counts.get("abuse", 0)
    if abuse >= 2 and words <= DIRECTED_MAX_WORDS_MANY:
        return True
    return bool(abuse and counts.get("second_person", 0) and words <= DIRECTED_MAX_WORDS)


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
