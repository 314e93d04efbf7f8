"""Writing parsed messages into the store: batched, idempotent, bounded memory.

Each batch (1,000 messages) is one transaction of Core statements (executemany), never ORM objects
one by one, so a 100,000-row export stays fast and a crash leaves whole batches only.

- Duplicates: a batch first drops repeats of the same (source, source_id) within itself, then
  SELECTs which of its ids the store already has; both count as duplicates, not errors. The
  INSERT itself is `ON CONFLICT DO NOTHING` (SQLite and PostgreSQL) so a concurrent import of the
  same file cannot fail the batch either.
- Senders are keyed by normalised profile URL, else lower-cased e-mail, else "name:<name>"; a known
  sender gets its first/last seen widened and empty fields filled; its status (blocked/allowed)
  and name are never overwritten.
- Conversations are keyed by (source, conversation id); `user_participated` becomes True when the
  owner wrote in one, `last_message_at` only moves forward.
- The owner's messages are direction "out" with triage status "skipped"; everything else is "in"
  and "new" (the triage pipeline picks those up). The full body is kept: truncation for
  classification is the classifier's job.
- When a batch fails in the database (e.g. a value PostgreSQL refuses), its messages are retried
  one per transaction and only the ones that still fail are reported, with file and line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from responder.ingest.base import (
    ImportSummary,
    ParsedMessage,
    RowError,
    content_hash,
    normalize_profile_url,
)
from responder.store.models import Conversation, Event, Message, Sender

log = logging.getLogger(__name__)
BATCH_SIZE = 1000
Progress = Callable[[int, int | None], None]

_SENDER: sa.Table = Sender.__table__  # type: ignore[attr-defined]
_CONV: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
_MSG: sa.Table = Message.__table__  # type: ignore[attr-defined]


def _cut(value: str | None, n: int) -> str | None:
    return value[:n] if value else None


def sender_key(pm: ParsedMessage) -> str:
    url = normalize_profile_url(pm.sender_profile_url)
    if url:
        return url[:512]
    if pm.sender_email:
        return pm.sender_email.strip().lower()[:512]
    return ("name:" + (pm.sender_name.strip().casefold() or "unknown"))[:512]


class Owner:
    """Who the account owner is, for messages whose parser could not tell (`is_from_owner` None)."""

    def __init__(self, *, linkedin_url: str = "", emails: Iterable[str] = ()) -> None:
        self.url = normalize_profile_url(linkedin_url)
        self.emails = {e.strip().lower() for e in emails if e.strip()}

    def is_owner(self, pm: ParsedMessage) -> bool:
        if pm.is_from_owner is not None:
            return pm.is_from_owner
        if self.url and normalize_profile_url(pm.sender_profile_url) == self.url:
            return True
        return bool(pm.sender_email and pm.sender_email.strip().lower() in self.emails)


def store_messages(
    *,
    engine: Engine,
    items: Iterable[ParsedMessage | RowError],
    owner: Owner,
    summary: ImportSummary,
    progress: Progress | None = None,
    total: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Consume `items` (a parser's stream) and write the messages in batches into the store."""
    batch: list[ParsedMessage] = []
    done = 0
    for item in items:
        done += 1
        if isinstance(item, RowError):
            summary.add_skip(item)
        else:
            batch.append(item)
        if len(batch) >= batch_size:
            _write_batch(engine, batch, owner, summary)
            batch = []
            if progress:
                progress(done, total)
    if batch:
        _write_batch(engine, batch, owner, summary)
    if progress:
        progress(done, total if total is not None else done)
    return summary


def _write_batch(
    engine: Engine, batch: list[ParsedMessage], owner: Owner, summary: ImportSummary
) -> None:
    unique: dict[tuple[str, str], ParsedMessage] = {}
    for pm in batch:
        key = (pm.source[:32], pm.source_id[:512])
        if key in unique:
            summary.duplicates += 1
        else:
            unique[key] = pm
    try:
        with engine.begin() as conn:
            new, dups = _drop_existing(conn, unique)
            _insert_messages(conn, new, owner)
        summary.imported += len(new)
        summary.duplicates += dups
        return
    except SQLAlchemyError as exc:
        log.warning("batch failed (%s); retrying its messages one by one", exc.__class__.__name__)
    for pm in unique.values():
        one = {(pm.source[:32], pm.source_id[:512]): pm}
        try:
            with engine.begin() as conn:
                new, dups = _drop_existing(conn, one)
                _insert_messages(conn, new, owner)
            summary.imported += len(new)
            summary.duplicates += dups
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
            summary.add_skip(RowError(pm.file, pm.line, f"could not be stored: {reason}"))


