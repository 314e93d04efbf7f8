"""Import and triage from the app: progress bars and spinners around `responder.app.imports`
(which decides what runs inline and what becomes a worker task), and the worker's queue."""

from __future__ import annotations

import logging
import os
from typing import Any

import streamlit as st

from responder.app import imports
from responder.settings import Settings
from responder.worker.scheduler import worker_status
from responder.worker.task_runner import run_queued_tasks
from ui.state import app_context

log = logging.getLogger(__name__)


def progress_bar(text: str) -> tuple[Any, Any]:
    """An `st.progress` and a `progress(done, total)` callback that moves it."""
    bar = st.progress(0.0, text=text)

    def report(done: int, total: int | None) -> None:
        if total:
            bar.progress(min(1.0, done / total), text=f"{text} {done} of {total}")
        else:
            bar.progress(0.0, text=f"{text} {done}")

    return bar, report


def triage_inline(settings: Settings) -> dict[str, Any]:
    bar, report = progress_bar("Sorting messages…")
    result = imports.triage_now(ctx=app_context(), settings=settings, progress=report)
    bar.empty()
    return result


def untriaged_count() -> int:
    return imports.untriaged_count(ctx=app_context())


def triage_or_enqueue(settings: Settings) -> imports.Outcome:
    """Triage new messages now when there are few; else queue a task (see `imports`)."""
    bar, report = progress_bar("Sorting messages…")
    outcome = imports.triage_or_enqueue(ctx=app_context(), settings=settings, progress=report)
    bar.empty()
    return outcome


def load_demo(settings: Settings) -> dict[str, Any]:
    """Import the demo inbox and sort it. Returns the import summary."""
    with st.spinner("Loading the demo inbox…"):
        return imports.load_demo(ctx=app_context(), settings=settings)


def import_upload(*, settings: Settings, name: str, data: bytes) -> imports.Outcome:
    bar, report = progress_bar(f"Importing {name}…")
    outcome = imports.import_upload(
        ctx=app_context(), settings=settings, name=name, data=data, progress=report
    )
    bar.empty()
    return outcome


def worker_alive() -> bool:
    """Whether a worker has a fresh heartbeat."""
    with app_context().read_session() as s:
        return bool(worker_status(session=s).get("alive"))


def run_queued_here(settings: Settings) -> dict[str, int]:
    """Run the queued tasks in the app process (when no worker is running)."""
    return run_queued_tasks(
        engine=app_context().engine, settings=settings, worker_id=f"app:{os.getpid()}", limit=20
    )
