"""The outbox against a real SMTP server on 127.0.0.1: threading headers, TLS modes, retries
with backoff, permanent failures, business hours, reconciliation of interrupted sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from responder.channels.linkedin import manual_reply
from responder.channels.outbox import (
    MAX_ATTEMPTS,
    outbox_items,
    process_outbox,
    reconcile_sending,
    retry_delivery,
)
from responder.store.models import Delivery, Draft, Event, Message
from responder.triage.review import approve_draft
from tests.support.smtp_server import SMTPServer
from tests.worker.conftest import WED_10_BERLIN, draft, message, tls_server

NOW = WED_10_BERLIN


def mail_message(session: Session, n: int = 1) -> Message:
    return message(
        session,
        sent_at=NOW - timedelta(days=1),
        label="sales_pitch",
        who=f"pat{n}",
        source="email",
        email=f"pat{n}@example.test",
        subject="Partnership opportunity",
        email_message_id=f"<orig-{n}@example.test>",
        email_references="<root@example.test>",
    )


def approved(session: Session, msg: Message) -> Delivery:
    d = draft(session, msg, kind="decline")
    approve_draft(session=session, draft_id=d.id)
    delivery = session.exec(select(Delivery).where(Delivery.draft_id == d.id)).one()
    delivery.next_attempt_at = None  # due now, whatever the test clock says
    session.add(delivery)
    session.commit()
    return delivery


def run(session: Session, settings, now: datetime = NOW) -> dict[str, int]:
    out = process_outbox(engine=session.get_bind(), settings=settings, worker_id="w", now=now)
    session.expire_all()
    return out


@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_reply_goes_out_threaded_exactly_once(session, configure, tmp_path, security) -> None:
    server = SMTPServer().start() if security == "none" else tls_server(security, tmp_path)
    try:
        settings = configure(**server.settings_env())
        msg = mail_message(session)
        delivery = approved(session, msg)
        assert run(session, settings) == {"sent": 1}
        assert run(session, settings, NOW + timedelta(hours=1)) == {}
        [got] = server.received
    finally:
        server.stop()
    mail = got.message
    assert got.rcpt_tos == ["pat1@example.test"]
    assert mail["In-Reply-To"] == "<orig-1@example.test>"
    assert mail["References"] == "<root@example.test> <orig-1@example.test>"
    assert mail["Subject"] == "Re: Partnership opportunity"
    assert f"decline text for {msg.id}" in mail.get_payload(decode=True).decode()
    session.refresh(delivery)
    assert delivery.state == "sent" and mail["Message-ID"] == delivery.outgoing_message_id
    assert delivery.attempts == 1
    assert session.get(Message, msg.id).status == "answered"
    assert session.get(Draft, delivery.draft_id).status == "sent"
    assert got.tls is (security != "none") and got.authenticated is (security != "none")


def test_untrusted_certificate_is_a_clear_permanent_failure(session, configure, tmp_path) -> None:
    server = tls_server("starttls", tmp_path)
    try:
        env = server.settings_env()
        env.pop("SSL_CERT_FILE")
        settings = configure(**env)
        delivery = approved(session, mail_message(session))
        assert run(session, settings) == {"failed": 1}
        assert server.received == []
    finally:
        server.stop()
    session.refresh(delivery)
    assert delivery.state == "failed" and "certificate" in delivery.last_error


def test_sends_wait_for_business_hours(session, configure, smtp_plain) -> None:
    settings = configure(**smtp_plain.settings_env(), RESPONDER_PROFILE_TIMEZONE="Europe/Berlin")
    approved(session, mail_message(session))
    saturday = NOW + timedelta(days=3)
    assert run(session, settings, saturday) == {}
    assert smtp_plain.received == []
    assert run(session, settings, saturday + timedelta(days=2)) == {"sent": 1}


def test_transient_errors_retry_with_backoff(session, configure, smtp_plain) -> None:
    settings = configure(**smtp_plain.settings_env())
    delivery = approved(session, mail_message(session))
    smtp_plain.recorder.fail_next(451, times=2)
    assert run(session, settings) == {"retry": 1}
    session.refresh(delivery)
    assert delivery.state == "approved" and delivery.next_attempt_at == NOW + timedelta(minutes=1)
    assert "451" in delivery.last_error
    assert run(session, settings, NOW + timedelta(seconds=30)) == {}  # not yet due
    assert run(session, settings, NOW + timedelta(minutes=1)) == {"retry": 1}
    session.refresh(delivery)
    assert delivery.next_attempt_at == NOW + timedelta(minutes=3)  # 1 + 2 minutes
    assert run(session, settings, NOW + timedelta(minutes=3)) == {"sent": 1}
    assert len(smtp_plain.received) == 1
    session.refresh(delivery)
    assert delivery.attempts == 3 and delivery.last_error is None


def test_unreachable_server_fails_visibly_after_the_last_attempt(session, configure) -> None:
    server = SMTPServer().start()
    env = server.settings_env()
    server.stop()  # nothing listens on the port any more
    settings = configure(**env)
    delivery = approved(session, mail_message(session))
    now = NOW
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        outcomes.append(run(session, settings, now))
        now += timedelta(hours=1)
    assert outcomes[:-1] == [{"retry": 1}] * (MAX_ATTEMPTS - 1) and outcomes[-1] == {"failed": 1}
    session.refresh(delivery)
    assert delivery.state == "failed" and "Could not reach" in delivery.last_error
    [event] = session.exec(select(Event).where(Event.kind == "delivery_failed")).all()
    assert event.level == "error" and f"after {MAX_ATTEMPTS} attempts" in event.detail


def test_permanent_error_then_user_retry(session, configure, smtp_plain) -> None:
    settings = configure(**smtp_plain.settings_env())
    delivery = approved(session, mail_message(session))
    smtp_plain.recorder.fail_next(550)
    assert run(session, settings) == {"failed": 1}
    assert [i.delivery.id for i in outbox_items(session=session, state="failed")] == [delivery.id]
    first_id = session.get(Delivery, delivery.id).outgoing_message_id
    retry_delivery(session=session, delivery_id=delivery.id, now=NOW)
    session.commit()
    assert run(session, settings) == {"sent": 1}
    [got] = smtp_plain.received
    assert got.message["Message-ID"] == first_id  # a resend keeps its Message-ID


def test_interrupted_sends_are_reconciled_never_resent(session, configure, smtp_plain) -> None:
    settings = configure(**smtp_plain.settings_env())
    engine = session.get_bind()
    with_id = approved(session, mail_message(session, 1))
    without_id = approved(session, mail_message(session, 2))
    for d, mid in ((with_id, "<x1@example.test>"), (without_id, None)):
        d.state, d.claimed_by, d.claimed_at, d.outgoing_message_id = "sending", "w", NOW, mid
        session.add(d)
    session.commit()
    # Another worker's fresh claim is left alone ...
    assert reconcile_sending(engine=engine, settings=settings, now=NOW, worker_id="other") == {}
    # ... the restarted worker "w" settles its own.
    out = reconcile_sending(engine=engine, settings=settings, now=NOW, worker_id="w")
    assert out == {"uncertain": 1, "requeued": 1}
    session.expire_all()
    assert session.get(Delivery, with_id.id).state == "uncertain"
    assert session.get(Delivery, without_id.id).state == "approved"
    assert run(session, settings) == {"sent": 1}  # only the one that surely never left
    assert [r.rcpt_tos for r in smtp_plain.received] == [["pat2@example.test"]]
    [ev] = session.exec(select(Event).where(Event.kind == "delivery_uncertain")).all()
    assert "Sent folder" in ev.detail and ev.level == "warning"


def test_linkedin_replies_wait_for_the_user(session, configure, smtp_plain) -> None:
    settings = configure(**smtp_plain.settings_env())
    msg = message(session, sent_at=NOW, label="sales_pitch", who="lin", conv="li-1")
    d = draft(session, msg, kind="decline")
    approve_draft(session=session, draft_id=d.id)
    session.commit()
    delivery = session.exec(select(Delivery).where(Delivery.draft_id == d.id)).one()
    assert (delivery.channel, delivery.state) == ("linkedin", "manual")
    assert run(session, settings) == {}
    reply = manual_reply(session=session, delivery_id=delivery.id)
    assert reply.text == d.text and reply.conversation_url.startswith("https://www.linkedin.com/")
    assert smtp_plain.received == []


def test_nothing_happens_without_smtp_settings(session, settings) -> None:
    approved(session, mail_message(session))
    assert run(session, settings) == {}
    assert session.exec(select(Delivery)).one().state == "approved"


def test_now_is_utc() -> None:
    assert NOW.tzinfo is UTC
