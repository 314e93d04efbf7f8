"""E-mail import: LinkedIn notification mails, plain mails, HTML-only, mbox, hostile MIME."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from responder.ingest.email import parse_email_bytes
from responder.ingest.importer import import_path
from responder.store.models import Conversation, Message, Sender

FIXTURES = Path(__file__).parent / "fixtures"


def test_linkedin_inmail_notification() -> None:
    pm = parse_email_bytes((FIXTURES / "linkedin_inmail.eml").read_bytes(), source="imap")
    assert pm.source == "imap"
    assert pm.source_id == "1741684440.5532.inmail@linkedin.com"
    assert pm.sender_name == "Jordan Blake"
    assert pm.sender_email is None  # the relay address is shared by everyone
    assert pm.sender_profile_url == "https://www.linkedin.com/in/jordan-blake-growth"
    assert pm.sender_headline == "Growth Partner at PipelineForge | B2B lead generation"
    assert pm.body.startswith(
        "Hi Alex,\n\nI noticed your team is hiring data engineers – congrats!"
    )
    assert pm.body.endswith("Jordan")
    for boilerplate in ("View profile", "This email was intended", "Unsubscribe", "Sunnyvale"):
        assert boilerplate not in pm.body
    assert "X-LinkedIn-Class: INMAIL" in pm.raw  # the flag stays in the raw mail
    assert pm.subject == "Partnership idea for your data team"
    assert pm.conversation_id == "2-ABCDEF=="
    assert pm.conversation_url == "https://www.linkedin.com/messaging/thread/2-ABCDEF==/"
    assert pm.sent_at is not None and pm.sent_at.isoformat() == "2025-03-11T09:14:00+00:00"


def test_plain_mail_prefers_text_and_keeps_threading() -> None:
    pm = parse_email_bytes((FIXTURES / "plain.eml").read_bytes())
    assert pm.source == "email"
    assert pm.sender_name == "Daniel Okafor"
    assert pm.sender_email == "daniel.okafor@client.example"
    assert pm.body.startswith("Hi Alex,\n\ncould we move the kickoff")
    assert "should not be used" not in pm.body
    assert pm.email_message_id == "<CAF9x2kd8a@mail.client.example>"
    assert pm.email_references == "<root-0001@example.org> <CAF7aaa@mail.client.example>"
    assert pm.conversation_id == "root-0001@example.org"
    assert pm.conversation_title == "Kickoff call for the Q2 integration"
    assert pm.reply_to == "pm-team@client.example"
    assert pm.recipients == ["alex@example.org", "pm-team@client.example"]
    assert pm.sent_at is not None and pm.sent_at.isoformat() == "2025-03-12T13:20:09+00:00"


def test_html_only_mail_becomes_text_without_script() -> None:
    pm = parse_email_bytes((FIXTURES / "html_only.eml").read_bytes())
    assert pm.body == (
        "Hi Alex,\n\nCafé talk: our FinOps platform.\nRegister: here (https://finops-cloudsave.example.com/w)"
    )
    assert pm.source_id.startswith("sha256:")  # no Message-ID


def test_mbox_import_direction_and_dedupe(engine, settings) -> None:
    settings.profile.emails = ["alex@example.org"]
    path = FIXTURES / "sample.mbox"
    first = import_path(engine=engine, path=path, settings=settings)
    assert (first.imported, first.skipped, first.format) == (3, 0, "mbox"), first.to_dict()
    again = import_path(engine=engine, path=path, settings=settings)
    assert (again.imported, again.duplicates) == (0, 3)
    with Session(engine) as s:
        msgs = {m.source_id: m for m in s.exec(select(Message)).all()}
        assert msgs["priya-001@example.net"].body == (
            "Hi Alex, coffee next Tuesday?\nFrom the meetup, I still have your slides."
        )
        assert msgs["alex-002@example.org"].direction == "out"
        kevin = msgs["kb-003@linkedin.com"]
        assert (
            kevin.body == "Hi Alex, we book 15-20 meetings per month for founders. Open to a chat?"
        )
        sender = s.get(Sender, kevin.sender_id)
        assert sender is not None and (sender.name, sender.key) == (
            "Kevin Brandt",
            "name:kevin brandt",
        )
        assert sender.headline == "Founder at GrowthStack"
        conv = s.exec(
            select(Conversation).where(Conversation.source_id == "priya-001@example.net")
        ).one()
        assert conv.user_participated is True
        thread = [m for m in msgs.values() if m.conversation_id == conv.id]
        assert len(thread) == 2


def test_eml_file_import(engine, settings) -> None:
    summary = import_path(engine=engine, path=FIXTURES / "linkedin_inmail.eml", settings=settings)
    assert (summary.imported, summary.format) == (1, "eml")


def test_deeply_nested_mime_does_not_crash() -> None:
    depth = 3000
    parts = [b"From: a@b.c\nSubject: deep\nMessage-ID: <deep@x>\n"]
    for i in range(depth):
        parts.append(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i))
    parts.append(b"Content-Type: text/plain\n\nhello from the bottom\n")
    pm = parse_email_bytes(b"".join(parts))
    assert pm.source_id == "deep@x"
    assert pm.body  # something readable, never an exception


def test_mail_with_only_an_attachment_and_bad_charset() -> None:
    data = (
        b"From: x@y.z\nMessage-ID: <a1@y.z>\nContent-Type: multipart/mixed; boundary=q\n\n"
        b"--q\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=inv.pdf\n\nAAAA\n"
        b"--q\nContent-Type: text/plain; charset=no-such-charset\n\nhello \xff\n--q--\n"
    )
    pm = parse_email_bytes(data)
    assert pm.body.startswith("hello")
    only_attachment = data.split(b"--q\nContent-Type: text/plain")[0] + b"--q--\n"
    assert parse_email_bytes(only_attachment).body == "[no text; attachments: inv.pdf]"


def test_mbox_with_text_before_first_from_line_reports_it(engine, settings, tmp_path) -> None:
    path = tmp_path / "x.mbox"
    path.write_bytes(b"junk line\n" + (FIXTURES / "sample.mbox").read_bytes())
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.imported == 3
    assert [e.line for e in summary.errors] == [1]
    assert summary.errors[0].reason.startswith("text before the first 'From ' line")


def test_unparsable_headers_fall_back_to_raw_values() -> None:
    data = (
        b'From: <\nSubject: =?bogus?Q?x?=\nContent-Type: text/plain; charset="\nDate: nope\n\nhi\n'
    )
    pm = parse_email_bytes(data)
    assert (pm.body, pm.sender_name) == ("hi", "<")
    assert pm.sent_at is not None  # dated at import time


def test_encoded_words_and_raw_utf8_headers() -> None:
    encoded = b"From: =?utf-8?q?Ren=C3=A9e?= <r@x.org>\nSubject: =?iso-8859-1?q?Caf=E9?=\n\nhi"
    raw8 = b'From: "Ren\xc3\xa9e D" <R@X.org>\nSubject: Caf\xc3\xa9\n\nhello'
    assert (parse_email_bytes(encoded).sender_name, parse_email_bytes(encoded).subject) == (
        "Renée", "Café",
    )  # fmt: skip
    pm = parse_email_bytes(raw8)
    assert (pm.sender_name, pm.subject, pm.sender_email) == ("Renée D", "Café", "r@x.org")
