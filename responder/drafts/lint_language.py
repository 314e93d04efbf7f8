"""Language checks of the draft lint: the script a draft is written in, its core text (without
greeting and signature) and the function words that overrule a shaky statistical detector."""

from __future__ import annotations

import re
import unicodedata


def script_problem(body: str) -> str | None:
    """Drafts in the supported languages use Latin script; a reply in another script means the
    model switched language."""
    if body.isascii():  # every ASCII letter is Latin (and naming each letter is slow)
        return None
    letters = [c for c in body if c.isalpha()]
    foreign = [c for c in letters if not unicodedata.name(c, "").startswith("LATIN")]
    if len(foreign) >= 5 and len(foreign) > 0.2 * len(letters):
        script = unicodedata.name(foreign[0], "?").split(" ")[0].title()
        return f"written in {script} script, not in the language of the message"
    return None


def core_text(text: str) -> str:
    """The draft without its greeting line and a short signature block (names, closings)."""
    lines = text.strip().splitlines()
    if lines and len(lines[0]) <= 60 and lines[0].rstrip().endswith((",", ":", "!")):
        lines = lines[1:]
    blocks = "\n".join(lines).strip().split("\n\n")
    last = blocks[-1].splitlines()
    if len(blocks) > 1 and len(last) <= 3 and all(len(x) <= 40 for x in last):
        blocks = blocks[:-1]
    return "\n\n".join(blocks)


def _vocab(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _vocab(
        "the a an and or but to of for in on at with you your i me my we our is are "
        "was be it this that not no thanks thank will would have has there"
    ),
    "de": _vocab(
        "der die das und oder aber zu von für mit sie ihr ihre ich mich mein wir uns "
        "ist sind war nicht kein keine danke vielen grüße habe hat auf an im dass"
    ),
    "fr": _vocab(
        "le la les et ou mais à de des du pour avec vous votre je me mon nous est sont "
        "pas ne merci une un ce cette que qui en au"
    ),
    "es": _vocab(
        "el la los las y o pero a de del para con usted su yo me mi nosotros es son "
        "no gracias una un este esta que en al por muy"
    ),
}


def function_words_agree(text: str, expected: str, found: str) -> bool:
    """True when the text's function words say it is in `expected` after all (the statistical
    detector is unreliable on a few short sentences)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if expected not in _FUNCTION_WORDS or not words:
        return False
    hits = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    if found in hits:
        return hits[expected] > hits[found]
    return hits[expected] >= 3 and hits[expected] >= 0.2 * len(words)
