"""LinkedIn messages.csv / export .zip: formats, content handling, owner, malformed rows."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from responder.ingest.importer import import_path
from responder.ingest.linkedin_export import parse_date, split_urls
from responder.store.models import Conversation, Message, Sender
from tests.ingest.helpers import CURRENT, ME, NEWER, OLDER, inbox, row, write_csv


def _messages(engine) -> list[Message]:
    with Session(engine) as s:
        return list(s.exec(select(Message).order_by(Message.sent_at)).all())


@pytest.mark.parametrize("header", [CURRENT, NEWER, OLDER], ids=["current", "newer", "older"])
def test_header_variants_import_and_find_the_owner(engine, settings, tmp_path, header) -> None:
    path = write_csv(tmp_path / "messages.csv", inbox(3, header), header)
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.to_dict()["imported"] == 4, summary.to_dict()
    assert summary.errors == [] and summary.warnings == []
    msgs = _messages(engine)
    out = [m for m in msgs if m.direction == "out"]
    assert [m.body for m in out] == ["Thanks, will do"]
    assert out[0].triage_status == "skipped"
    assert all(m.triage_status == "new" for m in msgs if m.direction == "in")
    with Session(engine) as s:
        conv = s.exec(select(Conversation).where(Conversation.source_id == "conv-0")).one()
        assert conv.user_participated is True
        assert conv.url == "https://www.linkedin.com/messaging/thread/conv-0/"
        assert conv.last_message_at == datetime(2024, 1, 1, 11, 0, tzinfo=UTC)
        others = s.exec(select(Conversation).where(Conversation.source_id != "conv-0")).all()
        assert {c.user_participated for c in others} == {False}
        me = s.exec(select(Sender).where(Sender.is_self == True)).one()  # noqa: E712
        assert me.key == ME[1]


def test_columns_in_any_order_and_case(engine, settings, tmp_path) -> None:
    header = [h.lower() for h in reversed(CURRENT)]
    rows = [{h.lower(): v for h, v in r.items()} for r in inbox(2)]
    path = write_csv(tmp_path / "m.csv", rows, header)
    assert import_path(engine=engine, path=path, settings=settings).imported == 3


def test_multiline_html_and_mojibake_content(engine, settings, tmp_path) -> None:
    mojibake = "Merci, c'était très utile".encode().decode("latin-1")
    html = (
        '<p>Hi Alex,</p><p>Join our <b>webinar</b>:<br><a href="https://x.example/w">here</a></p>'
    )
    rows = [
        row("c1", "Ana", "https://www.linkedin.com/in/ana", "2024-02-01 10:00:00 UTC",
            "line one\nline two\r\n\nline four"),
        row("c2", "Renée", "https://www.linkedin.com/in/renee", "2024-02-02 10:00:00 UTC", mojibake),
        row("c3", "Nina", "https://www.linkedin.com/in/nina", "2024-02-03 10:00:00 UTC", html),
    ]  # fmt: skip
    path = write_csv(tmp_path / "messages.csv", rows)
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.imported == 3, summary.to_dict()
    bodies = [m.body for m in _messages(engine)]
    assert bodies[0] == "line one\nline two\n\nline four"
    assert bodies[1] == "Merci, c'était très utile"
    assert bodies[2] == "Hi Alex,\n\nJoin our webinar:\nhere (https://x.example/w)"
    raw = _messages(engine)[2].raw
    assert "<b>webinar</b>" in raw  # the record as read is kept


def test_line_numbers_are_physical_record_starts(engine, settings, tmp_path) -> None:
    rows = [
        row("c1", "Ana", "https://www.linkedin.com/in/ana", "2024-02-01 10:00:00 UTC", "a\nb\nc"),
        row("c2", "Bob", "https://www.linkedin.com/in/bob", "not a date", "hello"),
        row("c3", "Cy", "https://www.linkedin.com/in/cy", "2024-02-03 10:00:00 UTC", "x\n\ny"),
        row("c4", "Di", "https://www.linkedin.com/in/di", "2024-02-04 10:00:00 UTC", "   "),
    ]  # fmt: skip
    path = write_csv(tmp_path / "messages.csv", rows)
    with path.open("a", encoding="utf-8") as f:
        f.write("c5,,Ed,https://www.linkedin.com/in/ed,Alex\n")  # wrong number of fields
    summary = import_path(engine=engine, path=path, settings=settings)
    errors = {(e.file, e.line): e.reason for e in summary.errors}
    # header=1, c1 spans 2-4, c2=5, c3 spans 6-8, c4=9, c5=10
    assert errors == {
        ("messages.csv", 5): "bad date: 'not a date'",
        ("messages.csv", 9): "empty content",
        ("messages.csv", 10): "wrong number of fields: expected 11, found 5",
    }
    assert summary.imported == 2 and summary.skipped == 3


def test_system_rows_and_drafts_are_skipped_not_errors(engine, settings, tmp_path) -> None:
    rows = inbox(2, NEWER) + [
        row("c9", "Zed", "https://www.linkedin.com/in/zed", "2024-03-01 10:00:00 UTC",
            "Message request accepted", header=NEWER),
        row("c0", ME[0], ME[1], "2024-03-02 10:00:00 UTC", "unsent reply", header=NEWER,
            to=("Person 0", "https://www.linkedin.com/in/person-0"), **{"IS MESSAGE DRAFT": "Yes"}),
    ]  # fmt: skip
    path = write_csv(tmp_path / "messages.csv", rows, NEWER)
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.imported == 3
    assert summary.skipped == 2 and summary.errors == []
    assert summary.skipped_reasons == {"draft": 1, "system message": 1}


def test_recipient_separators() -> None:
    a, b = "https://www.linkedin.com/in/a", "https://www.linkedin.com/in/b"
    for value in (f"{a};{b}", f"{a}, {b}", f"{a}; {b}/", f"{a} {b}", f"{a}?x=1,{b}"):
        assert split_urls(value) == [a, b], value


def test_owner_from_settings_wins(engine, settings, tmp_path) -> None:
    settings.profile.linkedin_url = "https://linkedin.com/in/Person-1/"
    path = write_csv(tmp_path / "messages.csv", inbox(3))
    import_path(engine=engine, path=path, settings=settings)
    out = [m.body for m in _messages(engine) if m.direction == "out"]
    assert out == ["Hello number 1"]


def test_owner_unknown_in_a_single_two_person_conversation(engine, settings, tmp_path) -> None:
    settings.profile.name = "Nobody Here"
    rows = [
        row("c1", "Ann", "https://www.linkedin.com/in/ann", "2024-01-01 10:00:00 UTC", "hi",
            to=("Bo", "https://www.linkedin.com/in/bo")),
        row("c1", "Bo", "https://www.linkedin.com/in/bo", "2024-01-01 11:00:00 UTC", "hey",
            to=("Ann", "https://www.linkedin.com/in/ann")),
    ]  # fmt: skip
    summary = import_path(
        engine=engine, path=write_csv(tmp_path / "m.csv", rows), settings=settings
    )
    assert summary.imported == 2
    assert summary.warnings and "RESPONDER_PROFILE_LINKEDIN_URL" in summary.warnings[0]
    settings.profile.name = "Bo"  # the profile name breaks the tie
    engine2_path = write_csv(
        tmp_path / "m2.csv", [dict(r, **{"CONVERSATION ID": "c2"}) for r in rows]
    )
    import_path(engine=engine, path=engine2_path, settings=settings)
    out = [m.body for m in _messages(engine) if m.direction == "out"]
    assert out == ["hey"]


def test_owner_inferred_from_names_in_old_exports(engine, settings, tmp_path) -> None:
    settings.profile.name = ""
    path = write_csv(tmp_path / "messages.csv", inbox(3, OLDER), OLDER)
    import_path(engine=engine, path=path, settings=settings)
    assert [m.body for m in _messages(engine) if m.direction == "out"] == ["Thanks, will do"]


def test_reimport_creates_no_duplicates_and_keeps_sender_status(engine, settings, tmp_path) -> None:
    path = write_csv(tmp_path / "messages.csv", inbox(3))
    first = import_path(engine=engine, path=path, settings=settings)
    with Session(engine) as s:
        bob = s.exec(
            select(Sender).where(Sender.key == "https://www.linkedin.com/in/person-1")
        ).one()
        bob.status = "blocked"
        bob.name = "Renamed By User"
        s.add(bob)
        s.commit()
    again = import_path(engine=engine, path=path, settings=settings)
    assert (first.imported, again.imported, again.duplicates) == (4, 0, 4)
    with Session(engine) as s:
        assert len(s.exec(select(Message)).all()) == 4
        bob = s.exec(
            select(Sender).where(Sender.key == "https://www.linkedin.com/in/person-1")
        ).one()
        assert (bob.status, bob.name) == ("blocked", "Renamed By User")


def test_same_message_twice_in_one_file_is_one_duplicate(engine, settings, tmp_path) -> None:
    rows = inbox(2)
    path = write_csv(tmp_path / "messages.csv", rows + [rows[0]])
    summary = import_path(engine=engine, path=path, settings=settings)
    assert (summary.imported, summary.duplicates) == (3, 1)


def test_sender_seen_range_widens(engine, settings, tmp_path) -> None:
    url = "https://www.linkedin.com/in/kev"
    a = [row("k", "Kev", url, "2024-05-02 10:00:00 UTC", "pitch 2")]
    b = [row("k", "Kev", url, "2024-05-01 10:00:00 UTC", "pitch 1"),
         row("k", "Kev", url, "2024-05-09 10:00:00 UTC", "pitch 3")]  # fmt: skip
    import_path(engine=engine, path=write_csv(tmp_path / "a.csv", a), settings=settings)
    import_path(engine=engine, path=write_csv(tmp_path / "b.csv", b), settings=settings)
    with Session(engine) as s:
        kev = s.exec(select(Sender).where(Sender.key == url)).one()
        assert kev.first_seen == datetime(2024, 5, 1, 10, tzinfo=UTC)
        assert kev.last_seen == datetime(2024, 5, 9, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-06-11 15:33:58 UTC", datetime(2023, 6, 11, 15, 33, 58, tzinfo=UTC)),
        ("2023-06-11T15:33:58+02:00", datetime(2023, 6, 11, 13, 33, 58, tzinfo=UTC)),
        ("2023-06-11 15:33:58", datetime(2023, 6, 11, 15, 33, 58, tzinfo=UTC)),
    ],
)
def test_parse_date(text, expected) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("bad", ["", "yesterday", "2023-13-45 99:00:00 UTC", "1" * 100])
def test_parse_date_rejects(bad) -> None:
    with pytest.raises(ValueError):
        parse_date(bad)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_export_zip(engine, settings, tmp_path) -> None:
    csv_bytes = write_csv(tmp_path / "x.csv", inbox(3)).read_bytes()
    path = _zip(tmp_path / "Basic_LinkedInDataExport.zip",
                {"Connections.csv": b"First Name\n", "messages.csv": csv_bytes})  # fmt: skip
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.imported == 4 and summary.fatal is None
    assert summary.files == ["Basic_LinkedInDataExport.zip:messages.csv"]


@pytest.mark.parametrize(
    ("members", "needle"),
    [
        ({"../../etc/messages.csv": b"x"}, "unsafe path"),
        ({"messages.csv": b"a", "/abs/evil.txt": b"x"}, "unsafe path"),
        ({"Connections.csv": b"x"}, "no messages.csv"),
    ],
)
def test_bad_zip_rejected(engine, settings, tmp_path, members, needle) -> None:
    summary = import_path(engine=engine, path=_zip(tmp_path / "e.zip", members), settings=settings)
    assert summary.fatal and needle in summary.fatal
    assert summary.to_dict()["errors"][0]["file"] == "e.zip"


def test_zip_bomb_rejected(engine, settings, tmp_path) -> None:
    path = tmp_path / "bomb.zip"
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        f = zf.open("messages.csv", "w", force_zip64=True)
        for _ in range(64):
            f.write(chunk)
        f.close()
    assert path.stat().st_size < 200_000
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.fatal and "zip bomb" in summary.fatal


def test_zip_member_lying_about_its_size_is_stopped(tmp_path) -> None:
    from responder.errors import ImportFormatError
    from responder.ingest.archive import zip_member_opener

    path = _zip(tmp_path / "lie.zip", {"messages.csv": b"A" * 5000})
    data = bytearray(path.read_bytes())
    # patch the declared uncompressed size (local header offset 22, central directory +24)
    cd = data.rfind(b"PK\x01\x02")
    data[22:26] = (100).to_bytes(4, "little")
    data[cd + 24 : cd + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    opener, _ = zip_member_opener(path, "messages.csv")
    with pytest.raises((ImportFormatError, zipfile.BadZipFile)), opener() as f:
        io.BytesIO(f.read())


def test_not_a_linkedin_csv_names_the_missing_columns(engine, settings, tmp_path) -> None:
    path = tmp_path / "messages.csv"
    path.write_text("CONVERSATION ID,FROM\nx,y\n", encoding="utf-8")
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.fatal and "DATE" in summary.fatal and "CONTENT" in summary.fatal


def test_upload_limit(engine, settings, tmp_path) -> None:
    settings.policy.max_upload_mb = 1
    path = tmp_path / "messages.csv"
    path.write_bytes(b"x" * (1024 * 1024 + 1))
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.fatal and "larger than the limit of 1 MB" in summary.fatal


def test_progress_is_reported(engine, settings, tmp_path) -> None:
    calls: list[tuple[int, int | None]] = []
    path = write_csv(tmp_path / "messages.csv", inbox(3))
    import_path(
        engine=engine, path=path, settings=settings, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (4, 4)
