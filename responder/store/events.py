"""What went wrong recently (LLM fallbacks, failed triage, send failures), for the app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from responder.store.models import Event

PROBLEM_LEVELS = ("warning", "error")


def recent_problems(
    *, session: Session, hours: int = 24, limit: int = 20, now: datetime | None = None
) -> list[Event]:
    """Warnings and errors of the last `hours`, newest first."""
    since = (now or datetime.now(UTC)) - timedelta(hours=hours)
    return list(
        session.exec(
            select(Event)
            .where(col(Event.level).in_(PROBLEM_LEVELS), col(Event.at) >= since)
            .order_by(col(Event.at).desc(), col(Event.id).desc())
            .limit(limit)
        )
    )
