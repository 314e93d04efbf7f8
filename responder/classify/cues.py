"""Cue counts: how often each lexicon of `lexicon.yaml` matches a message.

Matched on lower-cased text at word starts with plain compiled `re` patterns. Most lexicons are
scanned together in one alternation, lexicon after lexicon, so where two lexicons match at the
same place the first listed wins (a handful of messages lose a cue that way; the model is trained
on the same counts); a few that overlap the others and that the safety rules rely on are matched
one by one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from responder.classify import lexicon as lx

#: The lexicons counted as cues, in the order the combined scan tries them.
CUE_NAMES: tuple[str, ...] = (
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
#: Cues, the intent features and the n-grams look at the first characters only (speed; the message
#: is stored whole and links are extracted from all of it).
FEATURE_CHARS = 2000


def _alternatives(words: list[str]) -> list[str]:
    """A lexicon's fragments, with the leading \\b dropped (the patterns start with (?<!\\w))."""
    return [w[2:] if w.startswith(r"\b") else w for w in words]


def compile_lexicon(words: list[str], whole_words: bool = False) -> re.Pattern[str]:
    """One pattern per lexicon, matched on lower-cased text at word starts (fast: no re.I);
    `whole_words` also requires a word end ("mate" does not match "material")."""
    end = r"(?!\w)" if whole_words else ""
    return re.compile(r"(?<!\w)(?:" + "|".join(_alternatives(words)) + r")" + end)


CUES: dict[str, re.Pattern[str]] = {name: compile_lexicon(lx.LEXICONS[name]) for name in CUE_NAMES}
#: Matched one by one: they overlap the other lexicons ("verify YOUR account", "KYC") and the
#: safety rules rely on them.
_SEPARATE = ("second_person", "urgency", "warm", "account_block", "premium_cta")
_COMBINED = tuple(name for name in CUE_NAMES if name not in _SEPARATE)
_INDEX = {name: i for i, name in enumerate(CUE_NAMES)}


def _group(name: str) -> str:
    return f"(?P<{name}>" + "|".join(_alternatives(lx.LEXICONS[name])) + ")"


#: The combined scan: one named group per lexicon; the group that matched names the lexicon.
_COMBINED_SCAN = re.compile(r"(?<!\w)(?:" + "|".join(_group(n) for n in _COMBINED) + ")")
_SEPARATE_SCANS = tuple((_INDEX[name], CUES[name]) for name in _SEPARATE)


def cue_counts(text: str) -> dict[str, int]:
    """How often each cue lexicon matches (memoised: the model and the signals share it)."""
    return dict(zip(CUE_NAMES, _cue_tuple(text), strict=True))


@lru_cache(maxsize=16384)
def _cue_tuple(text: str) -> tuple[int, ...]:
    low = text.lower()
    counts = [0] * len(CUE_NAMES)
    for m in _COMBINED_SCAN.finditer(low):
        counts[_INDEX[m.lastgroup or ""]] += 1
    for index, pattern in _SEPARATE_SCANS:
        counts[index] = sum(1 for _m in pattern.finditer(low))
    return tuple(counts)


_FRIENDLY = compile_lexicon(lx.FRIENDLY, whole_words=True)
_SELF = compile_lexicon(lx.SELF_REFERENCE, whole_words=True)
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
