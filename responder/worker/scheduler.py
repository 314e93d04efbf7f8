"""The worker process (`responder worker`): an APScheduler 3 `BlockingScheduler` whose jobs act on
rows the app writes (follow-ups, outbox, tasks) and poll the IMAP folder.

Design (see also `responder.worker.jobs`):
- The job store is a `SQLAlchemyJobStore` on the project database. A job store must never be
  shared between schedulers, so each worker name has its own table (`apscheduler_jobs` for the
  default name, `apscheduler_jobs_<name>` for others).
- Jobs are module-level functions referenced by name, added at every start with explicit ids and
  `replace_existing=True`, so a changed setting (an interval, IMAP turned on) takes effect on
  restart and the store never collects duplicates. Jobs whose feature is off are removed.
- `coalesce=True` everywhere: every job is a sweep over rows (or a poll) that catches up on all
  missed work in one run, so running it N times after a pause would only repeat itself.
- `misfire_grace_time` per job: sweeps (follow-ups, outbox) still run when late (1 h: a late
  reminder beats none); tasks the same (the user is waiting on them); the heartbeat only within
  its own interval (a late beat is worth nothing once the next is due); the digest within 6 h
  (a digest at 14:00 after a sleeping laptop is still useful, yesterday's is not).
- `max_instances=1`: a long import never runs twice at once; other jobs run in other threads.
- SIGINT/SIGTERM stop the scheduler: the handler never raises into APScheduler's loop (which
  would swallow the exception) but runs `shutdown(wait=True)` in a thread, which lets a send in
  progress finish (and be marked sent) and then wakes the blocking loop; `finally` waits for it,
  or shuts down itself, and removes the heartbeat row.
- At start the worker reclaims what its previous life left: follow-ups and tasks it had claimed
  go back to the queue, outbox rows stuck in "sending" are reconciled (`responder.channels.outbox`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from responder.channels import smtp
from responder.channels.outbox import process_outbox, reconcile_sending
from responder.errors import ConfigError
from responder.followups.business_hours import user_tz
from responder.followups.due import process_due_followups, release_stale
from responder.ingest.imap import is_configured as imap_configured
from responder.settings import Settings, get_settings
from responder.store import db, tasks
from responder.store.claims import as_utc
from responder.store.models import JobRun, WorkerHeartbeat
from responder.worker import jobs
from responder.worker.imap_poll import poll_imap
from responder.worker.task_runner import run_queued_tasks

log = logging.getLogger(__name__)

DEFAULT_NAME = "worker"
TASK_POLL_SECONDS = 2


class _Stop(Exception):
    """Raised from the signal handler to unwind the blocking scheduler."""


def default_name() -> str:
    return os.environ.get("RESPONDER_WORKER_NAME") or DEFAULT_NAME


def jobstore_table(worker_name: str) -> str:
    if worker_name == DEFAULT_NAME:
        return "apscheduler_jobs"
    return "apscheduler_jobs_" + re.sub(r"[^a-z0-9_]", "_", worker_name.lower())[:40]


def job_specs(settings: Settings) -> dict[str, dict[str, Any]]:
    """Job id -> add_job arguments (trigger and misfire policy), for the features that are on."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    w = settings.worker
    specs: dict[str, dict[str, Any]] = {
        "heartbeat": {
            "func": "responder.worker.jobs:heartbeat_job",
            "trigger": IntervalTrigger(seconds=w.heartbeat_seconds),
            "misfire_grace_time": w.heartbeat_seconds,
        },
        "followups": {
            "func": "responder.worker.jobs:followups_job",
            "trigger": IntervalTrigger(seconds=w.tick_seconds),
            "misfire_grace_time": 3600,
        },
        "outbox": {
            "func": "responder.worker.jobs:outbox_job",
            "trigger": IntervalTrigger(seconds=w.tick_seconds),
            "misfire_grace_time": 3600,
        },
        "tasks": {
            "func": "responder.worker.jobs:tasks_job",
            "trigger": IntervalTrigger(seconds=TASK_POLL_SECONDS),
            "misfire_grace_time": 3600,
        },
    }

    if imap_configured(settings):
        minutes = max(1, settings.mail.imap_poll_minutes)
        specs["imap"] = {
            "func": "responder.worker.jobs:imap_job",
            "trigger": IntervalTrigger(minutes=minutes),
            "misfire_grace_time": minutes * 60,
        }
    if w.digest_enabled:
        specs["digest"] = {
            "func": "responder.worker.jobs:digest_job",
            "trigger": CronTrigger(hour=w.digest_hour, minute=0, timezone=user_tz(settings)),
            "misfire_grace_time": 6 * 3600,
        }
    return specs


