"""Two workers against one PostgreSQL database never handle the same follow-up twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from responder.followups.due import claim_due, process_due_followups
from responder.settings import get_settings
from responder.store import db
from responder.store.models import Event, FollowUp, WorkerHeartbeat
from tests.worker.conftest import WED_10_BERLIN, message
from tests.worker.proc import Worker, wait_for

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine(pg_url: str):  # type: ignore[no-untyped-def]
    db.upgrade(pg_url)
    engine = db.get_engine()
    assert engine.dialect.name == "postgresql"
    yield engine
    db.reset_engine()


def _due_reminders(engine, n: int, now: datetime) -> list[int]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        ids = []
        for i in range(n):
            m = message(s, sent_at=now - timedelta(days=4), who=f"pg{i}")
            row = FollowUp(message_id=m.id, kind="reminder", due_at=now - timedelta(minutes=1))
            s.add(row)
            s.flush()
            ids.append(row.id)
        s.commit()
    return ids


def _reminder_events(engine) -> Counter[int]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return Counter(e.message_id for e in s.exec(select(Event).where(Event.kind == "reminder")))


def test_skip_locked_claims_pass_over_rows_another_worker_holds(pg_engine) -> None:
    now = WED_10_BERLIN
    ids = _due_reminders(pg_engine, 3, now)
    with pg_engine.connect() as holder:
        txn = holder.begin()
        holder.execute(
            sa_select(FollowUp.__table__.c.id)
            .where(FollowUp.__table__.c.id == ids[0])
            .with_for_update()
        )
        # The other worker neither waits for the locked row nor takes it.
        got = claim_due(engine=pg_engine, worker_id="b", now=now, limit=10)
        txn.rollback()
    assert got == ids[1:]
    assert claim_due(engine=pg_engine, worker_id="a", now=now, limit=10) == ids[:1]


def test_two_threads_share_the_work_without_overlap(pg_engine) -> None:
    now = WED_10_BERLIN
    _due_reminders(pg_engine, 300, now)
    settings = get_settings()
    start = threading.Barrier(2)
    results: dict[str, dict[str, int]] = {}

    def run(name: str) -> None:
        start.wait()
        results[name] = process_due_followups(
            engine=pg_engine, settings=settings, worker_id=name, now=now
        )

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    handled = [results[n].get("reminded", 0) for n in ("a", "b")]
    print(f"two threads on PostgreSQL: {handled}")
    assert sum(handled) == 300, results
    events = _reminder_events(pg_engine)
    assert len(events) == 300 and set(events.values()) == {1}
    with Session(pg_engine) as s:
        by = Counter(f.claimed_by for f in s.exec(select(FollowUp)))
    assert by == Counter({"a": handled[0], "b": handled[1]})


def test_two_worker_processes_never_double_handle(pg_engine, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    ids = _due_reminders(pg_engine, 200, now)
    workers = [Worker(tmp_path, name=n) for n in ("alpha", "beta")]
    try:
        for n in ("alpha", "beta"):
            wait_for(lambda n=n: _beat(pg_engine, n), what=f"worker {n}")
        wait_for(lambda: sum(_reminder_events(pg_engine).values()) >= 200, what="all reminders")
    finally:
        codes = [w.stop() for w in workers]
    assert codes == [0, 0], [w.output() for w in workers]
    events = _reminder_events(pg_engine)
    assert len(events) == 200 and set(events.values()) == {1}
    with Session(pg_engine) as s:
        rows = s.exec(select(FollowUp).where(FollowUp.id.in_(ids))).all()  # type: ignore[union-attr]
    assert {r.status for r in rows} == {"done"}
    split = Counter(r.claimed_by for r in rows)
    assert set(split) <= {"alpha", "beta"}
    print(f"two worker processes on PostgreSQL: {dict(split)}")
    # A job store is never shared between schedulers: each worker name has its own table.
    names = set(inspect(pg_engine).get_table_names())
    assert {"apscheduler_jobs_alpha", "apscheduler_jobs_beta"} <= names


def _beat(engine, name: str) -> bool:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return s.get(WorkerHeartbeat, name) is not None