def _drop_existing(
    conn: Connection, unique: dict[tuple[str, str], ParsedMessage]
) -> tuple[list[ParsedMessage], int]:
    """The messages the store does not have yet, and how many it already has."""
    by_source: dict[str, list[str]] = {}
    for source, source_id in unique:
        by_source.setdefault(source, []).append(source_id)
    existing: set[tuple[str, str]] = set()
    for source, ids in by_source.items():
        rows = conn.execute(
            sa.select(_MSG.c.source_id).where(_MSG.c.source == source, _MSG.c.source_id.in_(ids))
        )
        existing.update((source, r[0]) for r in rows)
    return [pm for key, pm in unique.items() if key not in existing], len(existing)


def _insert_messages(conn: Connection, batch: list[ParsedMessage], owner: Owner) -> None:
    if not batch:
        return
    now = datetime.now(UTC)
    outs = [owner.is_owner(pm) for pm in batch]
    keys = [sender_key(pm) for pm in batch]
    sender_ids = _upsert_senders(conn, batch, keys, outs, now)
    conv_ids = _upsert_conversations(conn, batch, outs, now)
    rows = []
    for pm, key, out in zip(batch, keys, outs, strict=True):
        rows.append(
            {
                "source": pm.source[:32],
                "source_id": pm.source_id[:512],
                "conversation_id": conv_ids.get((pm.source[:32], (pm.conversation_id or "")[:512])),
                "sender_id": sender_ids[key],
                "direction": "out" if out else "in",
                "sent_at": pm.sent_at,
                "subject": pm.subject,
                "body": pm.body,
                "raw": pm.raw,
                "content_hash": content_hash(pm.body),
                "email_message_id": _cut(pm.email_message_id, 998),
                "email_references": pm.email_references,
                "reply_to": _cut(pm.reply_to, 320),
                "imported_at": now,
                "triage_status": "skipped" if out else "new",
                "needs_review": False,
                "status": "handled" if out else "open",
            }
        )
    conn.execute(_insert_ignore(conn, _MSG, ["source", "source_id"]), rows)


def _insert_ignore(conn: Connection, table: sa.Table, keys: list[str]) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=keys)
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing(index_elements=keys)
    return sa.insert(table)  # other databases: the SELECT of existing keys already filtered


def _upsert_senders(
    conn: Connection, batch: list[ParsedMessage], keys: list[str], outs: list[bool], now: datetime
) -> dict[str, int]:
    agg: dict[str, dict[str, Any]] = {}
    for pm, key, out in zip(batch, keys, outs, strict=True):
        a = agg.setdefault(
            key,
            {"key": key, "name": "", "profile_url": None, "email": None, "headline": None,
             "is_self": False, "first_seen": pm.sent_at, "last_seen": pm.sent_at},
        )  # fmt: skip
        a["name"] = a["name"] or (pm.sender_name or "")[:300]
        a["profile_url"] = a["profile_url"] or _cut(
            normalize_profile_url(pm.sender_profile_url), 512
        )
        a["email"] = a["email"] or _cut(pm.sender_email, 320)
        a["headline"] = a["headline"] or _cut(pm.sender_headline, 500)
        a["is_self"] = a["is_self"] or out
        if pm.sent_at:
            a["first_seen"] = min(filter(None, (a["first_seen"], pm.sent_at)))
            a["last_seen"] = max(filter(None, (a["last_seen"], pm.sent_at)))
    existing = _select_by(conn, _SENDER, _SENDER.c.key, list(agg))
    missing = [
        dict(a, status="neutral", created_at=now) for k, a in agg.items() if k not in existing
    ]
    if missing:
        conn.execute(_insert_ignore(conn, _SENDER, ["key"]), missing)
    maybe = (_sender_update(existing[k], a) for k, a in agg.items() if k in existing)
    updates = [u for u in maybe if u]
    if updates:
        stmt = (
            sa.update(_SENDER)
            .where(_SENDER.c.id == sa.bindparam("b_id"))
            .values(
                name=sa.bindparam("b_name"),
                profile_url=sa.bindparam("b_profile_url"),
                email=sa.bindparam("b_email"),
                headline=sa.bindparam("b_headline"),
                is_self=sa.bindparam("b_is_self"),
                first_seen=sa.bindparam("b_first_seen", type_=_SENDER.c.first_seen.type),
                last_seen=sa.bindparam("b_last_seen", type_=_SENDER.c.last_seen.type),
            )
        )
        conn.execute(stmt, updates)
    rows = existing if not missing else _select_by(conn, _SENDER, _SENDER.c.key, list(agg))
    return {k: r["id"] for k, r in rows.items()}


