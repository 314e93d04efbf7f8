"""Import messages in the user's words: their file name, real lines, recognised export files, no
raw bytes, one count per record, and limits on pasted text."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from responder.app import inbox
from responder.ingest.importer import import_path, import_text
from responder.ingest.paste import MAX_PASTE_CHARS
from responder.ingest.recognize import binary_kind, linkedin_file_for, linkedin_file_in_text
from responder.settings import Settings

HEADER = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
    "SUBJECT,CONTENT,FOLDER,ATTACHMENTS\n"
)
ROW = "c{i},,Pat,https://www.linkedin.com/in/pat,Me,https://www.linkedin.com/in/me,{date},,Hi {i},INBOX,\n"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["First Name", "Last Name", "URL", "Email Address", "Connected On"], "Connections.csv"),
        (["From", "To", "Sent At", "Message", "Direction"], "Invitations.csv"),
        (["First Name", "Last Name", "Headline", "Summary", "Industry"], "Profile.csv"),
        (["Company Name", "Title", "Description", "Started On"], "Positions.csv"),
        (["Name"], "Skills.csv"),
        (["CONVERSATION ID", "FROM", "CONTENT"], "messages.csv"),
        (["text", "label"], None),
        (["name", "text"], None),
    ],
)
def test_linkedin_files_are_recognised(header: list[str], expected: str | None) -> None:
    assert linkedin_file_for(header) == expected


def test_connections_with_its_notes_preamble() -> None:
    head = 'Notes:\n"When exporting..."\n\nFirst Name,Last Name,URL,Email Address\n'
    assert linkedin_file_in_text(head) == "Connections.csv"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\x00\x01\x02\x03binary", "a binary file"),
        (b"\xff\xfeC\x00O\x00", None),  # UTF-16 text with a BOM
        (b"text,label\nhello,genuine\n", None),
    ],
)
def test_binary_files_are_told_apart(head: bytes, kind: str | None) -> None:
    assert binary_kind(head) == kind


def test_errors_name_the_users_file_and_a_real_line(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    stored = tmp_path / "20261205T101010123456-linkedin_messages.csv"
    stored.write_text(
        HEADER
        + ROW.format(i=1, date="2026-05-01 10:00:00 UTC")
        + ROW.format(i=2, date="not a date")
        + "c3,,only,three\n"
    )
    summary = import_path(
        engine=engine, path=stored, settings=settings, display_name="linkedin_messages.csv"
    )
    assert summary.files == ["linkedin_messages.csv"]
    assert [(e.file, e.line) for e in summary.errors] == [
        ("linkedin_messages.csv", 3),
        ("linkedin_messages.csv", 4),
    ]
    data = summary.to_dict()
    assert (data["imported"], data["skipped_on_purpose"], len(data["errors"])) == (1, 0, 2)
    assert "20261205T" not in str(data)


def test_binary_upload_is_refused_without_bytes(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    stored = tmp_path / "stamp-export.csv"
    stored.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    summary = import_path(engine=engine, path=stored, settings=settings, display_name="export.csv")
    assert summary.fatal is not None
    assert summary.fatal.startswith("export.csv: this is a PDF document, not a text file")
    assert "\\x" not in summary.fatal and "stamp-" not in summary.fatal


def test_paste_over_the_limit_is_refused_with_the_reason(
    engine: Engine, settings: Settings
) -> None:
    summary = import_text(engine=engine, text="x" * (MAX_PASTE_CHARS + 1), settings=settings)
    assert summary.imported == 0 and summary.fatal is not None
    assert f"at most {MAX_PASTE_CHARS:,} are accepted" in summary.fatal


def test_paste_without_sender_says_unknown_sender(engine: Engine, settings: Settings) -> None:
    import_text(engine=engine, text="Please call me back about the invoice.", settings=settings)
    import_text(engine=engine, text="Lunch on Friday?", settings=settings, sender="Sam Friend")
    with Session(engine) as s:
        rows = inbox.list_messages(session=s).rows
    assert sorted(r.sender for r in rows) == ["Sam Friend", "Unknown sender"]
