"""IMAP source: poll one folder, import new mail idempotently by UID, then triage.

A mail is identified by (folder, UIDVALIDITY, UID), recorded as an `ImportedSource` row
(source "imap:<folder>", key "<uidvalidity>:<uid>"). Each poll asks only for UIDs above the highest
one recorded for the current UIDVALIDITY, fetches with BODY.PEEK[] (the user's unread flags stay
as they are) and writes the messages before it records their UIDs; a crash in between fetches them
again next time and the store drops the duplicates by the message's own id.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from responder.errors import ConfigError
from responder.ingest.base import ImportSummary
from responder.ingest.email import parse_email_bytes
from responder.ingest.store import Owner, store_messages
from responder.settings import Settings
from responder.store.models import Event, ImportedSource

log = logging.getLogger(__name__)

SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "[Gmail]/Sent Mail")
_LIST_RE = re.compile(rb'\((?P<flags>[^)]*)\) (?P<delim>"[^"]*"|NIL) (?P<name>.+)')


def is_configured(settings: Settings) -> bool:
    mail = settings.mail
    return bool(mail.imap_host and mail.imap_username)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def connect(settings: Settings) -> Iterator[imaplib.IMAP4]:
    """A logged-in IMAP connection (SSL, or STARTTLS when the server offers it)."""
    mail = settings.mail
    if not is_configured(settings):
        raise ConfigError("IMAP is not configured: set RESPONDER_MAIL_IMAP_HOST and _USERNAME.")
    context = ssl.create_default_context()
    conn: imaplib.IMAP4
    if mail.imap_ssl:
        conn = imaplib.IMAP4_SSL(
            mail.imap_host, mail.imap_port, ssl_context=context, timeout=mail.timeout_s
        )
    else:
        conn = imaplib.IMAP4(mail.imap_host, mail.imap_port, timeout=mail.timeout_s)
        if "STARTTLS" in conn.capabilities:
            conn.starttls(ssl_context=context)
    try:
        password = mail.imap_password.get_secret_value() if mail.imap_password else ""
        conn.login(mail.imap_username, password)
        yield conn
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            conn.logout()


def _check(typ: str, data: Any, what: str) -> Any:
    if typ != "OK":
        raise imaplib.IMAP4.error(f"IMAP {what} failed: {data!r}")
    return data


def _uidvalidity(conn: imaplib.IMAP4) -> int:
    _name, data = conn.response("UIDVALIDITY")
    if not data or data[0] is None:
        raise imaplib.IMAP4.error("the IMAP server sent no UIDVALIDITY for the folder")
    return int(data[0])


def _known_max_uid(engine: Engine, source: str, uidvalidity: int) -> int:
    prefix = f"{uidvalidity}:"
    with Session(engine) as s:
        keys = s.exec(
            select(ImportedSource.key).where(
                ImportedSource.source == source,
                ImportedSource.key.startswith(prefix),  # type: ignore[union-attr]
            )
        )
        return max((int(k[len(prefix) :]) for k in keys), default=0)


def _new_uids(conn: imaplib.IMAP4, after: int) -> list[int]:
    data = _check(*conn.uid("SEARCH", None, f"UID {after + 1}:*"), "SEARCH")  # type: ignore[arg-type]
    # "N:*" always matches the last message, even when its UID is below N.
    return sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > after)


def _fetch(conn: imaplib.IMAP4, uid: int) -> bytes | None:
    data = _check(*conn.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
    for part in data:
        if isinstance(part, tuple) and len(part) >= 2 and isinstance(part[1], bytes):
            return part[1]
    return None  # expunged meanwhile


def fetch_new_mail(*, engine: Engine, settings: Settings, batch: int = 200) -> dict[str, int]:
    """Import new mail from the configured folder (at most `batch` per call); no triage here."""
    folder = settings.mail.imap_folder
    source = f"imap:{folder}"
    counts = {"fetched": 0, "imported": 0, "skipped": 0}
    with connect(settings) as conn:
        _check(*conn.select(_quote(folder), readonly=True), f"SELECT {folder}")
        uidvalidity = _uidvalidity(conn)
        uids = _new_uids(conn, _known_max_uid(engine, source, uidvalidity))[:batch]
        for start in range(0, len(uids), 50):
            chunk = uids[start : start + 50]
            fetched = [(uid, _fetch(conn, uid)) for uid in chunk]
            counts["fetched"] += len(fetched)
            _import_chunk(engine, settings, source, uidvalidity, fetched, counts)
    return counts


def _import_chunk(
    engine: Engine,
    settings: Settings,
    source: str,
    uidvalidity: int,
    fetched: list[tuple[int, bytes | None]],
    counts: dict[str, int],
) -> None:
    items: list[Any] = []
    events: list[Event] = []
    for uid, raw in fetched:
        if raw is None:
            continue
        origin = f"{source}/{uidvalidity}:{uid}"
        try:
            items.append(parse_email_bytes(raw, source="imap", origin=origin))
        except Exception as exc:  # noqa: BLE001 - one bad mail must not stop the folder
            counts["skipped"] += 1
            events.append(Event(kind="import_skipped", level="warning", detail=f"{origin}: {exc}"))
    owner = Owner(linkedin_url=settings.profile.linkedin_url, emails=settings.profile.emails)
    summary = store_messages(engine=engine, items=items, owner=owner, summary=ImportSummary())
    counts["imported"] += int(getattr(summary, "imported", len(items)))
    with Session(engine) as s:
        known = set(s.exec(select(ImportedSource.key).where(ImportedSource.source == source)))
        for uid, _raw in fetched:
            key = f"{uidvalidity}:{uid}"
            if key not in known:
                s.add(ImportedSource(source=source, key=key))
        for event in events:
            s.add(event)
        s.commit()


def _sent_folders(conn: imaplib.IMAP4) -> list[str]:
    data = _check(*conn.list(), "LIST")
    special, named = [], []
    for line in data:
        match = _LIST_RE.match(line or b"")
        if not match:
            continue
        name = match.group("name").decode("utf-8", "replace").strip().strip('"')
        if b"\\sent" in match.group("flags").lower():
            special.append(name)
        elif name in SENT_NAMES:
            named.append(name)
    return special + named


def find_sent(*, settings: Settings, message_ids: list[str]) -> set[str]:
    """Which of `message_ids` are in the mailbox's Sent folder(s) (for outbox reconciliation)."""
    found: set[str] = set()
    with connect(settings) as conn:
        for folder in _sent_folders(conn):
            if conn.select(_quote(folder), readonly=True)[0] != "OK":
                continue
            for mid in message_ids:
                if mid in found:
                    continue
                typ, data = conn.uid("SEARCH", None, "HEADER", "Message-ID", _quote(mid))  # type: ignore[arg-type]
                if typ == "OK" and data and data[0] and data[0].split():
                    found.add(mid)
    return found
