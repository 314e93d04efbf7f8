"""The scheduled jobs: module-level functions that take only the worker's name, so the
SQLAlchemy job store can keep them as references ("responder.worker.jobs:outbox_job") across restarts.

Each job opens its own short sessions on the process's engine, records its run in `JobRun` (the
app shows when each job last ran and how it went) and never lets an exception escape into the
scheduler (it is logged and recorded instead). The work itself lives in core functions that take
`now`, so tests drive time without the scheduler.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from responder.app.context import runtime_settings
from responder.channels.digest import send_digest
from responder.channels.outbox import process_outbox, reconcile_sending
from responder.followups.due import process_due_followups, release_stale
from responder.store import db
from responder.store.claims import as_utc, utcnow
from responder.store.models import JobRun, WorkerHeartbeat
from responder.store.tasks import active
from responder.worker.imap_poll import poll_imap
from responder.worker.task_runner import run_queued_tasks

log = logging.getLogger(__name__)


def _record(job_id: str, **values: Any) -> None:
    for _ in range(2):  # two workers may create the same row at once: retry as an update
        try:
            with Session(db.get_engine()) as s:
                row = s.get(JobRun, job_id) or JobRun(job_id=job_id)
                for key, value in values.items():
                    setattr(row, key, value)
                if "last_started_at" in values:
                    row.runs += 1
                s.add(row)
                s.commit()
                return
        except IntegrityError:
            continue


def run_recorded(job_id: str, fn: Callable[[], Any]) -> Any:
    """Run `fn` as job `job_id`, recording start, end and outcome in `JobRun`."""
    _record(job_id, last_started_at=utcnow())
    try:
        result = fn()
    except Exception as exc:
        log.exception("job %s failed", job_id)
        _record(job_id, last_finished_at=utcnow(), last_status="error", last_error=str(exc)[:2000])
        return None
    _record(job_id, last_finished_at=utcnow(), last_status="ok", last_error=None)
    return result


def beat(worker_name: str, *, now: datetime | None = None, started: bool = False) -> None:
    """Write this worker's heartbeat row (the app shows the worker alive while it is fresh)."""
    now = as_utc(now)
    with Session(db.get_engine()) as s:
        row = s.get(WorkerHeartbeat, worker_name) or WorkerHeartbeat(name=worker_name)
        row.pid, row.host, row.last_seen = os.getpid(), socket.gethostname(), now
        if started:
            row.started_at = now
        s.add(row)
        s.commit()


def heartbeat_job(worker_name: str) -> None:
    beat(worker_name)


def followups_job(worker_name: str) -> None:

    def work() -> dict[str, int]:
        engine, now = db.get_engine(), utcnow()
        release_stale(engine=engine, now=now)
        return process_due_followups(
            engine=engine, settings=runtime_settings(), worker_id=worker_name, now=now
        )

    run_recorded("followups", work)


def outbox_job(worker_name: str) -> None:

    def work() -> dict[str, int]:
        engine, settings, now = db.get_engine(), runtime_settings(), utcnow()
        reconcile_sending(engine=engine, settings=settings, now=now)
        return process_outbox(engine=engine, settings=settings, worker_id=worker_name, now=now)

    run_recorded("outbox", work)


def imap_job(worker_name: str) -> None:

    run_recorded("imap", lambda: poll_imap(engine=db.get_engine(), settings=runtime_settings()))


def tasks_job(worker_name: str) -> None:

    def work() -> dict[str, int]:
        return run_queued_tasks(
            engine=db.get_engine(), settings=runtime_settings(), worker_id=worker_name
        )

    # Recorded only when there was something to do: it runs every few seconds.

    with Session(db.get_engine()) as s:
        waiting = any(t.status == "queued" for t in active(session=s))
    if waiting:
        run_recorded("tasks", work)


def digest_job(worker_name: str) -> None:

    run_recorded("digest", lambda: send_digest(engine=db.get_engine(), settings=runtime_settings()))
