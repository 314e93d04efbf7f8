"""The fast paths of the links and fingerprints give exactly what the plain patterns give.

Phone numbers, link pre-checks and template fingerprints are computed with cheap pre-checks
(speed); each is compared here with the straightforward version on seed texts, tricky strings and
seeded random strings built from the characters that matter.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from functools import cache

from responder.classify import fingerprint as fp
from responder.classify import links as lk
from responder.classify.training.seedgen import load_seed

_PIECES = [
    *"0123456789+.-() \n\t,;:/@<>[]aAbBwWxXkK_'!",
    *["İ", "ı", "ſ", "K", "٣", "é", "Ä", "ß", "www.", "WWW.", "http://", "hxxps://", "://"],
    *["<a href='http://x.co'>y</a>", "[t](https://a.b/c)", "joe@ex.com", "0800", "+44", "123"],
    *["12345", "1.2.3.4", ".com", "bit.ly/x", " John", "a Smith", "hi ", "you ", "your ", "u r "],
    *["password", "gift card", "won ", "prize", "ur ", "Best regards\nX", "Dear Bob,", "FREE"],
    *["€5", "$ 5", "5 eur", "verify your account", "call now", "kind regards", "urgent"],
]
_TRICKY = [
    "",
    " ",
    "YOU WON!!! Call 0800 123 4567 or text WIN to 80082",
    "see <a href='http://paypa1.com/login'>paypal.com</a> now",
    "[click](https://bit.ly/x) VERIFY YOUR ACCOUNT!!!",
    "http://192.168.0.1/login verify password",
    "Müller schrieb: Ich möchte dich ÜBERWEISEN €500",
    "a.b c.d e.fr g.h 1.2.3.4 WWW.Example.COM x@y.z",
    "İstanbul ſtore KELVIN K ı",
    "call +44 (20) 7946-0958 or 555.123.4567 or 1800 123 456 or 98765 43210",
]


@cache
def _corpus() -> tuple[str, ...]:
    rng = random.Random(20261125)
    seed = [r["text"] for r in load_seed()][::3]
    texts = [*_TRICKY, *seed]
    for _ in range(3000):
        texts.append("".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 40))))
    for _ in range(1000):
        base = rng.choice(seed)
        cut = rng.randint(0, len(base))
        noise = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 6)))
        texts.append(base[:cut] + noise + base[cut:])
    return tuple(texts)


def test_has_phone_is_phone_search() -> None:
    for text in _corpus():
        assert lk.has_phone.__wrapped__(text) is (lk.PHONE.search(text) is not None), text


def test_maybe_link_is_the_original_pattern() -> None:
    original = re.compile(r"[a-z0-9]\.[a-z]{2}|://|\d\.\d", re.I)
    for text in _corpus():
        assert (lk._MAYBE_LINK.search(text) is None) is (original.search(text) is None), text


def test_link_prechecks_never_hide_a_match() -> None:
    for text in _corpus():
        assert lk.maybe_url(text) or not lk._URL.search(text), text
        assert lk.maybe_email(text) or not lk._EMAIL.search(text), text
        assert lk.maybe_bare(text) or not lk._BARE.search(text), text
        assert lk._maybe_anchor(text) or not lk._ANCHOR.search(text), text
        assert lk._maybe_markdown(text) or not lk._MARKDOWN.search(text), text


def _plain_fingerprint(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "")
    t = fp._SIGNOFF.sub("", fp._GREETING.sub("", t, count=1))
    t = lk._EMAIL.sub(" ", lk._URL.sub(" ", t))
    t = lk._BARE.sub(" ", t)
    t = re.sub(r"(?<=[a-z,;] )[A-ZÄÖÜÉÈÁÍÓÚ][\w'\-]+", " ", t)
    t = re.sub(r"\d+", " ", t.lower())
    tokens = re.findall(r"[^\W\d_]+", t)
    return hashlib.sha256(" ".join(tokens).encode()).hexdigest()[:32]


def test_template_fingerprint_matches_the_plain_version() -> None:
    for text in _corpus():
        assert fp.template_fingerprint(text) == _plain_fingerprint(text), text


def _plain_links(text: str) -> tuple[lk.Link, ...]:
    """Link extraction without the pre-checks."""
    if not lk._MAYBE_LINK.search(text):
        return ()
    links: list[lk.Link] = []
    seen: set[str] = set()
    for raw, display in (
        *(
            (lk.html.unescape(m.group(1)), lk._TAG.sub("", m.group(2)).strip() or None)
            for m in lk._ANCHOR.finditer(text)
        ),
        *((m.group(2), m.group(1)) for m in lk._MARKDOWN.finditer(text)),
    ):
        link = lk._make_link(raw, display)
        if link and link.url not in seen:
            seen.add(link.url)
            links.append(link)
    rest = lk._MARKDOWN.sub(" ", lk._ANCHOR.sub(" ", text))
    found = [m.group(0) for m in lk._URL.finditer(rest)]
    rest = lk._URL.sub(" ", lk._EMAIL.sub(" ", rest))
    found += [m.group(0) for m in lk._BARE.finditer(rest)]
    for raw in found:
        link = lk._make_link(raw)
        if link and link.url not in seen:
            seen.add(link.url)
            links.append(link)
    return tuple(links)


def test_links_match_the_plain_extraction() -> None:
    for text in _corpus():
        assert lk._links_cached.__wrapped__(text) == _plain_links(text), text


def test_url_pattern_is_the_case_insensitive_original() -> None:
    original = re.compile(r"(?:https?://|hxxps?://|www\.)[^\s<>\"'()\[\]]+", re.I)
    extra = ["http://a", "HTTPS://x.y/z", "hxxp://b", "hTtPſ://c", "www.d", "WwW.e", "ſ", "H"]
    rng = random.Random(7)
    texts = [*_corpus(), *extra]
    texts += [
        "".join(rng.choice([*extra, " ", "(", "'", "s"]) for _ in range(9)) for _ in range(500)
    ]
    for text in texts:
        assert [m.span() for m in lk._URL.finditer(text)] == [
            m.span() for m in original.finditer(text)
        ], text
    # The letters spelled out are exactly those re.I matches ("ſ" for "s"), and no character
    # outside them is folded onto them.
    for letter, spelled in {
        "h": "hH",
        "t": "tT",
        "p": "pP",
        "s": "sSſ",
        "x": "xX",
        "w": "wW",
    }.items():
        folded = re.compile(letter, re.I)
        assert {ch for ch in _all_cased() if folded.fullmatch(ch)} == set(spelled)


@cache
def _all_cased() -> tuple[str, ...]:
    return tuple(ch for ch in map(chr, range(0x110000)) if ch.lower() != ch.upper() or ch == "ſ")
