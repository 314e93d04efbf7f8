"""responder.app.inbox: the paginated list, filters, counts, detail, thread and review queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from responder.app import inbox
from responder.errors import NotFoundError
from responder.store.models import (
    Classification,
    Conversation,
    Correction,
    Delivery,
    Draft,
    Message,
    Sender,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _sender(s: Session, name: str, **kw: object) -> Sender:
    sender = Sender(key=f"name:{name}", name=name, **kw)  # type: ignore[arg-type]
    s.add(sender)
    s.flush()
    return sender


def _message(
    s: Session,
    n: int,
    *,
    sender: Sender,
    label: str | None,
    body: str = "",
    conv: Conversation | None = None,
    **kw: object,
) -> Message:
    message = Message(
        source="linkedin",
        source_id=f"m{n}",
        sender_id=sender.id,
        conversation_id=conv.id if conv else None,
        sent_at=T0 + timedelta(hours=n),
        body=body or f"message number {n}",
        content_hash=f"h{n}",
        label=label,
        confidence=0.9 if label else None,
        triage_status="triaged" if label else "new",
        **kw,  # type: ignore[arg-type]
    )
    s.add(message)
    s.flush()
    return message


@pytest.fixture
def seeded(session: Session) -> dict[str, object]:
    ann = _sender(session, "Ann Pitcher", email="ann@agency.example")
    bob = _sender(session, "Bob Friend")
    conv = Conversation(source="linkedin", source_id="2-abc==", title="Bob")
    session.add(conv)
    session.flush()
    msgs = []
    for n in range(1, 8):
        msgs.append(_message(session, n, sender=ann, label="sales_pitch", body=f"pitch {n} SEO"))
    msgs.append(_message(session, 8, sender=bob, label="genuine", conv=conv, body="50% off_price"))
    msgs.append(_message(session, 9, sender=bob, label=None, conv=conv, body="not triaged yet"))
    msgs.append(
        _message(session, 10, sender=ann, label="phishing", needs_review=True, body="verify now")
    )
    out = _message(session, 11, sender=bob, label=None, conv=conv, body="my answer")
    out.direction = "out"
    msgs[0].status = "answered"
    session.commit()
    return {"ann": ann, "bob": bob, "conv": conv, "msgs": msgs, "out": out}


def test_pagination_newest_first(session: Session, seeded: dict) -> None:
    first = inbox.list_messages(session=session, page=1, page_size=4)
    second = inbox.list_messages(session=session, page=2, page_size=4)
    last = inbox.list_messages(session=session, page=3, page_size=4)
    assert first.total == 10  # the outbound message is not in the inbox
    assert first.pages == 3
    ids = [r.id for r in first.rows + second.rows + last.rows]
    assert len(ids) == len(set(ids)) == 10
    dates = [r.sent_at for r in first.rows + second.rows + last.rows]
    assert dates == sorted(dates, reverse=True)
    assert first.rows[0].subject == "" and first.rows[0].snippet == "verify now"
    assert first.rows[0].sender == "Ann Pitcher"


def test_same_timestamp_is_ordered_by_id(session: Session, seeded: dict) -> None:
    msgs = seeded["msgs"]
    for m in msgs[:3]:
        m.sent_at = T0
        session.add(m)
    session.commit()
    rows = inbox.list_messages(session=session, page_size=50).rows
    tail = [r.id for r in rows if r.sent_at == T0]
    assert tail == sorted(tail, reverse=True) and len(tail) == 3


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (inbox.InboxFilter(labels=["sales_pitch"]), 7),
        (inbox.InboxFilter(labels=["genuine", "phishing"]), 2),
        (inbox.InboxFilter(labels=[inbox.UNLABELLED]), 1),
        (inbox.InboxFilter(labels=["genuine", inbox.UNLABELLED]), 2),
        (inbox.InboxFilter(statuses=["answered"]), 1),
        (inbox.InboxFilter(sender="bob"), 2),
        (inbox.InboxFilter(sender="AGENCY.example"), 8),
        (inbox.InboxFilter(search="seo"), 7),
        (inbox.InboxFilter(search="50%"), 1),
        (inbox.InboxFilter(search="%"), 1),
        (inbox.InboxFilter(search="_"), 1),
        (inbox.InboxFilter(search="pitch 3"), 1),
        (inbox.InboxFilter(needs_review=True), 1),
        (inbox.InboxFilter(labels=["sales_pitch"], search="pitch 2", sender="ann"), 1),
        (inbox.InboxFilter(direction=None), 11),
        (inbox.InboxFilter(search="nothing like this"), 0),
    ],
)
def test_filters(session: Session, seeded: dict, flt: inbox.InboxFilter, expected: int) -> None:
    page = inbox.list_messages(session=session, flt=flt, page_size=100)
    assert page.total == expected
    assert len(page.rows) == expected


def test_sender_id_filter(session: Session, seeded: dict) -> None:
    bob = seeded["bob"]
    page = inbox.list_messages(session=session, flt=inbox.InboxFilter(sender_id=bob.id))
    assert {r.sender for r in page.rows} == {"Bob Friend"}


def test_counts(session: Session, seeded: dict) -> None:
    assert inbox.label_counts(session=session) == {
        "sales_pitch": 7,
        "genuine": 1,
        "phishing": 1,
        inbox.UNLABELLED: 1,
    }
    assert inbox.status_counts(session=session) == {"open": 9, "answered": 1}
    assert inbox.needs_review_count(session=session) == 1
    assert inbox.message_count(session=session) == 11


def test_detail_picks_the_live_draft_and_current_classification(
    session: Session, seeded: dict
) -> None:
    m = seeded["msgs"][1]
    old = Classification(message_id=m.id, label="genuine", confidence=0.5, method="rules")
    cur = Classification(
        message_id=m.id, label="sales_pitch", confidence=0.9, reasons=["pitch"], method="offline"
    )
    session.add_all([old, cur])
    session.flush()
    m.classification_id = cur.id
    rejected = Draft(message_id=m.id, kind="decline", text="no", status="rejected")
    live = Draft(message_id=m.id, kind="decline", text="No thanks", status="approved")
    newer = Draft(message_id=m.id, kind="decline", text="old", status="superseded")
    session.add_all([rejected, live, newer, m])
    session.flush()
    session.add(Delivery(draft_id=live.id, channel="linkedin", state="manual"))
    session.add(Correction(message_id=m.id, old_label="genuine", new_label="sales_pitch"))
    session.commit()
    detail = inbox.message_detail(session=session, message_id=m.id)
    assert detail.classification is not None and detail.classification.reasons == ["pitch"]
    assert detail.draft is not None and detail.draft.text == "No thanks"
    assert detail.delivery is not None and detail.delivery.state == "manual"
    assert detail.sender is not None and detail.sender.name == "Ann Pitcher"
    assert [c.new_label for c in detail.corrections] == ["sales_pitch"]
    with pytest.raises(NotFoundError):
        inbox.message_detail(session=session, message_id=999_999)


def test_thread_has_both_directions_oldest_first(session: Session, seeded: dict) -> None:
    thread = inbox.conversation_thread(session=session, conversation_id=seeded["conv"].id)
    assert [m.body for m, _ in thread] == ["50% off_price", "not triaged yet", "my answer"]
    assert thread[-1][0].direction == "out"


def test_review_queue_and_ready_to_send(session: Session, seeded: dict) -> None:
    msgs = seeded["msgs"]
    pending = [
        Draft(message_id=msgs[0].id, kind="decline", text="a", status="pending"),
        Draft(message_id=msgs[1].id, kind="decline", text="b", status="pending"),
        Draft(message_id=msgs[9].id, kind="report_note", text="report", status="pending"),
    ]
    approved = Draft(message_id=msgs[2].id, kind="decline", text="c", status="approved")
    approved_mail = Draft(message_id=msgs[3].id, kind="decline", text="d", status="approved")
    session.add_all([*pending, approved, approved_mail])
    session.flush()
    session.add(Delivery(draft_id=approved.id, channel="linkedin", state="manual"))
    session.add(Delivery(draft_id=approved_mail.id, channel="email", state="approved"))
    session.commit()
    queue = inbox.review_queue(session=session)
    assert [i.draft.text for i in queue["sales_pitch"]] == ["a", "b"]  # oldest message first
    assert [i.draft.text for i in queue["phishing"]] == ["report"]
    assert inbox.is_report_item(queue["phishing"][0])
    assert not inbox.is_report_item(queue["sales_pitch"][0])
    assert inbox.pending_counts(session=session) == {"sales_pitch": 2, "phishing": 1}
    ready = inbox.ready_to_send(session=session)
    assert [i.draft.text for i in ready] == ["c"]  # e-mail goes through the outbox, not by hand
    assert ready[0].delivery is not None


@pytest.mark.parametrize(
    ("source", "source_id", "expected"),
    [
        ("linkedin", "2-abc==", "https://www.linkedin.com/messaging/thread/2-abc%3D%3D/"),
        ("demo", "x_1", "https://www.linkedin.com/messaging/thread/x_1/"),
        ("email", "2-abc==", None),
        ("linkedin", "javascript:alert(1)", None),
        ("linkedin", "a b", None),
        ("linkedin", "", None),
    ],
)
def test_conversation_link_is_built_by_us(
    source: str, source_id: str, expected: str | None
) -> None:
    conv = Conversation(source=source, source_id=source_id, url="https://evil.example/x")
    assert inbox.conversation_link(conv) == expected


def test_label_filter_and_counts_use_indexes(engine: Engine, seeded: dict) -> None:
    with engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT id FROM message WHERE label = 'genuine' "
                    "ORDER BY sent_at DESC, id DESC LIMIT 50"
                )
            )
        )
        count_plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                text("EXPLAIN QUERY PLAN SELECT label, count(*) FROM message GROUP BY label")
            )
        )
    assert "ix_message_label" in plan
    assert "COVERING INDEX ix_message_label" in count_plan


@pytest.mark.postgres
def test_search_on_postgres(pg_url: str) -> None:
    from responder.store import db

    db.upgrade(pg_url)
    engine = db.make_engine(pg_url)
    try:
        with Session(engine) as s:
            ann = _sender(s, "Ann")
            _message(s, 1, sender=ann, label="sales_pitch", body="Grow your PIPELINE 10x")
            _message(s, 2, sender=ann, label="genuine", body="lunch?")
            s.commit()
            page = inbox.list_messages(session=s, flt=inbox.InboxFilter(search="pipeline"))
            assert [r.label for r in page.rows] == ["sales_pitch"]
            assert inbox.label_counts(session=s) == {"sales_pitch": 1, "genuine": 1}
    finally:
        engine.dispose()
