"""Template fingerprints and content keys: near-duplicate detection for campaigns and drafts."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from responder.classify.links import _BARE, _EMAIL, _URL, maybe_bare, maybe_email, maybe_url
from responder.ingest.base import content_hash as ingest_hash

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
