"""The store path on PostgreSQL, the CLI, and the demo inbox."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from responder.cli import app
from responder.ingest.base import ParsedMessage
from responder.ingest.demo import demo_labels
from responder.ingest.importer import ImportSummary, import_path, load_demo_inbox
from responder.ingest.store import Owner, store_messages
from responder.settings import get_settings
from responder.store import db
from responder.store.models import Conversation, Message, Sender
from responder.taxonomy import LABELS
from tests.ingest.helpers import inbox, write_csv

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.postgres
def test_import_on_postgresql(pg_url, tmp_path) -> None:
    settings = get_settings()
    assert settings.database_url.startswith("postgresql+psycopg://")
    db.upgrade(settings.database_url)
    engine = db.get_engine()
    rows = inbox(3)
    path = write_csv(tmp_path / "messages.csv", rows + [rows[1]])
    first = import_path(engine=engine, path=path, settings=settings)
    assert (first.imported, first.duplicates) == (4, 1)
    again = import_path(engine=engine, path=path, settings=settings)
    assert (again.imported, again.duplicates) == (0, 5)
    demo = load_demo_inbox(engine=engine, settings=settings)
    assert demo.imported == 45
    with Session(engine) as s:
        assert len(s.exec(select(Message)).all()) == 49
        assert (
            s.exec(select(Conversation).where(Conversation.source_id == "conv-0"))
            .one()
            .user_participated
        )


@pytest.mark.postgres
def test_postgres_refusals_are_isolated_to_their_row(pg_url) -> None:
    """NUL bytes and over-long values are cleaned or cut; a row the server still refuses is
    reported with its place while the rest of the batch is stored."""
    settings = get_settings()
    db.upgrade(settings.database_url)
    engine = db.get_engine()
    good = [
        ParsedMessage(source="paste", source_id=f"id-{i}", body=f"body {i}", sender_name="A" * 400,
                      conversation_id="c" * 600, conversation_title="t" * 900, file="f", line=i)
        for i in range(3)
    ]  # fmt: skip
    bad = ParsedMessage(source="paste", source_id="bad", body="x", file="f", line=99)
    bad.sent_at = "not a datetime"  # type: ignore[assignment]
    summary = store_messages(
        engine=engine, items=[good[0], bad, *good[1:]], owner=Owner(), summary=ImportSummary()
    )
    assert summary.imported == 3
    assert [(e.file, e.line) for e in summary.errors] == [("f", 99)]
    assert summary.errors[0].reason.startswith("could not be stored")


def test_nul_bytes_are_stored_on_sqlite_too(engine, settings, tmp_path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"text": "a\u0000b \ud800 c"}) + "\n", encoding="utf-8")
    summary = import_path(engine=engine, path=path, settings=settings)
    assert summary.imported == 1
    with Session(engine) as s:
        assert s.exec(select(Message)).one().body == "ab \ufffd c"


def test_cli_import_json_and_exit_codes(settings, tmp_path) -> None:
    path = write_csv(tmp_path / "messages.csv", inbox(2))
    with path.open("a", encoding="utf-8") as f:
        f.write("c9,,X,https://www.linkedin.com/in/x,Alex,,bad date,,hi,INBOX,\n")
    result = runner.invoke(app, ["import", str(path), "--json", "--no-triage"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("imported", "duplicates", "skipped")} == {
        "imported": 3, "duplicates": 0, "skipped": 1,
    }  # fmt: skip
    assert data["errors"] == [{"file": "messages.csv", "line": 5, "reason": "bad date: 'bad date'"}]
    again = json.loads(runner.invoke(app, ["import", str(path), "--json", "--no-triage"]).stdout)
    assert (again["imported"], again["duplicates"]) == (0, 3)

    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02 nothing useful\n")
    bad = runner.invoke(app, ["import", str(junk), "--json"])
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["errors"][0]["file"] == "junk.csv"
    missing = runner.invoke(app, ["import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_cli_import_prints_summary_and_triages(settings, tmp_path) -> None:
    path = write_csv(tmp_path / "messages.csv", inbox(2))
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "messages.csv: 3 imported, 0 already there, 0 skipped." in result.stdout
    with Session(db.get_engine()) as s:
        states = Counter(m.triage_status for m in s.exec(select(Message)).all())
    assert states["new"] == 0 and states["skipped"] == 1  # inbound ones were triaged


def test_cli_add_from_stdin(settings) -> None:
    result = runner.invoke(
        app,
        ["add", "-", "--json", "--no-triage"],
        input="From: Bo\nSubject: Hi\n\nLunch on Friday?",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == 1
    empty = runner.invoke(app, ["add", "   ", "--no-triage"])
    assert empty.exit_code == 1


def test_demo_inbox(engine, settings) -> None:
    summary = load_demo_inbox(engine=engine, settings=settings)
    assert (summary.imported, summary.skipped, summary.errors) == (45, 2, [])
    assert load_demo_inbox(engine=engine, settings=settings).duplicates == 45
    labels = demo_labels()
    assert set(labels.values()) == set(LABELS)
    assert 40 <= len(labels) <= 45
    with Session(engine) as s:
        msgs = s.exec(select(Message)).all()
        inbound = [m for m in msgs if m.direction == "in"]
        assert {m.source_id for m in inbound} == set(labels)
        assert sum(m.direction == "out" for m in msgs) == 2
        assert len({m.sender_id for m in inbound}) >= 30
        kevin = s.exec(select(Sender).where(Sender.name == "Kevin Brandt")).one()
        assert sum(m.sender_id == kevin.id for m in msgs) == 3  # the repeat pitcher
        assert any("Hätten Sie" in m.body for m in inbound)
        assert any("Bonjour Alex" in m.body for m in inbound)
        assert any("¿Qué tal" in m.body for m in inbound)
        assert any("c'était très utile" in m.body for m in inbound)  # mojibake repaired
        assert not any("<p>" in m.body for m in msgs)  # HTML converted
        assert s.exec(select(Conversation).where(Conversation.user_participated)).all()


def test_cli_triage_failure_does_not_fail_the_import(monkeypatch, tmp_path) -> None:
    from responder.settings import reset_settings_cache

    monkeypatch.setenv("RESPONDER_LLM_PROVIDER", "openai")  # and no API key anywhere
    reset_settings_cache()
    path = write_csv(tmp_path / "messages.csv", inbox(1))
    result = runner.invoke(app, ["import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["imported"] == 2
    assert "OPENAI_API_KEY" in data["triage"]["error"]
    assert "imported, but triage failed" in result.stderr
