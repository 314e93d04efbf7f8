"""A draft's life in the store: create (superseding older pending drafts) and re-lint.

Every module that writes a draft row goes through here, so that superseding and linting happen
the same way after triage, regeneration, relabelling, escalation and campaign reports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from responder.drafts.lint import SIGNED_KINDS, lint_draft
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


def pending_to_regenerate(
    *, session: Session, template_name: str | None = None
) -> tuple[list[int], int]:
    """(ids of the pending drafts a profile or template change makes stale, how many pending
    drafts are kept because the user edited them).

    `template_name` None: the drafts sent in the user's name (the profile signs them); otherwise
    the drafts written from that template."""
    stmt = select(Draft.id, Draft.edited).where(Draft.status == "pending")
    if template_name is None:
        stmt = stmt.where(col(Draft.kind).in_(sorted(SIGNED_KINDS)))
    else:
        stmt = stmt.where(Draft.template_name == template_name)
    rows = list(session.exec(stmt.order_by(col(Draft.id))))
    return [int(i) for i, edited in rows if not edited and i is not None], sum(
        1 for _, edited in rows if edited
    )


def regenerate_pending(
    *, session: Session, drafter: Drafter, template_name: str | None = None
) -> tuple[int, int]:
    """Rewrite the stale pending drafts (see `pending_to_regenerate`) with the current profile
    and templates; edited drafts are kept. Returns (regenerated, kept because edited)."""
    ids, kept = pending_to_regenerate(session=session, template_name=template_name)
    done = 0
    for draft_id in ids:
        old = session.get(Draft, draft_id)
        message = session.get(Message, old.message_id) if old is not None else None
        if old is None or message is None or old.status != "pending":
            continue
        label = old.label or message.label
        if label is None:
            continue
        if create_draft(
            session=session, message=message, label=label, kind=old.kind, drafter=drafter
        ):
            done += 1
    session.flush()
    return done, kept
