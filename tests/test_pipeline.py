"""The triage pipeline end to end on the demo inbox, with the real classifier and drafter."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from responder.ingest.demo import demo_labels
from responder.ingest.importer import load_demo_inbox
from responder.store import db
from responder.store.models import Classification, Conversation, Draft, Event, Message
from responder.taxonomy import DECLINE_LABELS, REPORT_LABELS
from responder.triage.pipeline import retry_failed, triage_new


@pytest.fixture
def demo(engine, settings):
    load_demo_inbox(engine=engine, settings=settings)
    summary = triage_new(engine=engine, settings=settings)
    return summary


def _inbound(session: Session) -> list[Message]:
    return list(session.exec(select(Message).where(Message.direction == "in")))


def test_every_inbound_message_is_labelled_with_reasons(demo, session) -> None:
    messages = _inbound(session)
    assert demo.triaged == len(messages) > 30
    for m in messages:
        assert m.triage_status == "triaged"
        assert m.label is not None and 0.0 <= (m.confidence or 0) <= 1.0
        current = session.get(Classification, m.classification_id)
        assert current is not None and current.label == m.label
        assert current.reasons and all(isinstance(r, str) and r for r in current.reasons)
        assert current.method
    outbound = session.exec(select(Message).where(Message.direction == "out")).all()
    assert outbound and all(m.label is None for m in outbound)


def test_demo_inbox_is_sorted_sensibly(demo, session) -> None:
    """The demo inbox is ours: its intended labels are known. Dangerous mistakes are not allowed."""
    intended = demo_labels()
    messages = {m.source_id: m for m in _inbound(session)}
    pairs = [(intended[sid], m.label) for sid, m in messages.items() if sid in intended]
    assert len(pairs) >= 35
    agree = sum(a == b for a, b in pairs) / len(pairs)
    assert agree >= 0.8, Counter(pairs)
    # phishing and scam never pass as genuine or get a reply draft
    for want, got in pairs:
        if want in {"phishing", "scam"}:
            assert got in REPORT_LABELS, (want, got)


def test_policy_drafts(demo, session) -> None:
    for m in _inbound(session):
        drafts = session.exec(select(Draft).where(Draft.message_id == m.id)).all()
        assert len(drafts) <= 1
        conv = session.get(Conversation, m.conversation_id)
        if m.label in REPORT_LABELS:
            assert [d.kind for d in drafts] == ["report_note"]
        elif m.label == "genuine" or (conv and conv.user_participated):
            assert drafts == [], "genuine or ongoing conversations are never declined"
        elif m.label in DECLINE_LABELS:
            assert drafts and drafts[0].kind in {"decline", "decline_firm"}
        for d in drafts:
            assert d.status == "pending" and d.text.strip()
            assert d.template_name and d.template_version


def test_triage_is_idempotent(demo, engine, settings, session) -> None:
    drafts_before = session.exec(select(func.count()).select_from(Draft)).one()
    again = triage_new(engine=engine, settings=settings)
    assert again.triaged == 0
    assert session.exec(select(func.count()).select_from(Draft)).one() == drafts_before
    # re-importing the demo adds nothing either
    summary = load_demo_inbox(engine=engine, settings=settings)
    assert summary.imported == 0 and summary.duplicates > 30


def test_failing_message_is_parked_not_stuck(engine, settings, session) -> None:
    """One message that makes the classifier raise is parked with an event; the rest go on."""
    from responder.classify.classifier import build_classifier

    load_demo_inbox(engine=engine, settings=settings)
    real = build_classifier(settings=settings)
    poison_id = _inbound(session)[3].id

    class Exploding:
        def classify_batch(self, *, session, messages):
            if any(m.id == poison_id for m in messages):
                raise RuntimeError("boom")
            return real.classify_batch(session=session, messages=messages)

    summary = triage_new(engine=engine, settings=settings, classifier=Exploding())
    assert summary.failed == 1
    session.expire_all()
    statuses = Counter(m.triage_status for m in _inbound(session))
    assert statuses == {"triaged": len(_inbound(session)) - 1, "failed": 1}
    events = session.exec(select(Event).where(Event.kind == "triage_failed")).all()
    assert len(events) == 1 and "boom" in events[0].detail
    assert retry_failed(engine=engine) == 1
    assert triage_new(engine=engine, settings=settings).triaged == 1


@pytest.mark.postgres
def test_pipeline_on_postgres(pg_url) -> None:
    from responder.settings import get_settings

    settings = get_settings()
    assert settings.database_url.startswith("postgresql")
    db.upgrade()
    engine = db.get_engine()
    load_demo_inbox(engine=engine, settings=settings)
    summary = triage_new(engine=engine, settings=settings)
    assert summary.triaged > 30 and summary.drafts > 10
    with Session(engine) as s:
        assert (
            s.exec(
                select(func.count()).select_from(Message).where(Message.triage_status == "triaged")
            ).one()
            == summary.triaged
        )
