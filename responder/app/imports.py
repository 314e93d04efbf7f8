"""Import and triage from the app: the inline-or-queue policy.

Small work runs in the app process (the page shows a progress bar); large work becomes a `Task` the
worker runs while the page polls, so the user can go on working elsewhere. Pages call these
functions with a progress callback and render what they return.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from responder.app.context import AppContext
from responder.errors import ConfigError
from responder.ingest.importer import import_path, import_text, load_demo_inbox
from responder.settings import Settings
from responder.store import tasks
from responder.triage.pipeline import pending_count, triage_new

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]

#: Uploads up to this size are imported inline; larger ones go to the worker.
INLINE_MAX_BYTES = 2 * 1024 * 1024
#: Untriaged messages up to this count are triaged inline; more go to the worker.
INLINE_TRIAGE_MAX = 300
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Outcome:
    """What an app action did: a result shown now, or a task id the worker runs."""

    result: dict[str, Any] | None = None
    task_id: int | None = None


def runs_inline(size_bytes: int) -> bool:
    """Whether an upload of `size_bytes` is imported in the app (else by the worker)."""
    return size_bytes <= INLINE_MAX_BYTES


def save_upload(*, settings: Settings, name: str, data: bytes) -> Path:
    """Store an upload under <data_dir>/uploads with a safe, unique name."""
    folder = settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", Path(name).name).strip("._") or "upload"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{stem[-120:]}"
    path.write_bytes(data)
    return path


def _chat_model(ctx: AppContext, settings: Settings, purpose: str) -> Any:
    try:
        return ctx.chat_model(settings, purpose=purpose)
    except ConfigError as exc:
        log.warning("language model unavailable, offline triage: %s", exc)
        return None


def triage_now(
    *, ctx: AppContext, settings: Settings, progress: Progress | None = None
) -> dict[str, Any]:
    """Sort the untriaged messages in this process."""
    summary = triage_new(
        engine=ctx.engine,
        settings=settings,
        chat_model=_chat_model(ctx, settings, "classify"),
        progress=progress,
    )
    return summary.to_dict()


def untriaged_count(*, ctx: AppContext) -> int:
    with ctx.read_session() as s:
        return pending_count(s)


def triage_or_enqueue(
    *, ctx: AppContext, settings: Settings, progress: Progress | None = None
) -> Outcome:
    """Triage new messages now when there are few; else queue a task for the worker."""
    waiting = untriaged_count(ctx=ctx)
    if waiting == 0:
        return Outcome(result={"triaged": 0})
    if waiting <= INLINE_TRIAGE_MAX:
        return Outcome(result=triage_now(ctx=ctx, settings=settings, progress=progress))
    with ctx.session_scope() as s:
        task = tasks.enqueue(session=s, kind="triage", message=f"triage: {waiting} waiting")
        return Outcome(task_id=int(task.id))  # type: ignore[arg-type]


def load_demo(
    *, ctx: AppContext, settings: Settings, progress: Progress | None = None
) -> dict[str, Any]:
    """Import the demo inbox and sort it (inline: it is small). Returns the import summary."""
    summary = load_demo_inbox(engine=ctx.engine, settings=settings)
    result = summary.to_dict()
    result["triage"] = triage_now(ctx=ctx, settings=settings, progress=progress)
    return result


def import_upload(
    *,
    ctx: AppContext,
    settings: Settings,
    name: str,
    data: bytes,
    progress: Progress | None = None,
) -> Outcome:
    """Save an upload and import it: inline (then sorted) when small, else as a worker task.
    Messages name the file as the user called it (`name`), not the stored copy."""
    path = save_upload(settings=settings, name=name, data=data)
    if not runs_inline(len(data)):
        with ctx.session_scope() as s:
            task = tasks.enqueue(
                session=s,
                kind="import",
                params={"path": str(path), "name": name, "triage": True},
                message=f"import {name}: waiting for the worker",
            )
            return Outcome(task_id=int(task.id))  # type: ignore[arg-type]
    summary = import_path(
        engine=ctx.engine, path=path, settings=settings, progress=progress, display_name=name
    )
    result = summary.to_dict()
    if result.get("imported"):
        result["triage"] = triage_now(ctx=ctx, settings=settings, progress=progress)
    return Outcome(result=result)


def import_pasted(
    *, ctx: AppContext, settings: Settings, text: str, sender: str = ""
) -> dict[str, Any]:
    """Import one pasted message (sorted at once). `sender` names who wrote it when the text has
    no "From:" line."""
    summary = import_text(engine=ctx.engine, text=text, settings=settings, sender=sender)
    result = summary.to_dict()
    if result.get("imported"):
        result["triage"] = triage_now(ctx=ctx, settings=settings)
    return result