def _sender_update(row: dict[str, Any], a: dict[str, Any]) -> dict[str, Any] | None:
    new = {
        "b_id": row["id"],
        "b_name": row["name"] or a["name"],
        "b_profile_url": row["profile_url"] or a["profile_url"],
        "b_email": row["email"] or a["email"],
        "b_headline": row["headline"] or a["headline"],
        "b_is_self": bool(row["is_self"] or a["is_self"]),
        "b_first_seen": min(filter(None, (row["first_seen"], a["first_seen"])), default=None),
        "b_last_seen": max(filter(None, (row["last_seen"], a["last_seen"])), default=None),
    }
    unchanged = all(new[f"b_{f}"] == row[f] for f in
                    ("name", "profile_url", "email", "headline", "first_seen", "last_seen")) and (
        new["b_is_self"] == bool(row["is_self"])
    )  # fmt: skip
    return None if unchanged else new


def _select_by(
    conn: Connection, table: sa.Table, column: sa.Column[Any], keys: list[Any]
) -> dict[Any, dict[str, Any]]:
    if not keys:
        return {}
    rows = conn.execute(sa.select(table).where(column.in_(keys))).mappings()
    return {r[column.name]: dict(r) for r in rows}


def _upsert_conversations(
    conn: Connection, batch: list[ParsedMessage], outs: list[bool], now: datetime
) -> dict[tuple[str, str], int]:
    agg: dict[tuple[str, str], dict[str, Any]] = {}
    for pm, out in zip(batch, outs, strict=True):
        if not pm.conversation_id:
            continue
        key = (pm.source[:32], pm.conversation_id[:512])
        a = agg.setdefault(
            key,
            {"source": key[0], "source_id": key[1], "title": None, "url": None,
             "user_participated": False, "last_message_at": pm.sent_at},
        )  # fmt: skip
        a["title"] = a["title"] or _cut(pm.conversation_title or pm.subject, 500)
        a["url"] = a["url"] or _cut(pm.conversation_url, 1000)
        a["user_participated"] = a["user_participated"] or out
        if pm.sent_at:
            a["last_message_at"] = max(filter(None, (a["last_message_at"], pm.sent_at)))
    if not agg:
        return {}
    existing = _select_convs(conn, list(agg))
    missing = [dict(a, created_at=now) for k, a in agg.items() if k not in existing]
    if missing:
        conn.execute(_insert_ignore(conn, _CONV, ["source", "source_id"]), missing)
    updates = []
    for key, a in agg.items():
        row = existing.get(key)
        if row is None:
            continue
        last = max(filter(None, (row["last_message_at"], a["last_message_at"])), default=None)
        part = bool(row["user_participated"] or a["user_participated"])
        title, url = row["title"] or a["title"], row["url"] or a["url"]
        if (last, part, title, url) != (
            row["last_message_at"], bool(row["user_participated"]), row["title"], row["url"]
        ):  # fmt: skip
            updates.append({"b_id": row["id"], "b_last": last, "b_part": part, "b_title": title,
                            "b_url": url})  # fmt: skip
    if updates:
        stmt = (
            sa.update(_CONV)
            .where(_CONV.c.id == sa.bindparam("b_id"))
            .values(
                last_message_at=sa.bindparam("b_last", type_=_CONV.c.last_message_at.type),
                user_participated=sa.bindparam("b_part"),
                title=sa.bindparam("b_title"),
                url=sa.bindparam("b_url"),
            )
        )
        conn.execute(stmt, updates)
    rows = existing if not missing else _select_convs(conn, list(agg))
    return {k: r["id"] for k, r in rows.items()}


def _select_convs(
    conn: Connection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for source in {s for s, _ in keys}:
        ids = [i for s, i in keys if s == source]
        rows = conn.execute(
            sa.select(_CONV).where(_CONV.c.source == source, _CONV.c.source_id.in_(ids))
        ).mappings()
        out.update({(r["source"], r["source_id"]): dict(r) for r in rows})
    return out


def record_import_event(engine: Engine, summary: ImportSummary) -> None:
    """Record a finished import as an `Event` (a failure to record it is only logged)."""
    name = ", ".join(summary.files) or "import"
    if summary.fatal:
        level, detail = "error", f"Import of {name} failed: {summary.fatal}"
    else:
        # A file that was read is a success, even with a few unreadable rows (the summary lists
        # them); only a file of which nothing could be used is a problem worth the sidebar.
        level = "info" if summary.read_anything else "warning"
        problems = len(summary.errors) + summary.errors_not_listed
        detail = (
            f"Imported {name}: {summary.imported} new, {summary.duplicates} already there, "
            f"{summary.skipped_on_purpose} left out on purpose, {problems} unreadable"
        )
    try:
        with Session(engine) as s:
            s.add(Event(level=level, kind="import", detail=detail[:2000]))
            s.commit()
    except SQLAlchemyError as exc:  # the import itself is done; a missing event is not fatal
        log.warning("could not record the import event: %s", exc)
