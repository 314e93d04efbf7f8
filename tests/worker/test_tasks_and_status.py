"""Queued tasks run by the worker, its status for the app, digest, and `responder worker --once`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from responder.channels.digest import send_digest
from responder.cli import app
from responder.store import tasks
from responder.store.models import Event, JobRun, Message, Task
from responder.worker.jobs import beat, run_recorded
from responder.worker.scheduler import job_specs, recover, worker_status
from responder.worker.task_runner import run_next_task
from tests.worker.conftest import message
from tests.worker.proc import Worker, wait_for

EML = (
    b"From: Kim Example <kim@example.test>\r\nTo: alex@example.test\r\n"
    b"Subject: Coffee next week?\r\nMessage-ID: <kim-1@example.test>\r\n"
    b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n\r\nHi Alex, shall we meet on Tuesday?\r\n"
)


def _task(engine, kind: str, **params) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        task = tasks.enqueue(session=s, kind=kind, params=params)
        s.commit()
        return int(task.id)


def test_import_task_imports_triages_and_reports_progress(engine, settings, tmp_path) -> None:
    path = tmp_path / "kim.eml"
    path.write_bytes(EML)
    tid = _task(engine, "import", path=str(path))
    assert run_next_task(engine=engine, settings=settings, worker_id="w") == "done"
    with Session(engine) as s:
        task = s.get(Task, tid)
        [msg] = s.exec(select(Message)).all()
    assert task.status == "done" and task.claimed_by == "w" and task.done == task.total
    assert task.result["imported"] == 1 and task.result["triage"]["triaged"] == 1
    assert msg.triage_status == "triaged"
    assert run_next_task(engine=engine, settings=settings, worker_id="w") is None


def test_triage_task_and_unknown_kinds(engine, settings) -> None:
    with Session(engine) as s:
        mid = message(s, sent_at=datetime.now(UTC), label=None, triage_status="new").id
        s.commit()
    tid = _task(engine, "triage")
    assert run_next_task(engine=engine, settings=settings, worker_id="w") == "done"
    bad = _task(engine, "train")
    assert run_next_task(engine=engine, settings=settings, worker_id="w") == "failed"
    with Session(engine) as s:
        assert s.get(Task, tid).result["triaged"] == 1
        assert s.get(Message, mid).triage_status == "triaged"
        failed = s.get(Task, bad)
        assert failed.status == "failed" and "cannot run 'train'" in failed.message
        assert s.exec(select(Event).where(Event.kind == "task_failed")).one()


def test_restart_requeues_the_tasks_a_dead_worker_was_running(engine, settings) -> None:
    tid = _task(engine, "triage")
    with Session(engine) as s:
        tasks.claim_next(session=s, worker="worker")
        s.commit()
    beat("other-live-worker")
    assert recover(engine=engine, settings=settings, worker_name="worker")["tasks_requeued"] == 1
    with Session(engine) as s:
        assert s.get(Task, tid).status == "queued"


def test_worker_status_for_the_app(engine, settings) -> None:
    now = datetime.now(UTC)
    beat("w1", now=now - timedelta(minutes=5), started=True)
    run_recorded("outbox", lambda: None)
    run_recorded("followups", lambda: 1 / 0)
    with Session(engine) as s:
        stale = worker_status(session=s, now=now)
        beat("w1", now=now)
        fresh = worker_status(session=s, now=now)
        runs = {r.job_id: r for r in s.exec(select(JobRun))}
    assert stale["alive"] is False and fresh["alive"] is True
    assert fresh["last_seen"] == now
    jobs = {j["job_id"]: j for j in fresh["jobs"]}
    assert jobs["outbox"]["last_status"] == "ok" and jobs["followups"]["last_status"] == "error"
    assert "division by zero" in jobs["followups"]["last_error"] and runs["outbox"].runs == 1


def test_imap_and_digest_jobs_only_when_configured(configure) -> None:
    assert set(job_specs(configure())) == {"heartbeat", "followups", "outbox", "tasks"}
    settings = configure(
        RESPONDER_MAIL_IMAP_HOST="127.0.0.1",
        RESPONDER_MAIL_IMAP_USERNAME="u",
        RESPONDER_WORKER_DIGEST_ENABLED="true",
        RESPONDER_MAIL_IMAP_POLL_MINUTES="7",
    )
    specs = job_specs(settings)
    assert specs["imap"]["trigger"].interval == timedelta(minutes=7)
    assert str(specs["digest"]["trigger"].timezone) == "Europe/Berlin"


def test_digest_card(engine, settings) -> None:
    with Session(engine) as s:
        message(s, sent_at=datetime.now(UTC))
        s.commit()
    text = send_digest(engine=engine, settings=settings)
    assert text.startswith("Last 24 hours: 1 messages received")
    with Session(engine) as s:
        assert s.exec(select(Event).where(Event.kind == "digest")).one().detail == text


def test_worker_once_and_status_commands(engine) -> None:
    runner = CliRunner()
    once = runner.invoke(app, ["worker", "--once"])
    assert once.exit_code == 0, once.output
    assert json.loads(once.stdout.strip().splitlines()[-1])["followups"] == {}
    status = runner.invoke(app, ["worker", "--status"])
    assert json.loads(status.stdout.strip().splitlines()[-1])["alive"] is False


def test_the_running_worker_picks_up_queued_tasks(engine, tmp_path: Path) -> None:
    path = tmp_path / "kim.eml"
    path.write_bytes(EML)
    worker = Worker(tmp_path)
    try:
        # The triage after an import is covered above; here only the pick-up matters.
        tid = _task(engine, "import", path=str(path), triage=False)

        def done() -> bool:
            with Session(engine) as s:
                return s.get(Task, tid).status in {"done", "failed"}

        wait_for(done, timeout=60, what="the import task")
    finally:
        assert worker.stop() == 0
    with Session(engine) as s:
        assert s.get(Task, tid).status == "done", worker.output()


def test_digest_mail_goes_to_the_user(engine, configure, smtp_plain) -> None:
    settings = configure(
        **smtp_plain.settings_env(), RESPONDER_PROFILE_EMAILS='["me@example.test"]'
    )
    text = send_digest(engine=engine, settings=settings)
    [got] = smtp_plain.received
    assert got.rcpt_tos == ["me@example.test"] and got.message["Auto-Submitted"] == "auto-generated"
    assert got.message.get_payload().replace("\r\n", "\n").strip() == text
