"""Long work the app hands to the worker: `Task` rows (import, triage, reclassify, train).

The app enqueues a row and polls it; the worker claims queued rows, reports progress into the
row while it works and stores a result. Progress is written in its own short transaction so a
poll from the app sees it at once.

States: queued -> running -> done | failed. A worker that dies leaves a row "running"; the next
worker start calls `requeue_orphans` to give it back to the queue.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from responder.errors import NotFoundError
from responder.store.models import Task

log = logging.getLogger(__name__)

KINDS = frozenset({"import", "triage", "reclassify", "train"})
ACTIVE_STATES = ("queued", "running")
Progress = Callable[[int, int | None], None]


def _now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def enqueue(
    *, session: Session, kind: str, params: dict[str, Any] | None = None, message: str = ""
) -> Task:
    """Add a task for the worker (the caller commits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown task kind {kind!r}; one of {', '.join(sorted(KINDS))}")
    task = Task(kind=kind, params=dict(params or {}), message=message or f"{kind}: waiting")
    session.add(task)
    session.flush()
    log.info("task %s (%s) queued", task.id, kind)
    return task


def get(*, session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFoundError(f"Task {task_id} does not exist.")
    return task


def active(*, session: Session, kind: str | None = None) -> list[Task]:
    stmt = select(Task).where(col(Task.status).in_(ACTIVE_STATES))
    if kind:
        stmt = stmt.where(Task.kind == kind)
    return list(session.exec(stmt.order_by(col(Task.id))))


def recent(*, session: Session, limit: int = 10) -> list[Task]:
    return list(session.exec(select(Task).order_by(col(Task.id).desc()).limit(limit)))


def claim_next(*, session: Session, worker: str | None = None) -> Task | None:
    """Claim the oldest queued task (a conditional UPDATE, so two workers never take the same
    row). The caller commits."""
    worker = worker or worker_name()
    for task_id in session.exec(
        select(Task.id).where(Task.status == "queued").order_by(col(Task.id)).limit(5)
    ):
        result = session.exec(  # type: ignore[call-overload]
            update(Task)
            .where(col(Task.id) == task_id, Task.status == "queued")
            .values(status="running", claimed_by=worker, started_at=_now(), message="started")
        )
        if result.rowcount == 1:
            task = session.get(Task, task_id)
            if task is not None:
                session.refresh(task)
            return task
    return None


def set_progress(
    *, engine: Engine, task_id: int, done: int, total: int | None, message: str | None = None
) -> None:
    """Record progress in its own transaction (the app polls it)."""
    values: dict[str, Any] = {"done": int(done), "total": total}
    if message is not None:
        values["message"] = message[:2000]
    with Session(engine) as s:
        s.exec(update(Task).where(col(Task.id) == task_id).values(**values))  # type: ignore[call-overload]
        s.commit()


def progress_callback(*, engine: Engine, task_id: int, label: str) -> Progress:
    """A `progress(done, total)` function for core work that writes into the task row."""

    def report(done: int, total: int | None) -> None:
        shown = f"{label}: {done}" + (f" of {total}" if total else "")
        set_progress(engine=engine, task_id=task_id, done=done, total=total, message=shown)

    return report


def finish(*, session: Session, task_id: int, result: dict[str, Any], message: str = "") -> Task:
    task = get(session=session, task_id=task_id)
    task.status = "done"
    task.result = result
    task.message = message or "done"
    task.finished_at = _now()
    if task.total is not None:
        task.done = task.total
    session.add(task)
    return task


def fail(*, session: Session, task_id: int, error: str) -> Task:
    task = get(session=session, task_id=task_id)
    task.status = "failed"
    task.message = error[:2000]
    task.finished_at = _now()
    session.add(task)
    return task


def requeue_orphans(*, session: Session, alive_workers: Iterable[str] = ()) -> int:
    """Give back to the queue the "running" tasks whose worker is gone (claimed by a worker not
    in `alive_workers`). A worker calls this when it starts. Returns how many were requeued."""
    stmt = update(Task).where(Task.status == "running")
    alive = [w for w in alive_workers if w]
    if alive:
        stmt = stmt.where(col(Task.claimed_by).not_in(alive))
    result = session.exec(  # type: ignore[call-overload]
        stmt.values(status="queued", claimed_by=None, message="requeued after a worker stopped")
    )
    return int(result.rowcount or 0)


def fraction(task: Task) -> float | None:
    """Progress as 0..1, or None when the total is unknown."""
    if task.status == "done":
        return 1.0
    if not task.total:
        return None
    return max(0.0, min(1.0, task.done / task.total))
