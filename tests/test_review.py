"""Review actions on a triaged demo inbox: approve, edit, reject, mark sent, relabel, bulk."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from responder.drafts.drafter import build_drafter
from responder.errors import InvalidTransitionError
from responder.ingest.importer import load_demo_inbox
from responder.store.models import Correction, Delivery, Draft, Message, Sender
from responder.triage.pipeline import relabel, triage_new
from responder.triage.review import (
    approve_draft,
    bulk_approve,
    edit_draft,
    mark_reported,
    mark_sent,
    reject_draft,
)


@pytest.fixture
def triaged(engine, settings):
    load_demo_inbox(engine=engine, settings=settings)
    triage_new(engine=engine, settings=settings)
    return engine


def _pending(session: Session, kind: str) -> Draft:
    draft = session.exec(
        select(Draft).where(Draft.status == "pending", Draft.kind == kind).order_by(Draft.id)
    ).first()
    assert draft is not None, f"no pending {kind} draft in the demo inbox"
    return draft


def test_edit_then_approve_then_mark_sent(triaged, session, settings) -> None:
    draft = _pending(session, "decline")
    new_text = draft.text.replace("\n", "\n\n", 1) + "\nAll the best."
    approve_draft(session=session, draft_id=draft.id, text=new_text, settings=settings)
    session.commit()
    session.refresh(draft)
    assert draft.status == "approved" and draft.edited and draft.text == new_text
    delivery = session.exec(select(Delivery).where(Delivery.draft_id == draft.id)).one()
    assert delivery.channel == "linkedin" and delivery.state == "manual"
    mark_sent(session=session, draft_id=draft.id)
    session.commit()
    session.refresh(draft)
    session.refresh(delivery)
    message = session.get(Message, draft.message_id)
    assert draft.status == "sent" and draft.sent_at is not None
    assert delivery.state == "sent" and message.status == "answered"
    with pytest.raises(InvalidTransitionError):
        approve_draft(session=session, draft_id=draft.id)


def test_edit_is_linted(triaged, session, settings) -> None:
    draft = _pending(session, "decline")
    edit_draft(
        session=session,
        draft_id=draft.id,
        text="Sure, happy to jump on a call! Book me at https://calendly.com/x",
        settings=settings,
    )
    assert draft.lint_ok is False and draft.lint_problems
    with pytest.raises(InvalidTransitionError):
        approve_draft(session=session, draft_id=draft.id, auto=True)


def test_reject_with_reason(triaged, session) -> None:
    draft = _pending(session, "decline")
    reject_draft(session=session, draft_id=draft.id, reason="I'll answer myself")
    session.commit()
    assert session.get(Draft, draft.id).status == "rejected"
    assert session.get(Draft, draft.id).reject_reason == "I'll answer myself"


def test_no_reply_to_scammers(triaged, session, settings) -> None:
    note = _pending(session, "report_note")
    message = session.get(Message, note.message_id)
    with pytest.raises(InvalidTransitionError):
        bulk_approve(session=session, label=message.label)
    # a reply draft forced onto a report-labelled message can never be approved
    forged = Draft(message_id=message.id, kind="decline", text="No thanks.")
    session.add(forged)
    session.flush()
    with pytest.raises(InvalidTransitionError):
        approve_draft(session=session, draft_id=forged.id)
    mark_reported(session=session, draft_id=note.id, block=True)
    session.commit()
    assert session.get(Sender, message.sender_id).status == "blocked"
    assert session.exec(select(Delivery).where(Delivery.draft_id == note.id)).first() is None


def test_bulk_approve_sales(triaged, session) -> None:
    pending = session.exec(
        select(Draft)
        .join(Message, Message.id == Draft.message_id)
        .where(Draft.status == "pending", Message.label == "sales_pitch")
    ).all()
    ok = [d for d in pending if d.lint_ok]
    assert bulk_approve(session=session, label="sales_pitch") == len(ok) > 0
    session.commit()
    for d in ok:
        session.refresh(d)
        assert d.status == "approved"


def test_relabel_stores_correction_and_redrafts(triaged, session, settings) -> None:
    drafter = build_drafter(settings=settings)
    draft = _pending(session, "decline")
    message = session.get(Message, draft.message_id)
    old = message.label
    assert (
        relabel(
            session=session,
            message_id=message.id,
            new_label="genuine",
            settings=settings,
            drafter=drafter,
        )
        is None
    )
    session.commit()
    session.refresh(message)
    assert message.label == "genuine" and message.confidence == 1.0
    assert session.get(Draft, draft.id).status == "superseded"
    corr = session.exec(select(Correction).where(Correction.message_id == message.id)).one()
    assert (corr.old_label, corr.new_label) == (old, "genuine")
    # and back to a pitch: a fresh decline is drafted
    new = relabel(
        session=session,
        message_id=message.id,
        new_label="sales_pitch",
        settings=settings,
        drafter=drafter,
    )
    assert new is not None and new.kind in {"decline", "decline_firm"} and new.status == "pending"
    with pytest.raises(ValueError):
        relabel(session=session, message_id=message.id, new_label="spam", settings=settings)
