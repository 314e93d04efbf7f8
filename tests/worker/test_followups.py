"""Follow-up rules driven by a controllable clock: business hours, reminders, snooze,
cancellation, escalation of repeat pitchers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from responder.followups import rules as followups
from responder.followups.due import claim_due, process_due_followups, release_stale
from responder.followups.rules import next_business_time, on_message_triaged
from responder.store.models import Event, FollowUp
from responder.triage.review import approve_draft, mark_sent
from tests.worker.conftest import draft, message


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def events(session: Session, kind: str) -> list[Event]:
    session.expire_all()
    return list(session.exec(select(Event).where(Event.kind == kind)))


@pytest.mark.parametrize(
    ("tz", "given", "expected"),
    [
        ("Europe/Berlin", utc(2026, 3, 4, 9, 0), utc(2026, 3, 4, 9, 0)),  # Wed 10:00 CET
        ("Europe/Berlin", utc(2026, 3, 4, 6, 0), utc(2026, 3, 4, 8, 0)),  # Wed 07:00 -> 09:00
        ("Europe/Berlin", utc(2026, 3, 4, 17, 0), utc(2026, 3, 5, 8, 0)),  # Wed 18:00 -> Thu
        ("Europe/Berlin", utc(2026, 3, 6, 17, 30), utc(2026, 3, 9, 8, 0)),  # Fri 18:30 -> Mon
        ("Europe/Berlin", utc(2026, 3, 7, 11, 0), utc(2026, 3, 9, 8, 0)),  # Saturday -> Mon
        ("Europe/Berlin", utc(2026, 3, 28, 11, 0), utc(2026, 3, 30, 7, 0)),  # over DST: CEST
        ("America/New_York", utc(2026, 3, 4, 10, 0), utc(2026, 3, 4, 14, 0)),  # 05:00 EST
        ("Asia/Tokyo", utc(2026, 3, 4, 23, 30), utc(2026, 3, 5, 0, 0)),  # Thu 08:30 -> 09:00 JST
    ],
)
def test_next_business_time(configure, tz: str, given: datetime, expected: datetime) -> None:
    settings = configure(RESPONDER_PROFILE_TIMEZONE=tz)
    assert next_business_time(given, settings) == expected


def test_next_business_time_without_business_days_is_identity(configure) -> None:
    settings = configure(RESPONDER_POLICY_BUSINESS_DAYS="[]")
    sunday_night = utc(2026, 3, 8, 23, 0)
    assert next_business_time(sunday_night, settings) == sunday_night


def test_reminder_fires_when_due_and_not_before(session: Session, berlin) -> None:
    sent = utc(2026, 3, 2, 10, 0)  # Monday 11:00 Berlin
    msg = message(session, sent_at=sent, conv="c1")
    result = on_message_triaged(session=session, message=msg, settings=berlin, now=sent)
    session.commit()
    assert result.reminder is not None
    assert result.reminder.due_at == utc(2026, 3, 5, 10, 0)  # 3 days later, Thursday 11:00
    engine = session.get_bind()
    early = process_due_followups(
        engine=engine, settings=berlin, worker_id="w", now=utc(2026, 3, 5, 9, 59)
    )
    assert early == {} and events(session, "reminder") == []
    done = process_due_followups(
        engine=engine, settings=berlin, worker_id="w", now=utc(2026, 3, 5, 10, 0)
    )
    assert done == {"reminded": 1}
    [ev] = events(session, "reminder")
    assert ev.message_id == msg.id and "Dana" in ev.detail
    again = process_due_followups(
        engine=engine, settings=berlin, worker_id="w", now=utc(2026, 3, 9, 10, 0)
    )
    assert again == {} and len(events(session, "reminder")) == 1
    assert followups.open_reminders(session=session)[0][1].id == msg.id


def test_reminder_moves_past_the_weekend_and_waits_for_business_hours(session, berlin) -> None:
    sent = utc(2026, 3, 5, 14, 0)  # Thursday 15:00 Berlin; +3 days = Sunday
    msg = message(session, sent_at=sent)
    rem = on_message_triaged(session=session, message=msg, settings=berlin, now=sent).reminder
    session.commit()
    assert rem is not None and rem.due_at == utc(2026, 3, 9, 8, 0)  # Monday 09:00 Berlin
    engine = session.get_bind()
    # The worker was down all Monday and comes back at 21:00 Berlin: no reminder at night.
    late = process_due_followups(
        engine=engine, settings=berlin, worker_id="w", now=utc(2026, 3, 9, 20, 0)
    )
    assert late == {"postponed": 1} and events(session, "reminder") == []
    session.refresh(rem)
    assert rem.status == "pending" and rem.due_at == utc(2026, 3, 10, 8, 0)
    assert process_due_followups(
        engine=engine, settings=berlin, worker_id="w", now=utc(2026, 3, 10, 8, 0)
    ) == {"reminded": 1}


def test_no_reminder_for_pitches_or_old_archives(session, berlin) -> None:
    now = utc(2026, 3, 2, 10, 0)
    pitch = message(session, sent_at=now, label="sales_pitch", who="pat")
    old = message(session, sent_at=now - timedelta(days=400))
    assert (
        on_message_triaged(session=session, message=pitch, settings=berlin, now=now).reminder
        is None
    )
    assert (
        on_message_triaged(session=session, message=old, settings=berlin, now=now).reminder is None
    )


def test_reply_in_the_conversation_cancels_the_reminder(session, berlin) -> None:
    sent = utc(2026, 3, 2, 10, 0)
    msg = message(session, sent_at=sent, conv="c2")
    on_message_triaged(session=session, message=msg, settings=berlin, now=sent)
    # The user answered on LinkedIn; the export brings their message in later.
    message(
        session, sent_at=sent + timedelta(hours=5), conv="c2", direction="out", label=None, who="me"
    )
    session.commit()
    out = process_due_followups(
        engine=session.get_bind(), settings=berlin, worker_id="w", now=utc(2026, 3, 6, 10, 0)
    )
    assert out == {"cancelled": 1} and events(session, "reminder") == []


def test_marking_a_reply_sent_cancels_at_once(session, berlin) -> None:
    sent = utc(2026, 3, 2, 10, 0)
    msg = message(session, sent_at=sent)
    rem = on_message_triaged(session=session, message=msg, settings=berlin, now=sent).reminder
    d = draft(session, msg, kind="reply")
    mark_sent(session=session, draft_id=d.id)
    session.commit()
    session.refresh(rem)
    assert rem.status == "cancelled"


def test_a_newer_message_in_the_thread_replaces_the_reminder(session, berlin) -> None:
    t0 = utc(2026, 3, 2, 10, 0)
    first = message(session, sent_at=t0, conv="c3")
    r1 = on_message_triaged(session=session, message=first, settings=berlin, now=t0).reminder
    second = message(session, sent_at=t0 + timedelta(days=1), conv="c3")
    res = on_message_triaged(
        session=session, message=second, settings=berlin, now=t0 + timedelta(days=1)
    )
    session.commit()
    session.refresh(r1)
    assert r1.status == "cancelled" and res.cancelled == 1
    assert res.reminder is not None and res.reminder.message_id == second.id


def test_snooze_hides_until_the_date_and_postpones_the_reminder(session, berlin) -> None:
    t0 = utc(2026, 3, 2, 10, 0)
    msg = message(session, sent_at=t0)
    on_message_triaged(session=session, message=msg, settings=berlin, now=t0)
    until = utc(2026, 3, 11, 7, 30)  # Wednesday 08:30 Berlin
    followups.snooze(session=session, message_id=msg.id, until=until, now=t0)
    session.commit()
    assert msg.status == "snoozed"
    engine = session.get_bind()
    # The reminder comes due on Thursday while the message is snoozed: it waits.
    out = process_due_followups(
        engine=engine, settings=berlin, worker_id="w", now=utc(2026, 3, 5, 10, 0)
    )
    assert out == {"postponed": 1}
    out = process_due_followups(engine=engine, settings=berlin, worker_id="w", now=until)
    assert out == {"unsnoozed": 1}
    session.refresh(msg)
    assert msg.status == "open" and msg.snoozed_until is None
    assert [e.kind for e in events(session, "snooze_ended")] == ["snooze_ended"]
    out = process_due_followups(
        engine=engine, settings=berlin, worker_id="w", now=utc(2026, 3, 11, 8, 0)
    )
    assert out == {"reminded": 1}
    with pytest.raises(ValueError):
        followups.snooze(session=session, message_id=msg.id, until=t0, now=t0)


def test_escalation_across_three_pitches(session, berlin) -> None:
    t0 = utc(2026, 3, 2, 10, 0)
    first = message(session, sent_at=t0, label="sales_pitch", who="pat")
    d1 = draft(session, first, kind="decline")
    assert (
        on_message_triaged(session=session, message=first, settings=berlin, draft=d1).escalation
        is None
    )
    approve_draft(session=session, draft_id=d1.id)

    second = message(session, sent_at=t0 + timedelta(days=7), label="sales_pitch", who="pat")
    d2 = draft(session, second, kind="decline")  # what a pipeline unaware of history would write
    res2 = on_message_triaged(session=session, message=second, settings=berlin, draft=d2)
    assert res2.escalation is not None and res2.escalation.level == 2
    assert res2.draft is not None and res2.draft.kind == "decline_firm" and res2.draft.id != d2.id
    session.refresh(d2)
    assert d2.status == "superseded"
    assert len(events(session, "escalation")) == 1 and events(session, "block_suggested") == []
    approve_draft(session=session, draft_id=res2.draft.id)

    third = message(session, sent_at=t0 + timedelta(days=14), label="sales_pitch", who="pat")
    d3 = draft(session, third, kind="decline_firm")
    res3 = on_message_triaged(session=session, message=third, settings=berlin, draft=d3)
    assert res3.escalation is not None and res3.escalation.level == 3
    assert res3.escalation.draft_kind == "report_note" and res3.escalation.block_suggested
    [block] = events(session, "block_suggested")
    assert block.message_id == third.id and "Pat" in block.detail and "3 times" in block.detail
    # Idempotent: the hook may run again (relabel, retry) without repeating the events.
    on_message_triaged(session=session, message=third, settings=berlin, draft=res3.draft)
    assert len(events(session, "block_suggested")) == 1 and len(events(session, "escalation")) == 2
    kinds = session.exec(select(FollowUp.note).where(FollowUp.kind == "escalate")).all()
    assert len(kinds) == 2


def test_no_escalation_when_the_earlier_decline_was_never_approved(session, berlin) -> None:
    t0 = utc(2026, 3, 2, 10, 0)
    first = message(session, sent_at=t0, label="recruiting", who="rita")
    draft(session, first, kind="decline")  # still pending: we never declined
    second = message(session, sent_at=t0 + timedelta(days=3), label="recruiting", who="rita")
    assert on_message_triaged(session=session, message=second, settings=berlin).escalation is None


def test_claims_are_exclusive_and_stale_claims_come_back(session, berlin) -> None:
    now = utc(2026, 3, 5, 10, 0)
    for i in range(6):
        session.add(FollowUp(kind="reminder", due_at=now - timedelta(minutes=i)))
    session.commit()
    engine = session.get_bind()
    a = claim_due(engine=engine, worker_id="a", now=now, limit=4)
    b = claim_due(engine=engine, worker_id="b", now=now, limit=4)
    assert len(a) == 4 and len(b) == 2 and not set(a) & set(b)
    # Worker "a" died; at its restart it takes back its own claims.
    assert release_stale(engine=engine, now=now, worker_id="a") == 4
    # Worker "b" died too and nobody with its name comes back: the lease frees its rows later.
    assert release_stale(engine=engine, now=now + timedelta(minutes=5)) == 0
    assert release_stale(engine=engine, now=now + timedelta(minutes=11)) == 2
    assert len(claim_due(engine=engine, worker_id="c", now=now, limit=10)) == 6


def test_unanswered_check_sees_sent_drafts(session, berlin) -> None:
    msg = message(session, sent_at=utc(2026, 3, 2, 10, 0))
    assert not followups.is_answered(session=session, message=msg)
    draft(session, msg, kind="reply", status="sent")
    assert followups.is_answered(session=session, message=msg)


def test_relabelling_away_from_genuine_cancels_the_reminder(session, berlin) -> None:
    t0 = utc(2026, 3, 2, 10, 0)
    msg = message(session, sent_at=t0)
    rem = on_message_triaged(session=session, message=msg, settings=berlin, now=t0).reminder
    msg.label = "sales_pitch"
    res = on_message_triaged(session=session, message=msg, settings=berlin, now=t0)
    session.commit()
    session.refresh(rem)
    assert res.cancelled == 1 and rem.status == "cancelled" and "sales_pitch" in rem.note
