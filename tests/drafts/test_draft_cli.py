"""`responder draft FILE --json`: one JSON line per message, errors named with their line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from responder.cli import app

runner = CliRunner()
ROWS = [
    {"id": "p1", "label": "sales_pitch", "sender_name": "Jonas Weber",
     "text": "Hallo Alex, wir sind eine Agentur für Leadgenerierung und bringen Ihnen jeden Monat "
             "neue Termine. Hätten Sie diese Woche Zeit für ein kurzes Gespräch?"},
    {"id": "p2", "label": "phishing", "sender_name": "LinkedIn Support",
     "text": "Your account is locked. Verify now at http://1inkedin-verify.com/login"},
    {"id": "g1", "label": "genuine", "text": "Hey Alex, can we move our Thursday sync to Friday?"},
    {"id": "g2", "label": "genuine", "kind": "reply", "sender_name": "Chris Young",
     "text": "Hi Alex, attached are the notes from Tuesday's planning meeting, let me know."},
    {"id": "r1", "sender_name": "Maria Lopez",
     "text": "Hi Alex, I'm a recruiter at TalentCo and I have an exciting Head of Engineering "
             "role in Berlin with a great package. Are you open to new opportunities?"},
]  # fmt: skip


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_draft_json_lines(settings, tmp_path: Path) -> None:
    lines = [json.dumps(r) for r in ROWS]
    lines.insert(2, "this is not json")
    lines.insert(4, json.dumps({"id": "bad", "label": "spam", "text": "hello there"}))
    path = write(tmp_path, lines)
    result = runner.invoke(app, ["draft", str(path), "--mode", "offline", "--json"])
    assert result.exit_code == 0, result.output
    out = {o["id"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert list(out) == ["p1", "p2", "g1", "g2", "r1"]
    for o in out.values():
        assert set(o) >= {"id", "label", "kind", "text", "template", "language", "lint"}
        assert set(o["lint"]) == {"ok", "problems"} and set(o["template"]) == {"name", "version"}
    assert out["p1"]["kind"] == "decline" and out["p1"]["language"] == "de"
    assert out["p1"]["text"].startswith("Hallo Jonas,") and out["p1"]["lint"] == {
        "ok": True,
        "problems": [],
    }
    assert out["p1"]["template"] == {"name": "decline_sales", "version": 1}
    assert (
        out["p2"]["kind"] == "report_note"
        and "hxxp://1inkedin-verify[.]com/login" in out["p2"]["text"]
    )
    assert out["g1"]["kind"] == "none" and out["g1"]["text"] == ""
    assert out["g1"]["template"] == {"name": None, "version": None}
    assert out["g2"]["kind"] == "reply" and out["g2"]["text"].startswith("Hi Chris,")
    # No label given: classified first (the offline model calls this a recruiter).
    assert out["r1"]["label"] == "recruiting" and out["r1"]["kind"] == "decline"
    assert out["r1"]["template"]["name"] == "decline_recruiting"
    assert f"{path}:3: skipped: not JSON" in result.stderr
    assert f"{path}:5: skipped: unknown label 'spam'" in result.stderr


def test_draft_csv_and_human_output(settings, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        'id,text,label\nc1,"Hi Alex, we build custom Shopify stores at a fixed price. Interested?",'
        "sales_pitch\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["draft", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "== c1  sales_pitch -> decline  [decline_sales v1, en, offline]  lint ok" in result.stdout
    )


def test_nothing_readable_exits_non_zero(settings, tmp_path: Path) -> None:
    path = write(tmp_path, ["nope", "[1, 2]"])
    result = runner.invoke(app, ["draft", str(path), "--json"])
    assert result.exit_code == 1
    assert "in.jsonl:2: skipped: not a JSON object" in result.stderr


def test_llm_mode_needs_a_model(settings, tmp_path: Path) -> None:
    path = write(tmp_path, [json.dumps(ROWS[0])])
    result = runner.invoke(app, ["draft", str(path), "--mode", "llm"])
    assert result.exit_code == 1 and "RESPONDER_LLM_PROVIDER=openai" in result.stderr


def test_llm_mode_drafts_through_the_server(llm_settings, openai_server, tmp_path: Path) -> None:
    openai_server.handler = lambda _r: (
        "Hallo Jonas,\n\nvielen Dank für Ihre Nachricht, aber für Leadgenerierung habe ich "
        "derzeit keinen Bedarf.\n\nViele Grüße\nAlex"
    )
    path = write(tmp_path, [json.dumps(ROWS[0]), json.dumps(ROWS[1])])
    result = runner.invoke(app, ["draft", str(path), "--mode", "llm", "--json"])
    assert result.exit_code == 0, result.output
    first, second = map(json.loads, result.stdout.splitlines())
    assert first["method"] == "llm" and first["lint"]["ok"] and first["language"] == "de"
    assert second["method"] == "offline" and second["kind"] == "report_note"
    assert openai_server.call_count == 1
