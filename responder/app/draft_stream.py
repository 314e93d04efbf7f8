"""Regenerate a draft while showing it being written: the drafter's `stream()` feeds the caller's
`on_chunk` (the app prints the plain text as it comes), then the finished, linted draft is stored
exactly as `pipeline.regenerate` would store it (older pending drafts superseded)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from responder.drafts.lifecycle import create_draft
from responder.errors import NotFoundError
from responder.settings import Settings
from responder.store.models import Draft, Message

log = logging.getLogger(__name__)


class _Finished:
    """A drafter that hands over a result already produced by streaming."""

    def __init__(self, result: Any) -> None:
        self._result = result

    def draft(self, **_: Any) -> Any:
        return self._result


def regenerate_streaming(
    *,
    session: Session,
    message_id: int,
    settings: Settings,
    drafter: Any,
    kind: str | None = None,
    on_chunk: Callable[[str], None] | None = None,
) -> Draft | None:
    """A fresh draft for the message's current label. Without a `stream()` on the drafter this is
    `pipeline.regenerate` (the whole text arrives as one chunk)."""
    message = session.get(Message, message_id)
    if message is None or message.label is None:
        raise NotFoundError(f"Message {message_id} has no label yet; triage it first.")
    stream = getattr(drafter, "stream", None)
    if stream is None:
        draft = create_draft(
            session=session, message=message, label=message.label, kind=kind, drafter=drafter
        )
        if draft is not None and on_chunk is not None:
            on_chunk(draft.text)
        return draft
    for chunk in stream(session=session, message=message, label=message.label, kind=kind):
        if on_chunk is not None:
            on_chunk(chunk)
    result = getattr(drafter, "last_result", None)
    if result is None:
        return None
    return create_draft(
        session=session,
        message=message,
        label=message.label,
        kind=kind,
        drafter=_Finished(result),
    )
