"""Bulk approve / reject for one label: the count first, then the action, then an undo that
stops at replies that went out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from responder.errors import InvalidTransitionError
from responder.settings import Settings
from responder.store.models import Delivery, Draft, Message, Sender
from responder.triage.bulk import UNDO_GRACE, bulk_candidates, bulk_decide, undo_bulk
from responder.triage.review import mark_sent

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def _seed(s: Session, n: int = 3, *, source: str = "linkedin") -> list[int]:
    sender = Sender(key="mailto:pat@example.com", name="Pat", email="pat@example.com")
    s.add(sender)
    s.flush()
    ids = []
    for i in range(n):
        m = Message(
            source=source,
            source_id=f"m{i}",
            body="We do SEO.",
            content_hash=f"h{i}",
            direction="in",
            label="sales_pitch",
            confidence=0.95,
            sender_id=sender.id,
            triage_status="triaged",
        )
        s.add(m)
        s.flush()
        d = Draft(message_id=m.id, kind="decline", text="No, thanks.", lint_ok=i != 1)
        s.add(d)
        s.flush()
        ids.append(d.id)
    return ids


def test_count_then_approve_then_undo(session: Session, settings: Settings) -> None:
    ids = _seed(session)
    clean = bulk_candidates(session=session, label="sales_pitch", action="approve")
    assert clean == [ids[0], ids[2]]  # the draft that failed lint is left for the user
    assert len(bulk_candidates(session=session, label="sales_pitch", action="reject")) == 3
    result = bulk_decide(
        session=session, label="sales_pitch", action="approve", settings=settings, expected=2
    )
    assert result.count == 2
    assert [session.get(Draft, i).status for i in ids] == ["approved", "pending", "approved"]
    mark_sent(session=session, draft_id=ids[0])  # this one went out: undo leaves it
    undone = undo_bulk(session=session, draft_ids=result.draft_ids, action="approve")
    assert (undone.restored, undone.kept) == (1, 1)
    assert session.get(Draft, ids[2]).status == "pending"
    assert session.get(Draft, ids[0]).status == "sent"
    assert session.exec(select(Delivery).where(Delivery.draft_id == ids[2])).first() is None


def test_email_replies_wait_for_the_undo_grace(session: Session, settings: Settings) -> None:
    ids = _seed(session, 1, source="email")
    bulk_decide(session=session, label="sales_pitch", action="approve", settings=settings, now=NOW)
    delivery = session.exec(select(Delivery).where(Delivery.draft_id == ids[0])).one()
    assert delivery.channel == "email" and delivery.next_attempt_at == NOW + UNDO_GRACE
    delivery.state = "sending"  # the worker took it: too late to undo
    session.add(delivery)
    undone = undo_bulk(session=session, draft_ids=ids, action="approve")
    assert (undone.restored, undone.kept) == (0, 1)


def test_reject_and_undo(session: Session, settings: Settings) -> None:
    ids = _seed(session)
    result = bulk_decide(session=session, label="sales_pitch", action="reject")
    assert result.count == 3
    assert {session.get(Draft, i).status for i in ids} == {"rejected"}
    undone = undo_bulk(session=session, draft_ids=ids, action="reject")
    assert undone.restored == 3
    assert {session.get(Draft, i).reject_reason for i in ids} == {None}


def test_refuses_a_changed_count_and_report_labels(session: Session, settings: Settings) -> None:
    _seed(session)
    with pytest.raises(InvalidTransitionError, match="not the 5 you confirmed"):
        bulk_decide(session=session, label="sales_pitch", action="approve", expected=5)
    with pytest.raises(InvalidTransitionError, match="never"):
        bulk_candidates(session=session, label="scam", action="approve")
    assert session.exec(select(Message)).all()
