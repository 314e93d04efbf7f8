"""AppTest for the Follow-ups page: worker status, due reminders, snooze, escalations, outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from responder.followups.business_hours import snooze_until
from responder.settings import PROJECT_ROOT, get_settings
from responder.store.models import Delivery, FollowUp, JobRun, Message, WorkerHeartbeat
from tests.support.app_seed import Seeded, seed_views

PAGE = str(PROJECT_ROOT / "ui" / "pages" / "followups.py")


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    now = datetime.now(UTC)
    with Session(engine) as s:
        out = seed_views(s, now=now)
        s.add(WorkerHeartbeat(name="w1", pid=1, host="h", started_at=now, last_seen=now))
        s.add(
            JobRun(
                job_id="followups",
                last_started_at=now - timedelta(minutes=1),
                last_finished_at=now,
                last_status="ok",
                runs=7,
            )
        )
        s.add(
            FollowUp(
                message_id=out.messages["pitch2"],
                sender_id=out.senders["pat"],
                kind="escalate",
                due_at=now - timedelta(hours=1),
                status="done",
                note="writes again after 1 decline(s): decline_firm",
            )
        )
        s.commit()
    return out


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60).run()


def test_empty_store(engine: Engine) -> None:
    at = _app()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Worker"] == "not running"
    assert any("not running" in w.value for w in at.warning)
    assert any("No approved replies" in c.value for c in at.caption)


def test_status_reminders_escalations_outbox(seeded: Seeded) -> None:
    at = _app()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Worker"] == "running"
    jobs = at.dataframe[0].value
    assert list(jobs["Job"]) == ["followups"] and list(jobs["Runs"]) == [7]
    due = at.dataframe[1].value
    assert list(due["Message"]) == [f"#{seeded.messages['genuine1']}"]
    assert list(due["From"]) == ["Gina Genuine"]
    frames = [f.value for f in at.dataframe]
    escalations = next(f for f in frames if "What happened" in f.columns)
    assert "decline_firm" in escalations["What happened"][0]
    outbox = next(f for f in frames if "Attempts" in f.columns)
    assert list(outbox["State"]) == ["failed"]
    assert "550" in outbox["Last error"][0]


def test_snooze_and_unsnooze(engine: Engine, seeded: Seeded) -> None:
    mid = seeded.messages["genuine1"]
    at = _app()
    at.selectbox(key="fu_snooze_msg").set_value(mid)
    at.selectbox(key="fu_snooze_choice").set_value("In 3 days").run()
    at = at.button(key="fu_snooze").click().run()
    assert not at.exception
    with Session(engine) as s:
        message = s.get(Message, mid)
        assert message is not None and message.status == "snoozed"
        assert message.snoozed_until is not None
        until = message.snoozed_until
    # three days ahead (moved on to a business day), at the start of business hours in the
    # user's time zone
    settings = get_settings()
    local = until.astimezone(ZoneInfo(settings.profile.timezone))
    assert local.hour == settings.policy.business_hours_start
    assert local.weekday() in settings.policy.business_days
    days = (local.date() - datetime.now(ZoneInfo(settings.profile.timezone)).date()).days
    assert 3 <= days <= 5
    assert until == snooze_until("In 3 days", settings, datetime.now(UTC))
    assert any("snoozed until" in s.value for s in at.success)
    snoozed = next(f.value for f in at.dataframe if "Back on" in f.value.columns)
    assert list(snoozed["Message"]) == [f"#{mid}"]
    # no longer listed as due
    assert f"#{mid}" not in list(at.dataframe[1].value.get("Message", []))
    at.selectbox(key="fu_wake_msg").set_value(mid).run()
    at = at.button(key="fu_wake").click().run()
    with Session(engine) as s:
        message = s.get(Message, mid)
        assert message is not None and message.status == "open"


def test_retry_failed_delivery(engine: Engine, seeded: Seeded) -> None:
    did = seeded.deliveries["camp_a"]
    at = _app()
    assert any("could not be sent" in w.value for w in at.warning)
    at.selectbox(key="fu_retry_id").set_value(did).run()
    at = at.button(key="fu_retry").click().run()
    assert not at.exception
    with Session(engine) as s:
        delivery = s.get(Delivery, did)
        assert delivery is not None
        assert (delivery.state, delivery.attempts) == ("approved", 0)
    assert not any("could not be sent" in w.value for w in at.warning)


def test_old_messages_and_manual_replies_are_explained(engine: Engine, seeded: Seeded) -> None:
    now = datetime.now(UTC)
    with Session(engine) as s:
        s.add(
            Message(
                source="t",
                source_id="old-question",
                body="What would the pricing be for ten seats?",
                content_hash="old",
                direction="in",
                label="genuine",
                sent_at=now - timedelta(days=90),
                triage_status="triaged",
            )
        )
        pending = s.get(Delivery, seeded.deliveries["camp_a"])
        pending.channel, pending.state = "linkedin", "manual"
        s.add(pending)
        s.commit()
    at = _app()
    assert not at.exception
    assert any("older than 30 days get no reminder" in c.value for c in at.caption)
    assert any("1 genuine message(s) older than 30 days" in i.value for i in at.info)
    outbox = next(f.value for f in at.dataframe if "Attempts" in f.value.columns)
    assert list(outbox["Next try"]) == ["you send it (LinkedIn)"]
