"""IMAP polling against a real dovecot on 127.0.0.1: idempotent by UID, unread flags kept,
triage after import, Sent-folder reconciliation, and a reply that threads under the polled mail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from responder.channels.outbox import process_outbox, reconcile_sending
from responder.ingest.imap import find_sent
from responder.store.models import Delivery, ImportedSource, Message
from responder.worker.imap_poll import poll_imap
from tests.support.imap_server import IMAPServer, dovecot_server, find_dovecot
from tests.worker.conftest import WED_10_BERLIN, draft

pytestmark = pytest.mark.imap


@pytest.fixture
def imap() -> Iterator[IMAPServer]:
    if find_dovecot() is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)")
    with dovecot_server() as server:
        yield server


def mail(n: int, *, subject: str = "Quick question", reply_to: str | None = None) -> bytes:
    extra = f"Reply-To: {reply_to}\r\n" if reply_to else ""
    return (
        f"From: Sam Sender <sam{n}@example.test>\r\nTo: alex@example.test\r\n{extra}"
        f"Subject: {subject} {n}\r\nMessage-ID: <in-{n}@example.test>\r\n"
        f"Date: Mon, 02 Mar 2026 10:0{n % 10}:00 +0000\r\n\r\n"
        f"Hello Alex, this is message number {n}. Could we talk next week?\r\n"
    ).encode()


def test_poll_imports_new_mail_once_by_uid(session, configure, imap) -> None:
    settings = configure(**imap.settings_env())
    for n in (1, 2, 3):
        imap.append(mail(n))
    engine = session.get_bind()
    assert poll_imap(engine=engine, settings=settings, triage=False) == {
        "fetched": 3,
        "imported": 3,
        "skipped": 0,
    }
    assert poll_imap(engine=engine, settings=settings, triage=False)["fetched"] == 0
    imap.append(mail(4))
    assert poll_imap(engine=engine, settings=settings, triage=False)["imported"] == 1
    rows = session.exec(select(Message).order_by(Message.id)).all()
    assert [m.email_message_id for m in rows] == [f"<in-{n}@example.test>" for n in (1, 2, 3, 4)]
    assert {m.source for m in rows} == {"imap"}
    keys = session.exec(select(ImportedSource.key).where(ImportedSource.source == "imap:INBOX"))
    assert sorted(int(k.split(":")[1]) for k in keys) == [1, 2, 3, 4]
    with imap.client() as c:  # the user's unread mail stays unread
        c.select("INBOX", readonly=True)
        typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
        assert typ == "OK" and not any(b"\\Seen" in line for line in data)


def test_a_crash_before_the_uids_were_recorded_adds_no_duplicates(session, configure, imap) -> None:
    settings = configure(**imap.settings_env())
    for n in (1, 2):
        imap.append(mail(n))
    engine = session.get_bind()
    poll_imap(engine=engine, settings=settings, triage=False)
    for row in session.exec(select(ImportedSource)).all():  # as if the worker died right there
        session.delete(row)
    session.commit()
    again = poll_imap(engine=engine, settings=settings, triage=False)
    assert again["fetched"] == 2 and again["imported"] == 0
    assert len(session.exec(select(Message)).all()) == 2


def test_poll_triages_what_it_imported(session, configure, imap) -> None:
    settings = configure(**imap.settings_env())
    imap.append(mail(1))
    poll_imap(engine=session.get_bind(), settings=settings)
    [msg] = session.exec(select(Message)).all()
    assert msg.triage_status == "triaged" and msg.label is not None


def test_reply_to_polled_mail_threads_and_reconciles_from_sent(
    session, configure, imap, smtp_plain
) -> None:
    settings = configure(**(imap.settings_env() | smtp_plain.settings_env()))
    imap.append(mail(7, reply_to="replies@example.test"))
    engine = session.get_bind()
    poll_imap(engine=engine, settings=settings, triage=False)
    [msg] = session.exec(select(Message)).all()
    from responder.triage.review import approve_draft

    d = draft(session, msg, kind="reply")
    approve_draft(session=session, draft_id=d.id)
    delivery = session.exec(select(Delivery)).one()
    delivery.next_attempt_at = None
    session.add(delivery)
    session.commit()
    assert process_outbox(engine=engine, settings=settings, worker_id="w", now=WED_10_BERLIN) == {
        "sent": 1
    }
    [got] = smtp_plain.received
    assert got.rcpt_tos == ["replies@example.test"]
    assert got.message["In-Reply-To"] == "<in-7@example.test>"
    assert got.message["Subject"] == "Re: Quick question 7"

    # A second reply was interrupted mid-send, but the provider filed it in Sent: reconciled.
    imap.append(b"From: alex@example.test\r\nMessage-ID: <out-9@example.test>\r\n\r\nx\r\n", "Sent")
    assert find_sent(settings=settings, message_ids=["<out-9@example.test>", "<no@x>"]) == {
        "<out-9@example.test>"
    }
    d2 = draft(session, msg, kind="reply")
    approve_draft(session=session, draft_id=d2.id)
    row = session.exec(select(Delivery).where(Delivery.draft_id == d2.id)).one()
    row.state, row.claimed_by, row.outgoing_message_id = "sending", "w", "<out-9@example.test>"
    row.claimed_at = datetime.now(UTC)
    session.add(row)
    session.commit()
    assert reconcile_sending(engine=engine, settings=settings, worker_id="w") == {"sent": 1}
    session.refresh(row)
    assert row.state == "sent" and len(smtp_plain.received) == 1