ALL_JOB_IDS = ("heartbeat", "followups", "outbox", "tasks", "imap", "digest")


def build_scheduler(*, engine: Engine, settings: Settings, worker_name: str) -> Any:
    """The worker's scheduler with its jobs configured (not started yet)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    store = SQLAlchemyJobStore(engine=engine, tablename=jobstore_table(worker_name))
    scheduler = BlockingScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=user_tz(settings),
    )
    add_jobs(scheduler, store, settings=settings, worker_name=worker_name)
    return scheduler


def add_jobs(scheduler: Any, store: Any, *, settings: Settings, worker_name: str) -> list[str]:
    """Add (or replace, by id) the jobs for the features that are on; remove the others from the
    persistent store. Called before `start()`: added jobs wait as pending and replace the stored
    ones when the scheduler starts."""
    from apscheduler.jobstores.base import JobLookupError

    specs = job_specs(settings)
    store.start(scheduler, "default")  # opens (and creates) the table; start() does it again
    for job_id in ALL_JOB_IDS:
        if job_id not in specs:
            with contextlib.suppress(JobLookupError):
                store.remove_job(job_id)
    for job_id, spec in specs.items():
        scheduler.add_job(
            spec["func"],
            trigger=spec["trigger"],
            args=[worker_name],
            id=job_id,
            name=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec["misfire_grace_time"],
        )
    return list(specs)


def recover(
    *, engine: Engine, settings: Settings, worker_name: str, now: datetime | None = None
) -> dict[str, Any]:
    """What a (re)starting worker does before its jobs run: take back what its previous life
    left claimed (follow-ups, tasks) and reconcile replies stuck in "sending"."""

    now = as_utc(now)
    released = release_stale(engine=engine, now=now, worker_id=worker_name)
    with Session(engine) as s:
        alive = [
            r.name for r in _heartbeats(s) if _is_fresh(r, settings, now) and r.name != worker_name
        ]
        requeued = tasks.requeue_orphans(session=s, alive_workers=alive)
        s.commit()
    outbox = reconcile_sending(engine=engine, settings=settings, now=now, worker_id=worker_name)
    result = {"followups_released": released, "tasks_requeued": requeued, "outbox": outbox}
    log.info("worker %s recovered: %s", worker_name, result)
    return result


def _heartbeats(session: Session) -> list[WorkerHeartbeat]:
    return list(session.exec(select(WorkerHeartbeat)))


def _stale_after(settings: Settings) -> timedelta:
    return timedelta(seconds=3 * settings.worker.heartbeat_seconds + 5)


def _is_fresh(row: WorkerHeartbeat, settings: Settings, now: datetime) -> bool:
    """Running: not cleanly stopped (pid set) and beating recently."""
    return row.pid is not None and as_utc(now) - as_utc(row.last_seen) <= _stale_after(settings)


def _refuse_duplicate(engine: Engine, settings: Settings, worker_name: str) -> None:
    with Session(engine) as s:
        row = s.get(WorkerHeartbeat, worker_name)
    if row is None or not _is_fresh(row, settings, as_utc(None)):
        return
    if row.host == socket.gethostname() and row.pid is not None and not _pid_alive(row.pid):
        return  # our previous life on this machine, killed before it could clean up
    raise ConfigError(
        f"Another worker named {worker_name!r} is running (pid {row.pid} on {row.host}). "
        "Stop it, or start this one with another name: responder worker --name NAME."
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def run_worker(*, settings: Settings | None = None, worker_name: str | None = None) -> int:
    """Run the scheduler until SIGINT/SIGTERM. Returns the exit code."""
    settings = settings or get_settings()
    worker_name = worker_name or default_name()
    engine = db.get_engine()
    _refuse_duplicate(engine, settings, worker_name)

    scheduler: Any = None
    stopping: list[threading.Thread] = []

    def _on_signal(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        if scheduler is None or not scheduler.running:
            raise _Stop(name)  # still starting up: unwind our own code
        # The scheduler swallows exceptions raised inside its loop, so never raise there: stop
        # it from a thread (shutdown waits for running jobs, then wakes the blocking loop).
        if not stopping:
            log.info("worker %s stopping (%s)", worker_name, name)
            stopping.append(threading.Thread(target=scheduler.shutdown, name="shutdown"))
            stopping[0].start()

    for noisy in ("apscheduler.executors.default", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        jobs.beat(worker_name, started=True)
        recover(engine=engine, settings=settings, worker_name=worker_name)
        scheduler = build_scheduler(engine=engine, settings=settings, worker_name=worker_name)
        log.info(
            "worker %s started (pid %s): jobs %s; SMTP %s",
            worker_name,
            os.getpid(),
            ", ".join(job_specs(settings)),
            "on" if smtp.is_configured(settings) else "off",
        )
        scheduler.start()  # blocks until SIGINT/SIGTERM shuts it down
    except _Stop as stop:
        log.info("worker %s stopping (%s)", worker_name, stop)
    finally:
        if stopping:
            stopping[0].join()
        elif scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=True)
        _clear_heartbeat(engine, worker_name)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("worker %s stopped", worker_name)
    return 0


def _clear_heartbeat(engine: Engine, worker_name: str) -> None:
    """Mark the worker cleanly stopped: the row stays (last seen, started), `pid` becomes None."""
    try:
        with Session(engine) as s:
            row = s.get(WorkerHeartbeat, worker_name)
            if row is not None and row.pid == os.getpid():
                row.pid = None
                s.add(row)
                s.commit()
    except Exception:  # noqa: BLE001 - the database may be what failed
        log.warning("could not clear the heartbeat of %s", worker_name, exc_info=True)


def worker_status(
    *, session: Session, now: datetime | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """For the app: is a worker alive (fresh heartbeat), when was it last seen, and when each
    job last ran and how it went."""
    settings = settings or get_settings()
    now = as_utc(now)
    beats = _heartbeats(session)
    workers = [
        {
            "name": r.name,
            "pid": r.pid,
            "host": r.host,
            "started_at": r.started_at,
            "last_seen": r.last_seen,
            "alive": _is_fresh(r, settings, now),
        }
        for r in beats
    ]
    runs = session.exec(select(JobRun).order_by(col(JobRun.job_id)))
    return {
        "alive": any(w["alive"] for w in workers),
        "last_seen": max((as_utc(r.last_seen) for r in beats), default=None),
        "workers": workers,
        "jobs": [
            {
                "job_id": r.job_id,
                "last_started_at": r.last_started_at,
                "last_finished_at": r.last_finished_at,
                "last_status": r.last_status,
                "last_error": r.last_error,
                "runs": r.runs,
            }
            for r in runs
        ],
    }


def run_once(
    *, engine: Engine, settings: Settings, worker_name: str, now: datetime | None = None
) -> dict[str, Any]:
    """Every job's work once, in the foreground (`responder worker --once`, cron, tests)."""

    now = as_utc(now)
    jobs.beat(worker_name, now=now, started=True)
    result: dict[str, Any] = {
        "recovered": recover(engine=engine, settings=settings, worker_name=worker_name, now=now)
    }
    if imap_configured(settings):
        result["imap"] = poll_imap(engine=engine, settings=settings)
    result["tasks"] = run_queued_tasks(engine=engine, settings=settings, worker_id=worker_name)
    result["followups"] = process_due_followups(
        engine=engine, settings=settings, worker_id=worker_name, now=now
    )
    result["outbox"] = process_outbox(
        engine=engine, settings=settings, worker_id=worker_name, now=now
    )
    _clear_heartbeat(engine, worker_name)
    return result
