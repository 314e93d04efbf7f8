"""JSONL: one JSON object per line with a `text` field.

Optional fields: `subject`, `sender_name` (or `sender`/`from`), `sender_profile_url`,
`sender_email`, `sent_at` (or `date`), `conversation_id`, `id`. A `label` is ignored on import (it
is evaluation data, not a fact about the message). `body`, `content` and `message` are accepted
as names for `text`.

`source_id` is the sha256 of the record's `id` (if any) and the whitespace-normalised text: ids
in hand-made files are often 1, 2, 3..., so the id alone would make two unrelated files
"duplicates" of each other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from responder.ingest.base import ParsedMessage, RowError, clean_text, content_hash, sha256_hex
from responder.ingest.linkedin_export import parse_date
from responder.ingest.text import to_plain_text

TEXT_FIELDS = ("text", "body", "content", "message")
MAX_LINE_BYTES = 64 * 1024 * 1024


def record_to_message(
    record: dict[str, Any], *, source: str, file: str, line: int, raw: str
) -> ParsedMessage | RowError:
    """A message from a flat record (a JSONL object or a CSV row keyed by lower-case header)."""
    text = next((record[k] for k in TEXT_FIELDS if isinstance(record.get(k), str)), None)
    if text is None:
        return RowError(file, line, "no text field ('text', 'body', 'content' or 'message')")
    body = clean_text(to_plain_text(text))
    if not body:
        return RowError(file, line, "empty content")

    def field(*names: str) -> str | None:
        for name in names:
            value = record.get(name)
            if value is not None and not isinstance(value, (dict, list)) and str(value).strip():
                return clean_text(str(value).strip())
        return None

    sent_raw = field("sent_at", "date")
    sent_at: datetime | None = None
    if sent_raw:
        try:
            sent_at = parse_date(sent_raw)
        except ValueError:
            return RowError(file, line, f"bad date: {sent_raw[:60]!r}")
    rid = field("id") or ""
    return ParsedMessage(
        source=source,
        source_id=sha256_hex(rid, content_hash(body)),
        body=body,
        sent_at=sent_at or datetime.now(UTC),
        sender_name=field("sender_name", "sender", "from", "name") or "",
        sender_profile_url=field("sender_profile_url", "profile_url"),
        sender_email=(field("sender_email", "email") or "").lower() or None,
        subject=field("subject"),
        conversation_id=field("conversation_id"),
        raw=clean_text(raw),
        file=file,
        line=line,
    )


def parse_jsonl(
    open_binary: Callable[[], IO[bytes]], *, file: str, source: str = "jsonl"
) -> Iterator[ParsedMessage | RowError]:
    with open_binary() as stream:
        for number, data in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES), b""), 1):
            if number == 1 and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            text = data.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            if not data.endswith(b"\n") and len(data) >= MAX_LINE_BYTES:
                yield RowError(file, number, "line too long; skipped")
                for rest in iter(lambda: stream.readline(MAX_LINE_BYTES), b""):
                    if rest.endswith(b"\n"):
                        break
                continue
            try:
                record = json.loads(text)
            except (ValueError, RecursionError) as exc:
                yield RowError(file, number, f"not valid JSON: {str(exc)[:120]}")
                continue
            if not isinstance(record, dict):
                yield RowError(file, number, "not a JSON object")
                continue
            yield record_to_message(record, source=source, file=file, line=number, raw=text)
