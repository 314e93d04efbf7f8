"""Crash safety (issue 8, part 4): SIGKILL the worker at random moments while it sends replies
and acts on follow-ups; restarts finish the work with nothing lost and nothing done twice.

The seed is random per run and printed on failure; RESPONDER_CRASH_SEED replays one.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from responder.store.models import Delivery, Event, FollowUp, WorkerHeartbeat
from tests.worker.conftest import message
from tests.worker.proc import Worker, wait_for
from tests.worker.test_worker_process import _deliveries

SEED = int(os.environ.get("RESPONDER_CRASH_SEED") or random.randrange(1 << 30))
DELIVERIES, REMINDERS, KILLS = 12, 20, 4


def _reminders(engine) -> list[int]:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with Session(engine) as s:
        ids = []
        for i in range(REMINDERS):
            m = message(s, sent_at=now - timedelta(days=4), who=f"genuine{i}")
            row = FollowUp(message_id=m.id, kind="reminder", due_at=now - timedelta(minutes=1))
            s.add(row)
            s.flush()
            ids.append(row.id)
        s.commit()
    return ids


def _settled(engine) -> bool:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        busy_d = s.exec(
            select(Delivery.id).where(col(Delivery.state).in_(("approved", "sending")))
        ).first()
        busy_f = s.exec(
            select(FollowUp.id).where(col(FollowUp.status).in_(("pending", "claimed")))
        ).first()
    return busy_d is None and busy_f is None


def _started(engine, pid: int) -> bool:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        row = s.get(WorkerHeartbeat, "worker")
    return row is not None and row.pid == pid


def test_random_sigkills_lose_nothing_and_send_nothing_twice(
    engine, tmp_path: Path, smtp_plain
) -> None:
    rng = random.Random(SEED)
    why = f"RESPONDER_CRASH_SEED={SEED}"
    smtp_plain.recorder.delay = 0.15
    env = smtp_plain.settings_env()
    deliveries = _deliveries(engine, DELIVERIES)
    reminders = _reminders(engine)
    kills = 0
    for _ in range(KILLS):
        worker = Worker(tmp_path, **env)
        try:
            wait_for(lambda w=worker: _started(engine, w.proc.pid), what="the worker to start")
            time.sleep(rng.uniform(0.0, 2.5))
        finally:
            worker.kill()
        kills += 1
        if _settled(engine):
            break
    final = Worker(tmp_path, **env)
    try:
        # When the killed workers already finished everything, _settled is true at once: wait
        # for this worker's start, or SIGTERM lands while it is still importing (exit -15).
        wait_for(lambda: _started(engine, final.proc.pid), what="the final worker to start")
        wait_for(lambda: _settled(engine), timeout=120, what=f"all work to settle ({why})")
    finally:
        assert final.stop() == 0, final.output()

    received = Counter(smtp_plain.recorder.message_ids())
    assert all(n == 1 for n in received.values()), f"a reply went out twice ({why})"
    with Session(engine) as s:
        states = {d.id: d for d in s.exec(select(Delivery))}
        events = Counter(
            e.message_id for e in s.exec(select(Event).where(Event.kind == "reminder"))
        )
        rows = s.exec(select(FollowUp).where(col(FollowUp.id).in_(reminders))).all()
    assert sorted(states) == sorted(deliveries)
    for d in states.values():
        assert d.state in {"sent", "uncertain"}, (d.state, why)  # nothing lost or stuck
        if d.state == "sent":
            assert received[d.outgoing_message_id] == 1, why
    assert sum(d.state == "sent" for d in states.values()) >= len(received) - sum(
        d.state == "uncertain" for d in states.values()
    )
    assert all(r.status == "done" for r in rows), why
    assert sorted(events.values()) == [1] * REMINDERS, f"a reminder fired twice ({why})"
    assert kills >= 1
    n_sent = sum(d.state == "sent" for d in states.values())
    print(
        f"{why}: {kills} kills, {n_sent} sent, {DELIVERIES - n_sent} uncertain, "
        f"{len(received)} received, {REMINDERS} reminders once each"
    )
