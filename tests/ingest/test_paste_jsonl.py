"""Pasted text, JSONL and CSV with a text column."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from responder.ingest.importer import import_path, import_text
from responder.ingest.paste import parse_paste
from responder.store.models import Message, Sender


def test_paste_with_headers() -> None:
    pm = parse_paste(
        "From: Kevin Brandt <kevin@growthstack.example>\nSubject: Pipeline\n\nHi Alex,\nquick call?"
    )
    assert (pm.sender_name, pm.sender_email, pm.subject) == (
        "Kevin Brandt", "kevin@growthstack.example", "Pipeline",
    )  # fmt: skip
    assert pm.body == "Hi Alex,\nquick call?"


def test_paste_with_profile_url_and_without_headers() -> None:
    pm = parse_paste("From: Ana https://www.linkedin.com/in/ana-x/\nhello there")
    assert (pm.sender_name, pm.sender_profile_url, pm.body) == (
        "Ana", "https://www.linkedin.com/in/ana-x/", "hello there",
    )  # fmt: skip
    plain = parse_paste("Subject lines later: are body\nSubject: not a header")
    assert plain.body.startswith("Subject lines later")


def test_paste_twice_is_a_duplicate_and_empty_is_rejected(engine, settings) -> None:
    text = "From: Ann\n\nHello Alex, coffee?"
    assert import_text(engine=engine, text=text, settings=settings).imported == 1
    again = import_text(engine=engine, text=text + "\n", settings=settings)
    assert (again.imported, again.duplicates) == (0, 1)
    empty = import_text(engine=engine, text="From: Ann\n\n  \n", settings=settings)
    assert empty.imported == 0 and empty.errors[0].reason.startswith("empty content")
    assert not empty.read_anything


def test_jsonl_import(engine, settings, tmp_path) -> None:
    lines = [
        json.dumps({"id": "1", "text": "Buy our SEO", "label": "sales_pitch", "subject": "SEO"}),
        "",
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"id": "2", "subject": "no text"}),
        json.dumps(
            {"text": "Hi from Ann", "sender_name": "Ann", "sent_at": "2024-01-02 10:00:00 UTC"}
        ),
        json.dumps({"text": "bad date", "date": "soon"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.imported == 2
    assert [(e.line, e.reason.split(":")[0]) for e in summary.errors] == [
        (3, "not valid JSON"), (4, "not a JSON object"),
        (5, "no text field ('text', 'body', 'content' or 'message')"), (7, "bad date"),
    ]  # fmt: skip
    with Session(engine) as s:
        msgs = s.exec(select(Message).order_by(Message.id)).all()
        assert [m.body for m in msgs] == ["Buy our SEO", "Hi from Ann"]
        assert msgs[0].subject == "SEO" and msgs[0].label is None  # label ignored on import
        assert s.get(Sender, msgs[1].sender_id).key == "name:ann"  # type: ignore[union-attr]
    assert import_path(engine=engine, path=path, settings=settings).duplicates == 2


def test_same_id_different_files_are_not_duplicates(engine, settings, tmp_path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps({"id": 1, "text": "first file"}) + "\n")
    b.write_text(json.dumps({"id": 1, "text": "second file"}) + "\n")
    assert import_path(engine=engine, path=a, settings=settings).imported == 1
    assert import_path(engine=engine, path=b, settings=settings).imported == 1


def test_csv_with_text_column(engine, settings, tmp_path) -> None:
    path = tmp_path / "msgs.csv"
    path.write_text(
        'id,Text,subject,label\n1,"hello\nworld",s1,genuine\n2,,s2,scam\n3,"x",s3\n4,buy now,s4,sales_pitch\n',
        encoding="utf-8",
    )
    summary = import_path(engine=engine, path=path, settings=settings)
    assert (summary.format, summary.imported) == ("csv", 2)
    assert [(e.line, e.reason) for e in summary.errors] == [
        (4, "empty content"), (5, "wrong number of fields: expected 4, found 3"),
    ]  # fmt: skip


def test_csv_without_text_column_is_rejected(engine, settings, tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.fatal and "no 'text' column" in summary.fatal


def test_txt_file_is_one_pasted_message(engine, settings, tmp_path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("From: Bo\nSubject: Hi\n\nLunch?", encoding="utf-8")
    summary = import_path(engine=engine, path=path, settings=settings)
    assert (summary.format, summary.imported) == ("text", 1)
