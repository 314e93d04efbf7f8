"""Property tests: hostile input ends in imported-or-clearly-rejected, never an exception."""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from responder.errors import ImportFormatError
from responder.ingest.base import ParsedMessage, RowError
from responder.ingest.email import parse_email_bytes, parse_mbox
from responder.ingest.importer import import_path
from responder.ingest.jsonl import parse_jsonl
from responder.ingest.linkedin_export import iter_linkedin
from responder.ingest.paste import parse_paste
from responder.ingest.text import to_plain_text
from responder.store.models import Message
from tests.ingest.helpers import CURRENT, ME

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DB_FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]
text_st = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200)


def _check_items(items: Iterable[ParsedMessage | RowError]) -> list[ParsedMessage]:
    out = []
    for item in items:
        assert isinstance(item, (ParsedMessage, RowError))
        if isinstance(item, RowError):
            assert item.reason
            continue
        assert item.body.strip() and item.source_id
        assert "\x00" not in item.body + item.raw + item.sender_name
        item.body.encode("utf-8")  # no lone surrogates
        item.raw.encode("utf-8")
        assert isinstance(item.sent_at, datetime) and item.sent_at.utcoffset() is not None
        out.append(item)
    return out


def _linkedin(path: Path) -> list[ParsedMessage] | None:
    try:
        items, _total, _owner, _name = iter_linkedin(path)
        return _check_items(items)
    except ImportFormatError as exc:
        assert str(exc)
        return None


@FUZZ
@given(data=st.binary(max_size=3000), bom=st.sampled_from(BOMS))
def test_linkedin_random_bytes(tmp_path_factory, data, bom) -> None:
    path = tmp_path_factory.mktemp("f") / "messages.csv"
    path.write_bytes(bom + data)
    _linkedin(path)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_linkedin_random_bytes_after_a_valid_header(tmp_path_factory, data) -> None:
    path = tmp_path_factory.mktemp("f") / "messages.csv"
    path.write_bytes(",".join(CURRENT).encode() + b"\n" + data)
    assert _linkedin(path) is not None


rows_st = st.lists(
    st.tuples(text_st, text_st, text_st, st.booleans()), min_size=1, max_size=8
)  # (sender name, content, subject, from owner)


@FUZZ
@given(
    rows=rows_st,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=4000)),
)
def test_linkedin_roundtrip_quotes_newlines_encodings_truncation(
    tmp_path_factory, rows, encoding, cut
) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CURRENT)
    for i, (name, content, subject, mine) in enumerate(rows):
        sender = ME if mine else (name, f"https://www.linkedin.com/in/p{i}")
        to = ("Someone", "https://www.linkedin.com/in/p0") if mine else ME
        w.writerow([f"c{i}", "", sender[0], sender[1], to[0], to[1],
                    f"2024-01-01 10:00:{i:02d} UTC", subject, content, "INBOX", ""])  # fmt: skip
    data = buf.getvalue().encode(encoding)
    path = tmp_path_factory.mktemp("f") / "messages.csv"
    path.write_bytes(data if cut is None else data[:cut])
    parsed = _linkedin(path)
    if cut is not None:
        return  # truncated: anything clearly reported is fine
    assert parsed is not None
    expected = [to_plain_text(c) for _n, c, _s, _m in rows]
    got = {int(json.loads(m.raw)["CONVERSATION ID"][1:]): m.body for m in parsed}
    for i, body in enumerate(expected):
        if body.strip() and i in got:
            assert got[i] == body.replace("\x00", "")
    assert all(i in got for i, body in enumerate(expected) if len(body.strip()) > 300)


@FUZZ
@given(data=st.binary(max_size=3000), bom=st.sampled_from(BOMS))
def test_jsonl_random_bytes(data, bom) -> None:
    _check_items(parse_jsonl(lambda: io.BytesIO(bom + data), file="x.jsonl"))


@FUZZ
@given(
    records=st.lists(
        st.dictionaries(
            st.sampled_from(["text", "subject", "sender_name", "id", "label", "date", "body"]),
            st.one_of(text_st, st.integers(), st.none(), st.lists(st.integers(), max_size=2)),
        ),
        max_size=6,
    )
)
def test_jsonl_records(records) -> None:
    data = "\n".join(json.dumps(r) for r in records).encode()
    items = list(parse_jsonl(lambda: io.BytesIO(data), file="x.jsonl"))
    _check_items(items)
    assert len(items) == sum(1 for r in records if json.dumps(r))


@FUZZ
@given(text=st.text(max_size=2000))
def test_paste_any_text(text) -> None:
    _check_items([parse_paste(text)])


@FUZZ
@given(data=st.binary(max_size=4000))
def test_email_random_bytes(data) -> None:
    _check_items([parse_email_bytes(data)])


