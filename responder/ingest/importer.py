"""Import: one entry point per kind of input, one parser module per source.

- `import_path(engine=, path=, settings=)` detects the format (extension first, then content) of a
  LinkedIn export (`messages.csv` or the `.zip`), `.eml`, `.mbox`, JSONL, CSV with a `text`
  column, or a `.txt` holding one pasted message, and imports it in streaming fashion.
- `import_text(engine=, text=, settings=)` imports one pasted message.
- `load_demo_inbox(engine=, settings=)` imports the shipped demo inbox (source "demo").

None of them raises for bad input: a file that cannot be read at all comes back as a summary
with `fatal` set (and one error naming the file); bad records are skipped and listed with their
file and line while the rest is imported. Every import is also recorded as an `Event`.
"""

from __future__ import annotations

import csv
import logging
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import Engine

from responder.errors import ImportFormatError
from responder.ingest.base import ImportSummary, ParsedMessage, RowError
from responder.ingest.csv_text import parse_text_csv
from responder.ingest.demo import load_demo
from responder.ingest.email import parse_eml, parse_mbox
from responder.ingest.jsonl import parse_jsonl
from responder.ingest.linkedin_export import iter_linkedin
from responder.ingest.paste import MAX_PASTE_CHARS, parse_paste
from responder.ingest.recognize import binary_kind, linkedin_file_in_text, not_messages_reason
from responder.ingest.store import Owner, record_import_event, store_messages
from responder.ingest.text import sniff_encoding
from responder.settings import Settings
from responder.store.db import ANALYZE_AFTER_ROWS, refresh_planner_stats

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]
FORMATS = ("linkedin", "linkedin_zip", "eml", "mbox", "jsonl", "csv", "text")
_EXT = {
    ".zip": "linkedin_zip",
    ".eml": "eml",
    ".mbox": "mbox",
    ".mbx": "mbox",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "text",
}
_MAIL_HEADERS = (b"received:", b"return-path:", b"message-id:", b"mime-version:", b"from:",
                 b"delivered-to:", b"date:", b"subject:", b"to:", b"x-")  # fmt: skip
_STREAM_FAILURES = (ImportFormatError, UnicodeError, csv.Error, OSError, zipfile.BadZipFile,
                    zlib.error, EOFError)  # fmt: skip

__all__ = [
    "ImportSummary",
    "ParsedMessage",
    "RowError",
    "detect_format",
    "import_path",
    "import_text",
    "load_demo_inbox",
]


def detect_format(path: Path) -> str:
    """One of FORMATS, from the extension, else from the first bytes; ImportFormatError if none."""

    ext = path.suffix.lower()
    with path.open("rb") as f:
        head = f.read(8192)
    if head.startswith(b"PK\x03\x04") or ext == ".zip":
        return "linkedin_zip"
    kind = binary_kind(head)
    if kind:
        raise ImportFormatError(
            f"{path.name}: this is {kind}, not a text file. Responder imports LinkedIn's "
            "messages.csv or the export .zip, .eml / .mbox mail, .jsonl, a CSV with a 'text' "
            "column, or a .txt message."
        )
    if ext in _EXT:
        return _EXT[ext]
    if head.startswith(b"From "):
        return "mbox"
    text = head.decode(sniff_encoding(head), errors="replace").lstrip("\ufeff \t\r\n")
    first = text.split("\n", 1)[0].lower()
    if ext == ".csv" or (ext != ".json" and "," in first and not text.startswith("{")):
        if "conversation id" in first:
            return "linkedin"
        other = linkedin_file_in_text(text)
        if other:
            raise ImportFormatError(not_messages_reason(path.name, other))
        return "csv"
    if ext == ".json" or text.startswith("{"):
        return "jsonl"
    if first.encode().startswith(_MAIL_HEADERS) and ":" in first:
        return "eml"
    raise ImportFormatError(
        f"{path.name}: unknown format; expected a LinkedIn messages.csv or export .zip, "
        ".eml, .mbox, .jsonl, a CSV with a 'text' column, or a .txt message"
    )


def import_path(
    *,
    engine: Engine,
    path: str | Path,
    settings: Settings,
    progress: Progress | None = None,
    source: str | None = None,
    display_name: str | None = None,
) -> ImportSummary:
    """Import one file (see the module docstring); `source` overrides the stored source name.
    `display_name` is the file's name as the user knows it (an upload is stored under another
    name): every message of the summary uses it."""
    path = Path(path)
    summary = ImportSummary(files=[path.name])
    try:
        _check_file(path, settings)
        summary.format = detect_format(path)
        items, total = _open(path, summary, settings, source)
    except (ImportFormatError, OSError) as exc:
        summary.fatal = _reason(exc, path)
        rename_in_summary(summary, path.name, display_name)
        record_import_event(engine, summary)
        return summary
    owner = Owner(linkedin_url=settings.profile.linkedin_url, emails=settings.profile.emails)
    guarded = _guard(items, path.name, summary)
    store_messages(
        engine=engine, items=guarded, owner=owner, summary=summary, progress=progress, total=total
    )
    log.info("import %s: %s", path.name, summary.to_dict() | {"errors": len(summary.errors)})
    rename_in_summary(summary, path.name, display_name)
    record_import_event(engine, summary)
    if summary.imported >= ANALYZE_AFTER_ROWS:
        refresh_planner_stats(engine)
    return summary


