"""Import and triage from the app: small work runs inline with a progress bar, large work becomes
a `Task` the worker runs while the page polls (so the user can go on working elsewhere)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st

from responder.ingest.importer import import_path, load_demo_inbox
from responder.settings import Settings
from responder.store import tasks
from responder.triage.pipeline import pending_count, triage_new
from responder.worker.scheduler import worker_status
from responder.worker.task_runner import run_queued_tasks
from ui.state import chat_model, get_engine, session_scope

log = logging.getLogger(__name__)

#: Uploads up to this size are imported inline; larger ones go to the worker.
INLINE_MAX_BYTES = 2 * 1024 * 1024
#: Untriaged messages up to this count are triaged inline; more go to the worker.
INLINE_TRIAGE_MAX = 300
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def progress_bar(text: str) -> tuple[Any, Any]:
    """An `st.progress` and a `progress(done, total)` callback that moves it."""
    bar = st.progress(0.0, text=text)

    def report(done: int, total: int | None) -> None:
        if total:
            bar.progress(min(1.0, done / total), text=f"{text} {done} of {total}")
        else:
            bar.progress(0.0, text=f"{text} {done}")

    return bar, report


def save_upload(*, settings: Settings, name: str, data: bytes) -> Path:
    """Store an upload under <data_dir>/uploads with a safe, unique name."""
    folder = settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", Path(name).name).strip("._") or "upload"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{stem[-120:]}"
    path.write_bytes(data)
    return path


def triage_inline(settings: Settings) -> dict[str, Any]:

    bar, report = progress_bar("Sorting messages…")
    summary = triage_new(
        engine=get_engine(),
        settings=settings,
        chat_model=chat_model(settings, purpose="classify"),
        progress=report,
    )
    bar.empty()
    return summary.to_dict()


def untriaged_count() -> int:

    with session_scope() as s:
        return pending_count(s)


def triage_or_enqueue(settings: Settings) -> tuple[dict[str, Any] | None, int | None]:
    """Triage new messages now when there are few; else queue a task. Returns (summary, task id)."""
    waiting = untriaged_count()
    if waiting == 0:
        return {"triaged": 0}, None
    if waiting <= INLINE_TRIAGE_MAX:
        return triage_inline(settings), None
    with session_scope() as s:
        task = tasks.enqueue(session=s, kind="triage", message=f"triage: {waiting} waiting")
        return None, task.id


def load_demo(settings: Settings) -> dict[str, Any]:
    """Import the demo inbox and sort it (inline: it is small). Returns the import summary."""

    with st.spinner("Loading the demo inbox…"):
        summary = load_demo_inbox(engine=get_engine(), settings=settings)
    triage_inline(settings)
    return summary.to_dict()


def import_inline(*, settings: Settings, path: Path) -> dict[str, Any]:

    bar, report = progress_bar(f"Importing {path.name.split('-', 1)[-1]}…")
    summary = import_path(engine=get_engine(), path=path, settings=settings, progress=report)
    bar.empty()
    result = summary.to_dict()
    if result.get("imported"):
        triage_inline(settings)
    return result


def enqueue_import(*, path: Path, name: str) -> int:
    with session_scope() as s:
        task = tasks.enqueue(
            session=s,
            kind="import",
            params={"path": str(path), "name": name, "triage": True},
            message=f"import {name}: waiting for the worker",
        )
        return int(task.id)  # type: ignore[arg-type]


def worker_alive() -> bool | None:
    """Whether a worker has a fresh heartbeat (None when the worker module is missing)."""

    with session_scope() as s:
        return bool(worker_status(session=s).get("alive"))


def run_queued_here(settings: Settings) -> dict[str, int]:
    """Run the queued tasks in the app process (when no worker is running)."""
    import os

    return run_queued_tasks(
        engine=get_engine(), settings=settings, worker_id=f"app:{os.getpid()}", limit=20
    )