@FUZZ
@given(
    headers=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "From",
                    "To",
                    "Subject",
                    "Date",
                    "Message-ID",
                    "References",
                    "Reply-To",
                    "Content-Type",
                    "Content-Transfer-Encoding",
                    "X-LinkedIn-Class",
                ]
            ),  # fmt: skip
            st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=80),
        ),
        max_size=10,
    ),
    body=st.binary(max_size=2000),
)
def test_email_random_headers(headers, body) -> None:
    head = "".join(f"{k}: {v}\n" for k, v in headers).encode("utf-8", "surrogateescape")
    _check_items([parse_email_bytes(head + b"\n" + body)])


@FUZZ
@given(chunks=st.lists(st.one_of(st.binary(max_size=300), st.just(b"From x\n")), max_size=8))
def test_mbox_random(chunks) -> None:
    data = b"".join(chunks)
    _check_items(parse_mbox(lambda: io.BytesIO(data), file="x.mbox"))


@DB_FUZZ
@given(
    data=st.binary(max_size=2000),
    suffix=st.sampled_from([".csv", ".zip", ".eml", ".mbox", ".jsonl", ".txt", ""]),
)
def test_import_path_never_raises(engine, settings, tmp_path_factory, data, suffix) -> None:
    path = tmp_path_factory.mktemp("f") / f"upload{suffix}"
    path.write_bytes(data)
    with Session(engine) as s:
        before = s.exec(select(func.count()).select_from(Message)).one()
    summary = import_path(engine=engine, path=path, settings=settings)
    with Session(engine) as s:
        after = s.exec(select(func.count()).select_from(Message)).one()
    assert after - before == summary.imported  # nothing half-written, nothing uncounted
    d = summary.to_dict()
    assert set(d) >= {"imported", "duplicates", "skipped", "errors"}
    assert all(set(e) == {"file", "line", "reason"} for e in d["errors"])
    if not summary.read_anything:
        assert d["errors"]


@DB_FUZZ
@given(
    members=st.dictionaries(st.text(min_size=1, max_size=30), st.binary(max_size=500), max_size=4)
)
def test_random_zip_archives(engine, settings, tmp_path_factory, members) -> None:
    path = tmp_path_factory.mktemp("z") / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            try:
                zf.writestr(name, data)
            except (ValueError, UnicodeEncodeError, IndexError):  # names zipfile refuses
                continue
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.fatal or summary.read_anything or summary.errors


def test_ten_megabyte_message_is_kept_whole(engine, settings, tmp_path) -> None:
    big = ("All work and no play. " * 500_000)[:10_000_000]
    path = tmp_path / "messages.csv"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CURRENT)
    w.writerow(["c1", "", "Big", "https://www.linkedin.com/in/big", *ME,
                "2024-01-01 10:00:00 UTC", "", big, "INBOX", ""])  # fmt: skip
    w.writerow(["c2", "", "Small", "https://www.linkedin.com/in/small", *ME,
                "2024-01-01 11:00:00 UTC", "", "hi", "INBOX", ""])  # fmt: skip
    path.write_text(buf.getvalue(), encoding="utf-8")
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.imported == 2, summary.to_dict()
    with Session(engine) as s:
        bodies = sorted(len(m.body) for m in s.exec(select(Message)).all())
    assert bodies == [2, len(big.strip())]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "cp1252"])
def test_other_encodings_are_read(engine, settings, tmp_path, encoding) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CURRENT)
    w.writerow(["c1", "", "Renée", "https://www.linkedin.com/in/renee", *ME,
                "2024-01-01 10:00:00 UTC", "", "Café à Paris", "INBOX", ""])  # fmt: skip
    path = tmp_path / "messages.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.imported == 1, summary.to_dict()
    with Session(engine) as s:
        assert s.exec(select(Message)).one().body == "Café à Paris"


# ~300k characters: linear code handles each in about a second; a quadratic path would take
# many minutes (measured: 40k unclosed tags took 3 s through the stdlib HTMLParser).
HOSTILE = {
    "unclosed tags": "<p" * 150_000,
    "tags without end": "<p " * 100_000,
    "long whitespace": "x" + " " * 300_000 + "y",
    "mojibake everywhere": "CafÃ© " * 50_000,
    "deep html": "<div>" * 30_000 + "deep" + "</div>" * 30_000,
    "many commas": "," * 300_000,
}


@pytest.mark.timeout(90)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_shapes_do_not_hang(name) -> None:
    """Inputs shaped to trigger quadratic regexes or recursion end in linear time (a hang fails
    through the timeout, not through a timing assertion)."""
    from responder.ingest.linkedin_export import split_urls

    text = HOSTILE[name]
    assert isinstance(to_plain_text(text), str)
    assert isinstance(split_urls(text), list)
    _check_items([parse_paste("From: " + text[:5000] + "\n" + text)])
    mail = b'From: "' + text[:100_000].encode() + b' via LinkedIn" <hit-reply@linkedin.com>\n'
    _check_items([parse_email_bytes(mail + b"Content-Type: text/html\n\n" + text.encode())])
