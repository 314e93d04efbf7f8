"""The real worker process: clean stop on SIGTERM, jobs and follow-ups across a restart, and
exactly-once sending when the worker is killed with SIGKILL in the middle of a send."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from responder.followups.rules import snooze
from responder.store.models import Delivery, Event, FollowUp, JobRun, Message, WorkerHeartbeat
from responder.worker.scheduler import worker_status
from tests.worker.conftest import message
from tests.worker.proc import Worker, wait_for
from tests.worker.test_outbox import approved, mail_message


def fresh(engine, model, ident):  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return s.get(model, ident)


def job_ids(engine) -> list[str]:  # type: ignore[no-untyped-def]
    if not sa.inspect(engine).has_table("apscheduler_jobs"):
        return []
    with engine.connect() as conn:
        return sorted(conn.execute(sa.text("SELECT id FROM apscheduler_jobs")).scalars())


def test_worker_runs_and_stops_cleanly_on_sigterm(engine, tmp_path: Path) -> None:
    worker = Worker(tmp_path)
    try:
        wait_for(lambda: fresh(engine, WorkerHeartbeat, "worker"), what="the heartbeat")
        wait_for(
            lambda: getattr(fresh(engine, JobRun, "followups"), "last_status", None),
            what="a follow-up sweep",
        )
        with Session(engine) as s:
            status = worker_status(session=s)
        assert status["alive"] and status["workers"][0]["pid"] == worker.proc.pid
        assert {j["job_id"]: j["last_status"] for j in status["jobs"]}["followups"] == "ok"
    finally:
        code = worker.stop(signal.SIGTERM)
    assert code == 0, worker.output()
    assert "stopped" in worker.output() and "Traceback" not in worker.output()
    row = fresh(engine, WorkerHeartbeat, "worker")
    assert row.pid is None and row.last_seen  # the app shows it stopped at once
    assert job_ids(engine) == ["followups", "heartbeat", "outbox", "tasks"]
    with Session(engine) as s:
        assert worker_status(session=s)["alive"] is False


def test_jobs_and_followups_persist_across_a_restart(engine, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with Session(engine) as s:
        msg = message(s, sent_at=now - timedelta(days=1))
        s.commit()
        msg_id = msg.id
    first = Worker(tmp_path)
    try:
        wait_for(lambda: fresh(engine, JobRun, "followups"), what="the scheduler to run")
        with Session(engine) as s:
            row = snooze(session=s, message_id=msg_id, until=now + timedelta(seconds=3), now=now)
            s.commit()
            fid = row.id
    finally:
        assert first.stop() == 0
    assert fresh(engine, FollowUp, fid).status == "pending"
    assert job_ids(engine) == ["followups", "heartbeat", "outbox", "tasks"]
    second = Worker(tmp_path)
    try:
        wait_for(lambda: fresh(engine, FollowUp, fid).status == "done", what="the snooze to end")
        wait_for(lambda: fresh(engine, JobRun, "followups").runs >= 3, what="more sweeps")
    finally:
        assert second.stop() == 0
    assert fresh(engine, Message, msg_id).status == "open"
    with Session(engine) as s:
        assert len(s.exec(select(Event).where(Event.kind == "snooze_ended")).all()) == 1
    assert job_ids(engine) == ["followups", "heartbeat", "outbox", "tasks"]  # replaced, not added


def _deliveries(engine, n: int = 1) -> list[int]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return [approved(s, mail_message(s, i)).id for i in range(1, n + 1)]


def test_sigkill_between_accepted_and_marked_sent_never_sends_twice(
    engine, tmp_path: Path, smtp_plain
) -> None:
    [did] = _deliveries(engine)
    marker = tmp_path / "accepted"
    env = smtp_plain.settings_env()
    crashing = Worker(tmp_path, RESPONDER_FAULT_HOOK=f"after_smtp_accept:{marker}", **env)
    try:
        wait_for(marker.exists, what="the server to accept the mail")
    finally:
        crashing.kill()
    assert len(smtp_plain.received) == 1
    stuck = fresh(engine, Delivery, did)
    assert stuck.state == "sending" and stuck.outgoing_message_id
    restarted = Worker(tmp_path, **env)
    try:
        wait_for(lambda: fresh(engine, Delivery, did).state != "sending", what="reconciliation")
        wait_for(lambda: fresh(engine, JobRun, "outbox").runs >= 3, what="more outbox runs")
    finally:
        assert restarted.stop() == 0
    settled = fresh(engine, Delivery, did)
    assert settled.state == "uncertain" and "Sent folder" in settled.last_error
    assert smtp_plain.recorder.message_ids() == [stuck.outgoing_message_id]  # once, not twice


def test_sigkill_before_the_id_is_stored_sends_after_restart(
    engine, tmp_path: Path, smtp_plain
) -> None:
    # Killed right after the claim: no Message-ID was stored, so nothing can have left.
    [did] = _deliveries(engine)
    with Session(engine) as s:
        d = s.get(Delivery, did)
        d.state, d.claimed_by, d.claimed_at = "sending", "worker", datetime.now(UTC)
        d.attempts = 1
        s.add(d)
        s.commit()
    worker = Worker(tmp_path, **smtp_plain.settings_env())
    try:
        wait_for(lambda: fresh(engine, Delivery, did).state == "sent", what="the send")
    finally:
        assert worker.stop() == 0
    assert len(smtp_plain.received) == 1
