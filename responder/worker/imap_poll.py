"""The worker's IMAP job: import new mail, then triage what arrived."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from responder.ingest.imap import fetch_new_mail
from responder.llm import chat_model_for
from responder.settings import Settings
from responder.triage.pipeline import pending_count, triage_new


def poll_imap(
    *, engine: Engine, settings: Settings, batch: int = 200, triage: bool = True
) -> dict[str, int]:
    """Import new mail from the configured folder (at most `batch` per call), then triage it."""
    counts = fetch_new_mail(engine=engine, settings=settings, batch=batch)
    if triage:
        with Session(engine) as s:
            waiting = pending_count(s)
        if waiting:
            triage_new(engine=engine, settings=settings, chat_model=chat_model_for(settings))
    return counts
