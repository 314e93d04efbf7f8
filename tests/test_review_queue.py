"""One meaning of "needs review", its reasons in words, and the "Check the label" decision."""

from __future__ import annotations

from sqlmodel import Session, select

from responder.app import inbox
from responder.app.dashboard import waiting_for_review
from responder.app.review_queue import label_check_queue, needs_review_count, review_reasons
from responder.ingest.importer import import_text
from responder.settings import Settings
from responder.store.models import Classification, Conversation, Correction, Draft, Message, Sender
from responder.triage.labels import decide_label
from responder.triage.pipeline import triage_new


def _message(**kw: object) -> Message:
    base: dict[str, object] = {
        "source": "t",
        "source_id": "x",
        "body": "Hello",
        "direction": "in",
        "label": "sales_pitch",
        "confidence": 0.98,
        "needs_review": True,
        "content_hash": "h",
        "triage_status": "triaged",
    }
    return Message(**(base | kw))


def test_reason_for_a_thread_you_replied_in(settings: Settings) -> None:
    m = _message()
    c = Classification(
        message_id=1,
        label="sales_pitch",
        confidence=0.98,
        method="safety",
        reasons=["You took part in this conversation, so it is never declined automatically."],
    )
    reasons = review_reasons(
        message=m,
        classification=c,
        conversation=Conversation(source="t", source_id="c", user_participated=True),
        sender=None,
        threshold=0.6,
    )
    assert reasons[0].startswith("You replied in this thread")
    assert not any("confidence" in r for r in reasons)  # 98% is not low


def test_reason_names_the_two_labels_in_doubt_and_the_threshold(settings: Settings) -> None:
    m = _message(confidence=0.52)
    c = Classification(
        message_id=1,
        label="sales_pitch",
        confidence=0.52,
        method="offline",
        signals={"scores": {"sales_pitch": 0.52, "genuine": 0.40, "scam": 0.08}},
    )
    reasons = review_reasons(
        message=m, classification=c, conversation=None, sender=None, threshold=0.6
    )
    assert "Unsure between sales pitch and genuine (52% / 40%)." in reasons
    assert any("below your review threshold (60%)" in r for r in reasons)


def test_a_clear_winner_is_no_doubt(settings: Settings) -> None:
    c = Classification(
        message_id=1,
        label="scam",
        confidence=0.9,
        method="offline",
        signals={"scores": {"scam": 0.9, "phishing": 0.05}},
    )
    reasons = review_reasons(
        message=_message(label="scam", confidence=0.9),
        classification=c,
        conversation=None,
        sender=Sender(key="k", status="allowed"),
        threshold=0.6,
    )
    assert reasons == ["The sender is on your allow list, so nothing is declined without you."]


def _seed(s: Session) -> list[Message]:
    rows = [
        _message(source_id="a"),  # needs review, open
        _message(source_id="b", status="archived"),  # archived: waits for no one
        _message(source_id="c", needs_review=False),
        _message(source_id="d", direction="out", label=None),
    ]
    for r in rows:
        s.add(r)
    s.flush()
    return rows


def test_one_count_everywhere(session: Session, settings: Settings) -> None:
    _seed(session)
    assert needs_review_count(session=session) == 1
    assert inbox.needs_review_count(session=session) == 1
    assert waiting_for_review(session=session) == 1
    listed = inbox.list_messages(session=session, flt=inbox.InboxFilter(needs_review=True))
    assert listed.total == 1
    queue = label_check_queue(session=session, settings=settings)
    assert [q.message.source_id for q in queue] == ["a"]
    assert queue[0].suggested == "sales_pitch" and "sales_pitch" not in queue[0].alternatives
    assert len(queue[0].alternatives) == 5


def test_keeping_the_label_clears_review_and_keeps_the_draft(
    session: Session, settings: Settings
) -> None:
    a = _seed(session)[0]
    draft = Draft(message_id=a.id, kind="decline", text="No, thanks.", status="pending")
    session.add(draft)
    session.flush()
    decide_label(session=session, message_id=a.id, label="sales_pitch", settings=settings)
    session.flush()
    assert a.needs_review is False and a.label == "sales_pitch"
    assert session.get(Draft, draft.id).status == "pending"  # kept
    assert needs_review_count(session=session) == 0
    assert session.exec(select(Correction)).all() == []


def test_picking_another_label_is_a_correction(session: Session, settings: Settings) -> None:
    a = _seed(session)[0]
    decide_label(session=session, message_id=a.id, label="genuine", settings=settings)
    session.flush()
    assert (a.label, a.needs_review) == ("genuine", False)
    (corr,) = session.exec(select(Correction)).all()
    assert (corr.old_label, corr.new_label) == ("sales_pitch", "genuine")


def test_triage_keeps_the_per_label_scores(engine, settings: Settings) -> None:
    import_text(
        engine=engine, text="From: Pat\n\nWe build SEO links, cheap. Call?", settings=settings
    )
    triage_new(engine=engine, settings=settings, chat_model=None)
    with Session(engine) as s:
        c = s.exec(select(Classification)).one()
    scores = c.signals.get("scores")
    assert scores and abs(sum(scores.values()) - 1.0) < 0.01 and c.label in scores
