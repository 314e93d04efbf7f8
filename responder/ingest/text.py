"""Turning message content into plain text: HTML to text, mojibake repair, decoding bytes.

HTML is converted with the standard library's `HTMLParser` (no recursion, so deeply nested markup
cannot blow the stack): block elements and `<br>` become line breaks, list items get "- ",
`<script>`/`<style>` are dropped, and a link keeps its target as "text (url)" because the target
is evidence for phishing detection. Mojibake (UTF-8 read as Latin-1/cp1252, e.g. "CafÃ©") is
repaired with `ftfy.fix_encoding`, which only undoes encoding mix-ups and leaves quotes and other
characters alone; ASCII text skips it entirely (fast path for large exports).
"""

from __future__ import annotations

import codecs
import html
import re
from html.parser import HTMLParser

import ftfy

_HTML_HINT = re.compile(
    r"<\s{0,5}(?:p|br|div|span|a|ul|ol|li|b|strong|i|em|u|html|body|table|tr|td|h[1-6]|font|img)"
    r"\b[^<>]{0,1000}>"
    r"|</\s*(?:p|div|span|a|b|strong|i|em|li|ul|ol|font|td|tr|table|body|html)\s*>",
    re.IGNORECASE,
)
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer",
}  # fmt: skip
_SKIP = {"script", "style", "head", "title"}
_UNCLOSED = re.compile(r"<(?![^<>]{0,2000}>)")
#: Longer texts are not repaired (ftfy costs ~1.5 s per MB); the raw record keeps them as read.
MAX_MOJIBAKE_CHARS = 1_000_000
_MOJIBAKE_HINT = re.compile(
    "[ÃÂâÅÐÑ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._href: list[str | None] = []
        self._link_text_start: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")
        elif tag == "a":
            self._href.append(dict(attrs).get("href"))
            self._link_text_start.append(len(self.parts))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.parts.append("\n")
        elif tag != "a":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK and tag not in ("br", "li"):
            self.parts.append("\n")
        elif tag == "a" and self._href:
            href = (self._href.pop() or "").strip()
            start = self._link_text_start.pop()
            text = "".join(self.parts[start:]).strip()
            skip = not href or href.lower().startswith(("mailto:", "javascript:", "#"))
            if not skip and href.rstrip("/") not in text:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    return "<" in text and _HTML_HINT.search(text) is not None


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment or document, keeping line breaks and link targets."""
    # HTMLParser rescans to the end of the input for every "<" that never closes (quadratic on
    # hostile input): escape those first, in one bounded pass.
    markup = _UNCLOSED.sub("&lt;", markup)
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient; anything odd falls back to unescape
        return html.unescape(re.sub(r"<[^<>]{0,2000}>", " ", markup))
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def fix_mojibake(text: str) -> str:
    """Undo double-encoded UTF-8 ("Ã©" -> "é"); plain text is returned unchanged."""
    if not text or len(text) > MAX_MOJIBAKE_CHARS or text.isascii():
        return text
    if not _MOJIBAKE_HINT.search(text):
        return text
    try:
        return ftfy.fix_encoding(text)
    except Exception:  # noqa: BLE001 - ftfy must never cost us the message
        return text


def to_plain_text(content: str) -> str:
    """Content as stored: mojibake repaired, HTML converted, line endings normalised."""
    text = fix_mojibake(content.replace("\r\n", "\n").replace("\r", "\n"))
    if looks_like_html(text):
        text = html_to_text(text)
    return text.strip()


def sniff_encoding(head: bytes) -> str:
    """The codec to read a text file with, from its first bytes: BOMs first, then UTF-8 if the
    head decodes as UTF-8 (allowing a cut multi-byte character at the end), else cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"