def rename_in_summary(summary: ImportSummary, stored: str, shown: str | None) -> None:
    """Name the file as the user knows it (`shown`) instead of its stored name everywhere in
    the summary: file list, errors, warnings and the fatal reason."""
    if not shown or shown == stored:
        return
    summary.files = [f.replace(stored, shown) for f in summary.files]
    summary.errors = [replace(e, file=e.file.replace(stored, shown)) for e in summary.errors]
    summary.warnings = [w.replace(stored, shown) for w in summary.warnings]
    if summary.fatal:
        summary.fatal = summary.fatal.replace(stored, shown)


def _reason(exc: Exception, path: Path) -> str:
    text = str(exc)
    return text if path.name in text else f"{path.name}: {text}"


def _check_file(path: Path, settings: Settings) -> None:
    if not path.is_file():
        raise ImportFormatError(f"{path.name}: no such file")
    size = path.stat().st_size
    limit = settings.policy.max_upload_mb * 1024 * 1024
    if size > limit:
        raise ImportFormatError(
            f"{path.name}: the file is {size / 2**20:.1f} MB, larger than the limit of "
            f"{settings.policy.max_upload_mb} MB (RESPONDER_POLICY_MAX_UPLOAD_MB)"
        )
    if size == 0:
        raise ImportFormatError(f"{path.name}: the file is empty")


def _open(
    path: Path, summary: ImportSummary, settings: Settings, source: str | None
) -> tuple[Iterable[ParsedMessage | RowError], int | None]:
    fmt = summary.format
    opener = lambda: path.open("rb")  # noqa: E731
    if fmt in ("linkedin", "linkedin_zip"):
        items, total, owner, display = iter_linkedin(
            path,
            owner_url=settings.profile.linkedin_url,
            owner_name=settings.profile.name,
            source=source or "linkedin",
        )
        summary.files = [display]
        if not owner.known:
            summary.warnings.append(
                "Could not tell which profile is yours; set RESPONDER_PROFILE_LINKEDIN_URL. "
                "All messages were taken as incoming."
            )
        return items, total
    if fmt == "eml":
        return parse_eml(opener, file=path.name, source=source or "email"), 1
    if fmt == "mbox":
        return parse_mbox(opener, file=path.name, source=source or "email"), None
    if fmt == "jsonl":
        return parse_jsonl(opener, file=path.name, source=source or "jsonl"), None
    if fmt == "csv":
        return parse_text_csv(opener, file=path.name, source=source or "csv"), None

    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return [parse_paste(text, source=source or "paste", file=path.name)], 1


def _guard(
    items: Iterable[ParsedMessage | RowError], file: str, summary: ImportSummary
) -> Iterator[ParsedMessage | RowError]:
    """Pass items through; a file that breaks mid-way ends the stream with an error (what was
    read before stays imported), or is fatal when nothing was read yet."""
    seen = 0
    last_line: int | None = None
    try:
        for item in items:
            seen += 1
            last_line = item.line or last_line
            yield item
    except _STREAM_FAILURES as exc:
        log.warning("%s: reading stopped: %s", file, exc)
        if seen == 0:
            summary.fatal = str(exc) if file in str(exc) else f"{file}: {exc}"
        else:
            where = f" after line {last_line}" if last_line else ""
            yield RowError(
                file,
                last_line + 1 if last_line else None,
                f"reading stopped{where}: {exc}; what came before was imported",
            )


def import_text(
    *, engine: Engine, text: str, settings: Settings, source: str = "paste", sender: str = ""
) -> ImportSummary:
    """Import one pasted message (optional "From:"/"Subject:" lines at the top; `sender` names
    who wrote it when there is no "From:" line). Text over MAX_PASTE_CHARS is refused."""

    summary = ImportSummary(files=["pasted text"], format="text")
    if len(text) > MAX_PASTE_CHARS:
        summary.fatal = (
            f"The pasted text has {len(text):,} characters; at most {MAX_PASTE_CHARS:,} are "
            "accepted, since a paste is one message. Import a file for more, or paste only "
            "the message itself."
        )
        return summary
    owner = Owner(linkedin_url=settings.profile.linkedin_url, emails=settings.profile.emails)
    item = parse_paste(text, source=source, sender=sender)
    store_messages(engine=engine, items=[item], owner=owner, summary=summary)
    record_import_event(engine, summary)
    return summary


def load_demo_inbox(
    *, engine: Engine, settings: Settings, progress: Progress | None = None
) -> ImportSummary:
    """Import the shipped demo inbox (a LinkedIn export written for Responder, source "demo")."""

    return load_demo(engine=engine, settings=settings, progress=progress)
