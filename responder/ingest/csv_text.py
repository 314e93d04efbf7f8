"""CSV with a `text` column (and optional `subject`, `sender_name`, `id`, ...; `label` ignored).

Columns are matched case-insensitively and mapped like JSONL fields
(`responder.ingest.jsonl.record_to_message`); `source_id` is derived the same way. The row as
read is kept in `raw` as a JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO

from responder.errors import ImportFormatError
from responder.ingest.base import ParsedMessage, RowError
from responder.ingest.csvrows import iter_records, open_text
from responder.ingest.jsonl import TEXT_FIELDS, record_to_message
from responder.ingest.recognize import linkedin_file_for, not_messages_reason


def parse_text_csv(
    open_binary: Callable[[], IO[bytes]], *, file: str, source: str = "csv"
) -> Iterator[ParsedMessage | RowError]:
    with open_text(open_binary) as text:
        header: list[str] | None = None
        for rec in iter_records(text):
            if header is None:
                if rec.row is None:
                    raise ImportFormatError(f"{file}: line {rec.line}: {rec.error}")
                header = [h.replace("\ufeff", "").strip().lower() for h in rec.row]
                other = linkedin_file_for(header)
                if other and other != "messages.csv":
                    raise ImportFormatError(not_messages_reason(file, other))
                if not any(f in header for f in TEXT_FIELDS):
                    found = ", ".join(h[:40] for h in header[:12]) or "nothing"
                    raise ImportFormatError(
                        f"{file}: this is not LinkedIn's messages.csv (it has no CONVERSATION ID "
                        f"column), and as a plain CSV it has no 'text' column (found: {found})."
                    )
                continue
            if rec.row is None:
                yield RowError(file, rec.line, rec.error or "unreadable record")
                continue
            if len(rec.row) != len(header):
                yield RowError(
                    file,
                    rec.line,
                    f"wrong number of fields: expected {len(header)}, found {len(rec.row)}",
                )
                continue
            record = dict(zip(header, rec.row, strict=True))
            raw = json.dumps(record, ensure_ascii=False)
            yield record_to_message(record, source=source, file=file, line=rec.line, raw=raw)
        if header is None:
            raise ImportFormatError(f"{file}: the file is empty")
