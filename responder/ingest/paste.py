"""Pasted text: one message, optionally starting with "From:", "Subject:" and "Date:" lines.

`From:` may hold a name, "Name <mail@example.com>" or a LinkedIn profile URL. The header block
ends at the first line that is not one of these headers (a blank line after it is dropped).
`source_id` is the sha256 of sender, subject and the whitespace-normalised body, so pasting the
same message twice is a duplicate, not a second message.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parseaddr

from responder.ingest.base import ParsedMessage, RowError, clean_text, content_hash, sha256_hex
from responder.ingest.linkedin_export import parse_date
from responder.ingest.text import to_plain_text

#: A pasted message longer than this is refused: one message, not a mailbox (import files for that).
MAX_PASTE_CHARS = 50_000
_HEADER = re.compile(r"^\s*(from|subject|date|profile|url)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_URL = re.compile(r"https?://\S+|(?:www\.)?linkedin\.com/\S+", re.IGNORECASE)


def parse_paste(
    text: str, *, source: str = "paste", file: str = "pasted text", sender: str = ""
) -> ParsedMessage | RowError:
    """The message in `text`, or a RowError when there is nothing to import. `sender` (a name,
    "Name <mail>" or a profile link) is used when the text has no "From:" line."""
    text = clean_text(text).replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    headers: dict[str, str] = {}
    i = 0
    while i < len(lines) and lines[i].strip() == "":
        i += 1
    while i < len(lines) and len(headers) < 5:
        m = _HEADER.match(lines[i]) if len(lines[i]) <= 2000 else None
        if not m or m.group(1).lower() in headers:
            break
        headers[m.group(1).lower()] = m.group(2)
        i += 1
    body = to_plain_text("\n".join(lines[i:]))
    if not body:
        return RowError(file, 1, "empty content: nothing to import")
    name, email_addr, url = _parse_from(headers.get("from", "") or clean_text(sender)[:500])
    url = url or _first_url(headers.get("profile", "") or headers.get("url", ""))
    subject = headers.get("subject") or None
    sent_at = _parse_date(headers.get("date", ""))
    return ParsedMessage(
        source=source,
        source_id=sha256_hex(name, email_addr or "", url or "", subject or "", content_hash(body)),
        body=body,
        sent_at=sent_at or datetime.now(UTC),
        sender_name=name,
        sender_profile_url=url,
        sender_email=email_addr,
        subject=subject,
        raw=text,
        file=file,
        line=1,
    )


def _parse_from(value: str) -> tuple[str, str | None, str | None]:
    url = _first_url(value)
    if url:
        name = _URL.sub("", value).strip(" <>()-|,")
        return name, None, url
    name, addr = parseaddr(value)
    if addr and "@" in addr:
        return (name or addr).strip(), addr.strip().lower(), None
    return value.strip(), None, None


def _first_url(value: str) -> str | None:
    m = _URL.search(value or "")
    return m.group(0).rstrip(">)],.") if m else None


def _parse_date(value: str) -> datetime | None:
    if not value.strip():
        return None

    try:
        return parse_date(value)
    except ValueError:
        return None
