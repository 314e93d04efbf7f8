"""LinkedIn "Download your data": `messages.csv`, or the whole export `.zip`.

Headers: current exports have `CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO,
RECIPIENT PROFILE URLS, DATE, SUBJECT, CONTENT, FOLDER, ATTACHMENTS`; newer ones add
`IS MESSAGE DRAFT, IS CONVERSATION DRAFT`; older ones lack `RECIPIENT PROFILE URLS` and
`ATTACHMENTS`. Columns are found by name (any order, any case); only CONVERSATION ID, FROM, DATE
and CONTENT are required.

Decisions:
- `source_id` is the sha256 of (CONVERSATION ID, DATE, SENDER PROFILE URL or FROM, CONTENT) as
  found in the file, because the export has no message id. The same message in a later export
  gets the same id, so re-importing creates no duplicates.
- The owner is `settings.profile.linkedin_url` when set. Otherwise a first streaming pass counts,
  per profile URL (sender and recipients), the rows it appears in; the owner is in every row of a
  one-to-one inbox, so the URL present in at least 90 % of rows wins. Old exports without
  recipient URLs use the same count over names (FROM and TO). Memory is one counter per distinct
  person. When two people tie (a single conversation) the profile name from settings decides,
  else the owner stays unknown and the summary warns.
- Draft rows and system rows ("Message request accepted", ...) are skipped with a reason; they are
  counted, not listed as errors. Empty content, a bad date or a wrong number of fields are errors.
- CONTENT is repaired (mojibake), HTML becomes plain text; the row as read is kept in `raw`.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO
from urllib.parse import quote

from dateutil import parser as dateparser

from responder.errors import ImportFormatError
from responder.ingest.archive import zip_member_opener
from responder.ingest.base import (
    ParsedMessage,
    RowError,
    clean_text,
    ensure_utc,
    normalize_profile_url,
    sha256_hex,
)
from responder.ingest.csvrows import iter_records, normalise_header, open_text
from responder.ingest.text import fix_mojibake, to_plain_text

log = logging.getLogger(__name__)
REQUIRED = ("CONVERSATION ID", "FROM", "DATE", "CONTENT")
OWNER_SHARE = 0.9
_SPLIT = re.compile(r"[;,\s]+")
_SYSTEM = re.compile(
    r"^(?:message request (?:accepted|declined|ignored)"
    r"|you accepted (?:the|this|their) message request"
    r"|.{0,120} accepted your (?:message request|invitation)"
    r"|you are now connected.*|this message (?:has been|was) deleted"
    r"|(?:this|the) conversation (?:was|has been) (?:deleted|archived)"
    r"|.{0,120} (?:left|joined) the conversation"
    r"|.{0,120} (?:added|removed) .{0,120} (?:to|from) the conversation"
    r"|.{0,120} named the conversation .{0,200})\.?$",
    re.IGNORECASE,
)
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z")
_YES = {"yes", "true", "1", "y"}

Opener = Callable[[], IO[bytes]]


@dataclass(frozen=True, slots=True)
class Owner:
    url: str | None
    name: str | None

    @property
    def known(self) -> bool:
        return bool(self.url or self.name)


def parse_date(value: str) -> datetime:
    """`2023-06-11 15:33:58 UTC` (and ISO variants) as an aware UTC datetime; ValueError if bad."""
    value = value.strip()
    if len(value) == 23 and value.endswith(" UTC"):  # the export's own format: fast path
        try:
            return datetime.fromisoformat(value[:19]).replace(tzinfo=UTC)
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return ensure_utc(datetime.strptime(value, fmt))
        except ValueError:
            pass
    if not value or len(value) > 64 or not any(ch.isdigit() for ch in value):
        raise ValueError(value)
    try:
        parsed = dateparser.parse(value, default=datetime(2000, 1, 1, tzinfo=UTC))
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValueError(value) from exc
    if parsed is None:
        raise ValueError(value)
    return ensure_utc(parsed)


def split_urls(value: str) -> list[str]:
    return list(_split_urls(value)) if value else []


@lru_cache(maxsize=16384)
def _split_urls(value: str) -> tuple[str, ...]:
    urls = (normalize_profile_url(part) for part in _SPLIT.split(value) if part.strip())
    return tuple(u for u in urls if u)


def split_names(value: str) -> list[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]


class _Columns:
    def __init__(self, header: list[str], file: str) -> None:
        self.names = normalise_header(header)
        self.original = header
        missing = [c for c in REQUIRED if c not in self.names]
        if missing:
            raise ImportFormatError(
                f"{file}: not a LinkedIn messages.csv (missing column(s) {', '.join(missing)}; "
                f"found {', '.join(self.names[:12]) or 'nothing'})"
            )
        self.index = {name: i for i, name in reversed(list(enumerate(self.names)))}

    def get(self, row: list[str], name: str) -> str:
        i = self.index.get(name)
        return row[i] if i is not None and i < len(row) else ""


def _records(
    opener: Opener, file: str
) -> Iterator[tuple[_Columns, int, list[str] | None, str | None]]:
    with open_text(opener) as text:
        records = iter_records(text)
        cols: _Columns | None = None
        for rec in records:
            if cols is None:
                if rec.row is None:
                    raise ImportFormatError(f"{file}: line {rec.line}: {rec.error}")
                cols = _Columns(rec.row, file)
                continue
            yield cols, rec.line, rec.row, rec.error
        if cols is None:
            raise ImportFormatError(f"{file}: the file is empty")


def infer_owner(opener: Opener, file: str, *, profile_name: str = "") -> tuple[Owner, int]:
    """The account owner (see module docstring) and the number of records, in one pass.

    Only rows that name their recipients count towards the share, so rows with an empty TO
    (or RECIPIENT PROFILE URLS) do not hide the owner."""
    urls: Counter[str] = Counter()
    names: Counter[str] = Counter()
    url_of_name: dict[str, str] = {}
    total = url_rows = name_rows = 0
    for cols, _line, row, _err in _records(opener, file):
        if row is None:
            continue
        total += 1
        sender_url = normalize_profile_url(cols.get(row, "SENDER PROFILE URL"))
        sender = fix_mojibake(cols.get(row, "FROM").strip())
        recipients = split_urls(cols.get(row, "RECIPIENT PROFILE URLS"))
        if recipients:
            url_rows += 1
            urls.update({*recipients, *([sender_url] if sender_url else [])})
        to_names = split_names(fix_mojibake(cols.get(row, "TO")))
        if to_names:
            name_rows += 1
            names.update({sender, *to_names} - {""})
        if sender and sender_url:
            url_of_name.setdefault(sender, sender_url)
    owner = _pick_owner(urls, url_rows, names, name_rows, url_of_name, profile_name)
    return owner, total


def _top(counter: Counter[str], rows: int) -> list[str]:
    """The keys present in at least OWNER_SHARE of `rows` rows, tied at the highest count."""
    best = counter.most_common(2)
    if not best or best[0][1] < max(1, OWNER_SHARE * rows):
        return []
    return [k for k, n in best if n == best[0][1]]


def _pick_owner(
    urls: Counter[str],
    url_rows: int,
    names: Counter[str],
    name_rows: int,
    url_of_name: dict[str, str],
    me: str,
) -> Owner:
    url_top, name_top = _top(urls, url_rows), _top(names, name_rows)
    if len(name_top) > 1 and me:
        name_top = [n for n in name_top if n.casefold() == me.casefold()]
    name = name_top[0] if len(name_top) == 1 else None
    if len(url_top) == 1:
        return Owner(url_top[0], name)
    if url_top and name and url_of_name.get(name) in url_top:
        return Owner(url_of_name[name], name)
    if not url_top and name:
        return Owner(url_of_name.get(name), name)
    return Owner(None, None)


def parse_export(
    opener: Opener, *, file: str, owner: Owner, source: str = "linkedin"
) -> Iterator[ParsedMessage | RowError]:
    """Stream the messages of a messages.csv (see the module docstring for what is skipped)."""
    for cols, line, row, error in _records(opener, file):
        if row is None:
            yield RowError(file, line, error or "unreadable record")
            continue
        yield _row_to_message(cols, row, line, file=file, owner=owner, source=source)


def _row_to_message(
    cols: _Columns, row: list[str], line: int, *, file: str, owner: Owner, source: str
) -> ParsedMessage | RowError:
    n = len(cols.names)
    if len(row) < n or (len(row) > n and any(cell.strip() for cell in row[n:])):
        return RowError(file, line, f"wrong number of fields: expected {n}, found {len(row)}")
    if cols.get(row, "IS MESSAGE DRAFT").strip().lower() in _YES:
        return RowError(file, line, "draft: never sent", is_error=False)
    date_raw = cols.get(row, "DATE")
    try:
        sent_at = parse_date(date_raw)
    except ValueError:
        return RowError(file, line, f"bad date: {date_raw[:60]!r}")
    content = cols.get(row, "CONTENT")
    body = clean_text(to_plain_text(content))
    attachments = cols.get(row, "ATTACHMENTS").strip()
    if not body and attachments:
        body = f"[attachment] {attachments}"
    if not body:
        return RowError(file, line, "empty content")
    if len(body) < 300 and _SYSTEM.match(body):
        return RowError(file, line, f"system message: {body[:60]!r}", is_error=False)
    conv_id = clean_text(cols.get(row, "CONVERSATION ID").strip())
    sender = clean_text(fix_mojibake(cols.get(row, "FROM").strip()))
    sender_url = normalize_profile_url(cols.get(row, "SENDER PROFILE URL"))
    return ParsedMessage(
        source=source,
        source_id=sha256_hex(conv_id, date_raw.strip(), sender_url or sender, content),
        body=body,
        sent_at=sent_at,
        sender_name=sender,
        sender_profile_url=sender_url,
        is_from_owner=_is_owner(owner, sender_url, sender),
        subject=clean_text(fix_mojibake(cols.get(row, "SUBJECT").strip())) or None,
        conversation_id=conv_id or None,
        conversation_title=clean_text(fix_mojibake(cols.get(row, "CONVERSATION TITLE").strip()))
        or None,
        conversation_url=thread_url(conv_id),
        recipients=split_urls(cols.get(row, "RECIPIENT PROFILE URLS"))
        or split_names(clean_text(cols.get(row, "TO"))),
        raw=clean_text(json.dumps(dict(zip(cols.original, row, strict=False)), ensure_ascii=False)),
        file=file,
        line=line,
    )


def thread_url(conversation_id: str) -> str | None:
    if not conversation_id:
        return None
    return f"https://www.linkedin.com/messaging/thread/{quote(conversation_id, safe='-_=.~')}/"


def _is_owner(owner: Owner, sender_url: str | None, sender: str) -> bool | None:
    if not owner.known:
        return None
    if owner.url and sender_url:
        return sender_url == owner.url
    if owner.name:
        return sender.casefold() == owner.name.casefold()
    return None


def file_opener(path: Path) -> Opener:
    return lambda: path.open("rb")


def opener_for(path: Path) -> tuple[Opener, str]:
    """The messages.csv inside `path` (a .zip export or the CSV itself) and its display name."""

    if path.suffix.lower() == ".zip":
        return zip_member_opener(path, "messages.csv")
    return file_opener(path), path.name


def iter_linkedin(
    path: Path, *, owner_url: str = "", owner_name: str = "", source: str = "linkedin"
) -> tuple[Iterator[ParsedMessage | RowError], int, Owner, str]:
    """Open an export: (messages, record count, the owner, display name).

    Raises `ImportFormatError` when the file is not a readable LinkedIn export.
    """
    opener, display = opener_for(path)
    inferred, total = infer_owner(opener, display, profile_name=owner_name)
    if owner_url:
        owner = Owner(normalize_profile_url(owner_url), owner_name or inferred.name)
    else:
        owner = inferred
    log.info("LinkedIn export %s: %d records, owner %s", display, total, owner.url or owner.name)
    return parse_export(opener, file=display, owner=owner, source=source), total, owner, display
