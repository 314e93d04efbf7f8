"""What every parser yields, and the summary of an import.

A parser turns one source (a LinkedIn export, a mail, pasted text, ...) into a stream of
`ParsedMessage` and `RowError` items. Parsers never touch the database; `responder.ingest.store`
writes what they yield in batches. A parser yields a `RowError` for a record it cannot use
(malformed row, bad date, system row, draft) and carries on with the next one; only a file it
cannot read at all raises `ImportFormatError`.

Strings from untrusted files are cleaned once, here (`clean_text`): NUL bytes and lone surrogates
are removed (PostgreSQL refuses both), everything else is kept as is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

#: At most this many errors are kept in a summary; the rest are only counted.
MAX_REPORTED_ERRORS = 1000
_SURROGATES = re.compile("[\ud800-\udfff]")
_WS = re.compile(r"\s+")
_CANONICAL = re.compile(r"https://www\.linkedin\.com/in/[a-z0-9\-_%]+")


@dataclass(slots=True)
class ParsedMessage:
    """One message as read from a source, before it is stored."""

    source: str
    #: Stable id within `source`; (source, source_id) is unique in the store.
    source_id: str
    body: str
    sent_at: datetime | None = None
    sender_name: str = ""
    sender_profile_url: str | None = None
    sender_email: str | None = None
    sender_headline: str | None = None
    #: True for the account owner's own messages, False for others, None when unknown.
    is_from_owner: bool | None = None
    subject: str | None = None
    conversation_id: str | None = None
    conversation_title: str | None = None
    conversation_url: str | None = None
    recipients: list[str] = field(default_factory=list)
    #: The record as read (a CSV row as JSON, the raw mail), so nothing is lost.
    raw: str = ""
    email_message_id: str | None = None
    email_references: str | None = None
    reply_to: str | None = None
    #: Where the record came from, for error messages.
    file: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A record that was not imported, with where it was and why."""

    file: str
    line: int | None
    reason: str
    #: False for rows skipped on purpose (system rows, drafts): counted, not listed as errors.
    is_error: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass
class ImportSummary:
    """What an import did. `to_dict()` is the `responder import --json` output."""

    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_not_listed: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    #: The reasons of the records left out on purpose only (system rows, drafts).
    left_out_reasons: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    format: str | None = None
    #: Set when the file could not be read at all.
    fatal: str | None = None

    def add_skip(self, err: RowError) -> None:
        self.skipped += 1
        key = _reason_key(err.reason)
        self.skipped_reasons[key] = self.skipped_reasons.get(key, 0) + 1
        if not err.is_error:
            self.left_out_reasons[key] = self.left_out_reasons.get(key, 0) + 1
        else:
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(err)
            else:
                self.errors_not_listed += 1

    @property
    def skipped_on_purpose(self) -> int:
        """Records left out on purpose (system rows, drafts), not counting unreadable ones:
        `skipped` counts both, the errors are listed apart, so a broken row is counted once."""
        return max(0, self.skipped - len(self.errors) - self.errors_not_listed)

    @property
    def read_anything(self) -> bool:
        """False when nothing could be read (the CLI then exits non-zero)."""
        if self.fatal:
            return False
        records = self.imported + self.duplicates + self.skipped
        return records > len(self.errors) + self.errors_not_listed or not self.errors

    def merge(self, other: ImportSummary) -> None:
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.skipped += other.skipped
        for err in other.errors:
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(err)
            else:
                self.errors_not_listed += 1
        self.errors_not_listed += other.errors_not_listed
        for key, n in other.skipped_reasons.items():
            self.skipped_reasons[key] = self.skipped_reasons.get(key, 0) + n
        for key, n in other.left_out_reasons.items():
            self.left_out_reasons[key] = self.left_out_reasons.get(key, 0) + n
        self.warnings.extend(other.warnings)
        self.files.extend(other.files)
        self.fatal = self.fatal or other.fatal

    def to_dict(self) -> dict[str, Any]:
        errors = [e.to_dict() for e in self.errors]
        if self.fatal and not errors:
            errors = [
                {"file": self.files[0] if self.files else "", "line": None, "reason": self.fatal}
            ]
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "skipped_on_purpose": self.skipped_on_purpose,
            "errors": errors,
            "errors_not_listed": self.errors_not_listed,
            "skipped_reasons": dict(sorted(self.skipped_reasons.items())),
            "left_out_reasons": dict(sorted(self.left_out_reasons.items())),
            "warnings": list(self.warnings),
            "format": self.format,
            "files": list(self.files),
        }


def _reason_key(reason: str) -> str:
    """The reason without its details ("bad date: 'x'" -> "bad date"), for counting."""
    return reason.split(":", 1)[0].strip()[:80]


# --- helpers shared by the parsers -----------------------------------------------------------------


def clean_text(value: str | None) -> str:
    """Drop NUL bytes and lone surrogates (unstorable in PostgreSQL); keep everything else."""
    if not value:
        return ""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii() and _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    return value


def sha256_hex(*parts: str) -> str:
    h = hashlib.sha256()
    for i, part in enumerate(parts):
        if i:
            h.update(b"\x1f")
        h.update(part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def content_hash(body: str) -> str:
    """sha256 of the body with whitespace collapsed and case folded (classification cache key)."""
    return hashlib.sha256(
        _WS.sub(" ", body).strip().casefold().encode("utf-8", "replace")
    ).hexdigest()


def normalize_profile_url(url: str | None) -> str | None:
    """Canonical LinkedIn profile URL: https, www.linkedin.com, no query, no trailing slash.

    Other URLs keep their path, lose query and trailing slash; empty input -> None. Cached:
    an export repeats the same few thousand URLs on every row.
    """
    return _normalize_url(url.strip()) if url else None


@lru_cache(maxsize=32768)
def _normalize_url(url: str) -> str | None:
    if not url:
        return None
    if _CANONICAL.fullmatch(url):
        return url
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host:
        return None
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    if host == "linkedin.com" or host.endswith(".linkedin.com"):
        host = "www.linkedin.com"
        path = path.lower()
    return f"https://{host}{path}"


def ensure_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
