"""Atomic claims of due rows, shared by follow-ups, the outbox and queued tasks.

Two workers must never act on the same row. On PostgreSQL the claim is
`SELECT ... FOR UPDATE SKIP LOCKED` followed by an UPDATE in the same transaction: a second worker
skips the rows the first one has locked instead of waiting for them. On SQLite (one writer at a
time) it is a single conditional `UPDATE ... WHERE id IN (...) AND <still claimable> RETURNING id`:
the statement takes the database's write lock, so the re-check of the state and the change are one
atomic step and a row that another worker claimed meanwhile is simply not returned.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

log = logging.getLogger(__name__)

#: `RESPONDER_FAULT_HOOK=<point>:<marker file>` makes the process stop at that point (crash tests).
FAULT_ENV = "RESPONDER_FAULT_HOOK"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime:
    """`value` as an aware UTC datetime (naive values are taken to be UTC); None means now."""
    if value is None:
        return utcnow()
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def claim_rows(
    *,
    engine: Engine,
    model: Any,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    values: dict[str, Any],
    limit: int,
) -> list[int]:
    """Claim up to `limit` rows of `model` matching `where`; set `values` on them; return their ids.

    The claim is committed before this returns, so the caller's work on each row happens in later,
    short transactions, and a crash leaves rows visibly claimed (for a restart to release).
    """
    table = model.__table__
    id_col = table.c.id
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            ids = list(
                conn.execute(
                    select(id_col)
                    .where(*where)
                    .order_by(*order_by)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            if ids:
                conn.execute(update(table).where(id_col.in_(ids)).values(**values))
            return ids
        candidates = select(id_col).where(*where).order_by(*order_by).limit(limit).scalar_subquery()
        stmt = (
            update(table).where(id_col.in_(candidates), *where).values(**values).returning(id_col)
        )
        return sorted(conn.execute(stmt).scalars())


def fault_point(name: str) -> None:
    """Crash-test hook: when RESPONDER_FAULT_HOOK names this point, write the marker file and
    wait to be killed. Does nothing otherwise (one environment lookup)."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    point, _, marker = spec.partition(":")
    if point != name:
        return
    log.warning("fault hook %s reached; waiting to be killed", name)
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(300)
