"""The worker's runner for queued `Task` rows (the app enqueues them with `responder.store.tasks`).

One task at a time per call: claim (conditional UPDATE), run the kind's function with a progress
callback that writes into the row, store the result or the error. New kinds register a function
in `TASK_RUNNERS` (`register_task_kind`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from responder.ingest.importer import import_path
from responder.llm import chat_model_for
from responder.settings import Settings
from responder.store import tasks
from responder.store.models import Event
from responder.triage.pipeline import triage_new

log = logging.getLogger(__name__)

Runner = Callable[..., dict[str, Any]]


def _run_triage(
    *, engine: Engine, settings: Settings, params: dict[str, Any], progress: tasks.Progress
) -> dict[str, Any]:

    limit = params.get("limit")
    summary = triage_new(
        engine=engine,
        settings=settings,
        chat_model=chat_model_for(settings),
        limit=int(limit) if limit else None,
        progress=progress,
    )
    return summary.to_dict()


def _run_import(
    *, engine: Engine, settings: Settings, params: dict[str, Any], progress: tasks.Progress
) -> dict[str, Any]:

    path = params.get("path")
    if not path:
        raise ValueError("an import task needs a 'path'")
    summary = import_path(
        engine=engine,
        path=Path(path),
        settings=settings,
        progress=progress,
        display_name=params.get("name"),
    )
    result: dict[str, Any] = summary.to_dict() if hasattr(summary, "to_dict") else {}
    if params.get("triage", True):
        result["triage"] = _run_triage(
            engine=engine, settings=settings, params={}, progress=progress
        )
    return result


TASK_RUNNERS: dict[str, Runner] = {"triage": _run_triage, "import": _run_import}


def register_task_kind(kind: str, runner: Runner) -> None:
    """Let the worker run tasks of `kind` with `runner(engine=, settings=, params=, progress=)`."""
    TASK_RUNNERS[kind] = runner


def run_next_task(*, engine: Engine, settings: Settings, worker_id: str) -> str | None:
    """Claim and run the oldest queued task; returns its final status, or None if none waited."""
    with Session(engine, expire_on_commit=False) as s:
        task = tasks.claim_next(session=s, worker=worker_id)
        s.commit()
    if task is None:
        return None
    task_id, kind = int(task.id), task.kind  # type: ignore[arg-type]
    runner = TASK_RUNNERS.get(kind)
    progress = tasks.progress_callback(engine=engine, task_id=task_id, label=kind)
    try:
        if runner is None:
            raise ValueError(f"this worker cannot run {kind!r} tasks yet")
        result = runner(
            engine=engine, settings=settings, params=dict(task.params), progress=progress
        )
    except Exception as exc:
        log.exception("task %s (%s) failed", task_id, kind)
        with Session(engine) as s:
            tasks.fail(session=s, task_id=task_id, error=f"{kind} failed: {exc}")
            s.add(
                Event(kind="task_failed", level="error", detail=f"task {task_id} ({kind}): {exc}")
            )
            s.commit()
        return "failed"
    with Session(engine) as s:
        tasks.finish(session=s, task_id=task_id, result=result, message=f"{kind} done")
        s.commit()
    return "done"


def run_queued_tasks(
    *, engine: Engine, settings: Settings, worker_id: str, limit: int = 5
) -> dict[str, int]:
    """Run up to `limit` queued tasks one after the other."""
    counts: dict[str, int] = {}
    for _ in range(limit):
        status = run_next_task(engine=engine, settings=settings, worker_id=worker_id)
        if status is None:
            break
        counts[status] = counts.get(status, 0) + 1
    return counts
