"""A draft's life in the store: create (superseding older pending drafts) and re-lint.

Every module that writes a draft row goes through here, so that superseding and linting happen
the same way after triage, regeneration, relabelling, escalation and campaign reports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from responder.drafts.lint import lint_draft
from responder.settings import Settings, get_settings
from responder.store.models import Draft, Message

if TYPE_CHECKING:
    from responder.drafts.drafter import Drafter, DraftResult


def create_draft(
    *, session: Session, message: Message, label: str, kind: str | None, drafter: Drafter
) -> Draft | None:
    """Write a new pending draft for the message; older pending drafts are superseded."""
    result = drafter.draft(session=session, message=message, label=label, kind=kind)
    if result is None:
        return None
    supersede_pending(session=session, message_id=message.id)  # type: ignore[arg-type]
    draft = draft_row(message=message, label=label, result=result)
    session.add(draft)
    session.flush()
    return draft


def draft_row(*, message: Message, label: str, result: DraftResult) -> Draft:
    """The pending draft row for a drafter's result (not added to any session)."""
    return Draft(**draft_values(message=message, label=label, result=result))


def draft_values(*, message: Message, label: str, result: DraftResult) -> dict[str, Any]:
    """The columns of a new pending draft (batch triage inserts many at once; it does so only
    for messages that have no pending draft to supersede)."""
    return {
        "message_id": message.id,
        "kind": result.kind,
        "text": result.text,
        "label": label,
        "language": result.language,
        "template_name": result.template_name,
        "template_version": result.template_version,
        "method": result.method,
        "lint_ok": result.lint_ok,
        "lint_problems": list(result.lint_problems),
    }


def supersede_pending(*, session: Session, message_id: int) -> None:
    """Mark every pending draft of the message superseded."""
    now = datetime.now(UTC)
    for old in session.exec(
        select(Draft).where(Draft.message_id == message_id, Draft.status == "pending")
    ):
        old.status = "superseded"
        old.updated_at = now
        session.add(old)


def relint(*, draft: Draft, message: Message, settings: Settings | None = None) -> None:
    """Lint the draft's current text (after an edit or a hand-built note) and store the result.

    The draft's own language decides the checks (falling back to the message's, then English).
    """
    result = lint_draft(
        text=draft.text,
        kind=draft.kind,
        message_text=message.body,
        language=draft.language or message.language or "en",
        settings=settings or get_settings(),
    )
    draft.lint_ok = result.ok
    draft.lint_problems = list(result.problems)
