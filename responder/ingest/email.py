"""E-mail: `.eml`, `.mbox`, and single mails from the IMAP poller (`parse_email_bytes`).

Parsing uses the standard library: the MIME structure with the fast legacy `compat32` policy,
the headers we use with `policy.default` (encoded words, addresses) when they are of sane length,
since its header parser is superlinear on hostile 100 kB headers. The MIME tree is walked
iteratively with a depth and part cap, and a parser `RecursionError` on absurdly nested input
falls back to the headers plus the undecoded text, so no mail can crash or hang the import. The
body is the first inline `text/plain` part, else the first `text/html` converted to text.

Decisions:
- `source_id` is the Message-ID without angle brackets; a mail without one gets
  "sha256:<hash of the raw bytes>" so re-importing it is still a duplicate.
- The conversation is the first id in References (the thread root), else In-Reply-To, else the
  mail's own id; Message-ID, References and Reply-To are kept for threading replies.
- LinkedIn notification mails (`"Name via LinkedIn" <inmail-hit-reply@linkedin.com>`,
  `hit-reply@linkedin.com`, or any linkedin.com sender with an `X-LinkedIn-Class` header) keep
  the source the caller gave ("email", or "imap" from the poller) so that dedup by Message-ID
  stays one rule; the flag is the untouched `X-LinkedIn-Class` header in `raw`. What changes:
  the sender is the real person ("Name", their /in/ profile URL when the mail links it, never
  the shared relay address, which would merge everyone into one sender), the headline line under
  the name is taken as their headline, the LinkedIn thread linked in the mail becomes the
  conversation (with its messaging URL, so the reply can be made on LinkedIn), and LinkedIn's
  buttons and footer are stripped from the body.
- The sender's own address deciding direction ("out") is the store's job (`profile.emails`).
- A mail without a Date header is dated at import time.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import IO

from responder.ingest.base import (
    ParsedMessage,
    RowError,
    clean_text,
    ensure_utc,
    normalize_profile_url,
)
from responder.ingest.linkedin_export import thread_url
from responder.ingest.text import html_to_text

log = logging.getLogger(__name__)
MAX_DEPTH = 30
MAX_PARTS = 500
MAX_MAIL_BYTES = 64 * 1024 * 1024
#: Headers longer than this skip policy.default's parser (100 kB took it 10 s).
MAX_PARSED_HEADER = 2000
MAX_HEADER_CHARS = 8000
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_LINKEDIN_RELAYS = {"inmail-hit-reply@linkedin.com", "hit-reply@linkedin.com"}
_PROFILE = re.compile(
    r"https?://(?:[a-z]{2,3}\.|www\.)?linkedin\.com/(?:comm/)?in/([\w\-%]+)", re.I
)
_FOOTER = re.compile(
    r"^\s*(?:this (?:e-?mail|message) was intended for|you are receiving|you're receiving|"
    r"unsubscribe|learn why we included this|©\s*\d{4}\s*linkedin|linkedin corporation|"
    r"help:\s*https?://|linkedin and the linkedin logo)",
    re.I,
)
_BUTTON = re.compile(
    r"^\s*(?:(?:view (?:profile|message|conversation|inmail)|see (?:all messages|conversation)|"
    r"reply|reply now|reply to [^:]{1,80}|accept|ignore|not interested|interested\??)"
    r"(?:\s*:?\s*<?https?://\S*)?|<?https?://\S*linkedin\.com/\S*|\[?linkedin\]?|-{3,}|_{3,})\s*$",
    re.I,
)
_THREAD = re.compile(r"linkedin\.com/(?:comm/)?messaging/thread/([\w\-=.~%]{1,200})", re.I)
_RE_PREFIX = re.compile(r"^\s*(?:(?:re|aw|fw|fwd|wg|tr)\s*:\s*)+", re.I)


def parse_email_bytes(data: bytes, *, source: str = "email", origin: str = "") -> ParsedMessage:
    """One mail as a message. Never raises for malformed input: a mail without text gets a
    placeholder body naming its attachments."""
    msg = _parse(data)
    from_name, from_addr = _address(msg, "from")
    headers = {k.lower(): _header(msg, k) for k in ("message-id", "references", "in-reply-to")}
    message_id = headers["message-id"].strip()
    bare_id = message_id.strip().strip("<>").strip()
    body, attachments = _body(msg)
    body = clean_text(body)
    linkedin = _is_linkedin(msg, from_name, from_addr)
    profile_url = headline = thread = None
    if linkedin:
        name = from_name[:300].strip()
        from_name = name[:-13].strip() if name.lower().endswith(" via linkedin") else name
        match = _THREAD.search(body)
        thread = match.group(1) if match else None
        body, profile_url, headline = _strip_linkedin(body, from_name)
    if not body.strip():
        body = f"[no text; attachments: {', '.join(attachments)}]" if attachments else "[no text]"
    refs = headers["references"] or headers["in-reply-to"]
    root = thread or (refs.split() or [""])[0].strip("<>") or bare_id
    subject = clean_text(_header(msg, "subject")).strip() or None
    reply_to = _address(msg, "reply-to")[1] or (None if linkedin else from_addr) or None
    return ParsedMessage(
        source=source,
        source_id=bare_id[:500] if bare_id else "sha256:" + hashlib.sha256(data).hexdigest(),
        body=body,
        sent_at=_date(msg) or datetime.now(UTC),
        sender_name=clean_text(from_name or from_addr or ""),
        sender_profile_url=profile_url,
        sender_email=None if linkedin else (from_addr or None),
        sender_headline=headline,
        subject=subject,
        conversation_id=clean_text(root) or None,
        conversation_title=_RE_PREFIX.sub("", subject or "") or None,
        conversation_url=thread_url(thread) if thread else None,
        recipients=[a for _n, a in _addresses(msg, "to", "cc") if a],
        raw=clean_text(data.decode("utf-8", errors="replace")),
        email_message_id=clean_text(message_id) or None,
        email_references=clean_text(refs) or None,
        reply_to=clean_text(reply_to) or None,
        file=origin,
        line=1,
    )


def _parse(data: bytes) -> Message:
    try:
        return BytesParser(policy=compat32).parsebytes(data)
    except RecursionError:
        log.warning("mail nested too deeply for the MIME parser; reading headers only")
        msg = BytesHeaderParser(policy=compat32).parsebytes(data)
        text = data.split(b"\r\n\r\n", 1) if b"\r\n\r\n" in data else data.split(b"\n\n", 1)
        msg.set_payload(text[-1].decode("utf-8", errors="replace") if len(text) > 1 else "")
        del msg["content-type"]
        del msg["content-transfer-encoding"]
        return msg


def _header(msg: Message, name: str) -> str:
    """A header decoded by `policy.default` (encoded words, address syntax); a header too long
    for that parser (it is superlinear) or one it refuses is decoded word by word instead."""
    raws = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
    if not raws or not isinstance(raws[0], str):
        return str(raws[0]) if raws else ""
    raw = _FOLD.sub(" ", raws[0])
    if len(raw) <= MAX_PARSED_HEADER:
        try:
            return str(policy.default.header_fetch_parse(name, raw))
        except Exception:  # noqa: BLE001 - fall through to the word-by-word decoding
            pass
    raw = raw[:MAX_HEADER_CHARS]
    try:
        return str(make_header(decode_header(raw)))
    except Exception:  # noqa: BLE001 - keep the raw text
        return raw


def _addresses(msg: Message, *names: str) -> list[tuple[str, str]]:
    values = [_header(msg, n) for n in names]
    try:
        pairs = getaddresses([v for v in values if v])
    except Exception:  # noqa: BLE001
        return []
    return [(n.strip(), a.strip().lower()) for n, a in pairs if a and "@" in a]


def _address(msg: Message, name: str) -> tuple[str, str]:
    value = _header(msg, name)
    display, addr = parseaddr(value)
    if "@" not in addr:
        return (display or value).strip(), ""
    return display.strip(), addr.strip().lower()


def _date(msg: Message) -> datetime | None:
    value = _header(msg, "date")
    if not value:
        return None
    try:
        return ensure_utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _walk(msg: Message) -> Iterator[Message]:
    stack: list[tuple[Message, int]] = [(msg, 0)]
    seen = 0
    while stack and seen < MAX_PARTS:
        part, depth = stack.pop()
        seen += 1
        yield part
        if depth < MAX_DEPTH and part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend((p, depth + 1) for p in reversed(payload) if isinstance(p, Message))


def _body(msg: Message) -> tuple[str, list[str]]:
    plain = html = None
    attachments: list[str] = []
    for part in _walk(msg):
        if part.is_multipart():
            continue
        try:
            kind, filename = _describe(part)
        except Exception:  # noqa: BLE001 - headers policy.default cannot parse: skip the part
            log.debug("skipping a MIME part with unparsable headers", exc_info=True)
            continue
        if kind == "attachment":
            attachments.append(clean_text(filename)[:200])
        elif kind == "text/plain" and plain is None:
            plain = _text_of(part)
        elif kind == "text/html" and html is None:
            html = _text_of(part)
    if plain and plain.strip():
        return plain.replace("\r\n", "\n").strip(), attachments
    if html:
        return html_to_text(html), attachments
    return "", attachments


def _describe(part: Message) -> tuple[str, str]:
    """("attachment" | content type, file name) of a leaf part."""
    ctype = part.get_content_type()
    disposition = (part.get_content_disposition() or "").lower()
    filename = part.get_filename()
    if disposition == "attachment" or (filename and not ctype.startswith("text/")):
        return "attachment", filename or ctype
    return ctype, filename or ""


def _text_of(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
        charset = part.get_content_charset() or "utf-8"
    except Exception:  # noqa: BLE001 - broken headers: take the payload as it is
        payload, charset = part.get_payload(), "utf-8"
    if isinstance(payload, bytes):
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:
            return payload.decode("utf-8", errors="replace")
    return str(payload or "")


def _is_linkedin(msg: Message, name: str, addr: str) -> bool:
    if addr in _LINKEDIN_RELAYS:
        return True
    from_linkedin = addr.endswith("@linkedin.com")
    return from_linkedin and (
        bool(_header(msg, "x-linkedin-class")) or name.lower().endswith(" via linkedin")
    )


def _strip_linkedin(body: str, name: str) -> tuple[str, str | None, str | None]:
    """Body without LinkedIn's buttons and footer, the sender's profile URL and headline."""
    kept: list[str] = []
    profile_url = None
    for line in body.split("\n"):
        if _FOOTER.match(line):
            break
        m = _PROFILE.search(line)
        if m and profile_url is None:
            profile_url = normalize_profile_url(f"https://www.linkedin.com/in/{m.group(1)}")
        if not _BUTTON.match(line):
            kept.append(line.rstrip())
    while kept and not kept[0].strip():
        kept.pop(0)
    headline = None
    if kept and name and kept[0].strip().casefold() == name.casefold():
        kept.pop(0)
        if kept and kept[0].strip() and len(kept[0]) < 200:
            headline = kept.pop(0).strip()
    text = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", text), profile_url, headline


def parse_eml(
    open_binary: Callable[[], IO[bytes]], *, file: str, source: str = "email"
) -> Iterator[ParsedMessage | RowError]:
    with open_binary() as stream:
        data = stream.read(MAX_MAIL_BYTES + 1)
    if len(data) > MAX_MAIL_BYTES:
        yield RowError(file, 1, f"mail larger than {MAX_MAIL_BYTES // 2**20} MB; skipped")
        return
    yield _safe_parse(data, source=source, file=file, line=1)


def _safe_parse(data: bytes, *, source: str, file: str, line: int) -> ParsedMessage | RowError:
    try:
        pm = parse_email_bytes(data, source=source, origin=file)
    except Exception as exc:  # noqa: BLE001 - one unreadable mail must not stop a mailbox
        log.warning("%s line %d: unreadable mail: %r", file, line, exc)
        return RowError(file, line, f"unreadable mail: {exc.__class__.__name__}")
    pm.line = line
    return pm


def parse_mbox(
    open_binary: Callable[[], IO[bytes]], *, file: str, source: str = "email"
) -> Iterator[ParsedMessage | RowError]:
    """Stream an mbox: one mail at a time, split on "From " lines, ">From " unescaped."""
    for line, data, error in _split_mbox(open_binary):
        if error:
            yield RowError(file, line, error)
        else:
            yield _safe_parse(data, source=source, file=file, line=line)


def _split_mbox(open_binary: Callable[[], IO[bytes]]) -> Iterator[tuple[int, bytes, str | None]]:
    parts: list[bytes] = []
    size, start, too_big = 0, 0, False
    with open_binary() as stream:
        for number, raw_line in enumerate(stream, 1):
            if raw_line.startswith(b"From "):
                if start > 0:
                    yield _finish(start, parts, too_big)
                parts, size, start, too_big = [], 0, number, False
                continue
            if not start:
                if raw_line.strip():
                    yield number, b"", "text before the first 'From ' line; skipped"
                    start = -1  # report once
                continue
            if start < 0:
                continue
            size += len(raw_line)
            if size > MAX_MAIL_BYTES:
                too_big, parts = True, []
                continue
            if re.match(rb"^>+From ", raw_line):
                raw_line = raw_line[1:]
            parts.append(raw_line)
    if start > 0:
        yield _finish(start, parts, too_big)


def _finish(start: int, parts: list[bytes], too_big: bool) -> tuple[int, bytes, str | None]:
    if too_big:
        return start, b"", f"mail larger than {MAX_MAIL_BYTES // 2**20} MB; skipped"
    data = b"".join(parts)
    if data.endswith(b"\r\n\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n\n"):
        data = data[:-1]
    if not data.strip():
        return start, b"", "empty mail"
    return start, data, None
