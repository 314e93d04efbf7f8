"""The triage pipeline calls the worker's hooks: a reminder for a genuine message, auto-approve
into the outbox for a confident pitch, and the escalation of a sender declined before. The
classifier is a stand-in with fixed labels (classification is tested elsewhere); the drafter is
the real offline one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from responder.classify.result import ClassificationResult
from responder.settings import AutoApproveRule
from responder.store.models import Delivery, Draft, Event, FollowUp, Message
from responder.triage.pipeline import triage_new
from responder.triage.review import approve_draft
from tests.worker.conftest import message


class FixedLabels:
    """Labels each message by who sent it."""

    def __init__(self, labels: dict[int, str]) -> None:
        self.labels = labels

    def classify_batch(self, *, session: Session, messages: list[Message]) -> list:
        return [
            ClassificationResult(
                label=self.labels[m.id],
                confidence=0.97,
                reasons=["fixed"],
                signals={},
                method="rules",
            )
            for m in messages
        ]


def _new(session: Session, label: str, who: str, days_ago: float = 0, **kw) -> tuple[int, str]:
    sent = datetime.now(UTC) - timedelta(days=days_ago)
    m = message(session, sent_at=sent, label=None, who=who, triage_status="new", **kw)
    return m.id, label


def test_triage_schedules_reminders_and_auto_approves(engine, settings) -> None:
    settings.policy.auto_approve["sales_pitch"] = AutoApproveRule(enabled=True, min_confidence=0.9)
    with Session(engine) as s:
        labels = dict(
            [
                _new(s, "genuine", "friend"),
                _new(s, "sales_pitch", "agency", source="email", email="sales@agency.test"),
                _new(s, "scam", "crook"),
            ]
        )
        s.commit()
    summary = triage_new(engine=engine, settings=settings, classifier=FixedLabels(labels))
    assert summary.triaged == 3 and summary.auto_approved == 1
    with Session(engine) as s:
        [reminder] = s.exec(select(FollowUp).where(FollowUp.kind == "reminder")).all()
        by_label = {labels[d.message_id]: d for d in s.exec(select(Draft))}
        [delivery] = s.exec(select(Delivery)).all()
    assert labels[reminder.message_id] == "genuine" and reminder.status == "pending"
    assert by_label["sales_pitch"].status == "approved" and by_label["sales_pitch"].auto_approved
    assert delivery.channel == "email" and delivery.state == "approved"
    assert by_label["scam"].status == "pending"  # a report note is never automatic


def test_triage_escalates_a_sender_declined_before(engine, settings) -> None:
    with Session(engine) as s:
        first = message(
            s, sent_at=datetime.now(UTC) - timedelta(days=10), label="sales_pitch", who="pat"
        )
        d = Draft(message_id=first.id, kind="decline", text="No, thank you.", label="sales_pitch")
        s.add(d)
        s.flush()
        approve_draft(session=s, draft_id=d.id)
        labels = dict([_new(s, "sales_pitch", "pat")])
        s.commit()
    triage_new(engine=engine, settings=settings, classifier=FixedLabels(labels))
    [mid] = labels
    with Session(engine) as s:
        [draft] = s.exec(select(Draft).where(Draft.message_id == mid, Draft.status == "pending"))
        [event] = s.exec(select(Event).where(Event.kind == "escalation")).all()
    assert draft.kind == "decline_firm" and event.message_id == mid
