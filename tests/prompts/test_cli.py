"""`responder prompts ...` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from responder.cli import app
from responder.prompts.library import SHIPPED_DIR

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_every_template(settings) -> None:
    code, out, _ = run("prompts", "list", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["name"] for r in rows] == sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml"))
    report = next(r for r in rows if r["name"] == "report_note")
    assert report["kind"] == "report_note" and report["llm"] is False
    assert report["labels"] == ["phishing", "scam", "harassment"]
    assert set(report["languages"]) >= {"en", "de", "fr", "es"}
    code, out, _ = run("prompts", "list")
    assert code == 0 and "decline_recruiting" in out and "shipped" in out


def test_check_passes_on_the_shipped_library_and_fails_with_places(
    settings, tmp_path: Path
) -> None:
    code, out, _ = run("prompts", "check")
    assert code == 0 and "OK" in out
    bad = (SHIPPED_DIR / "reply.yaml").read_text().replace("kind: reply", "kind: reply\nextra: 1")
    (tmp_path / "reply.yaml").write_text(bad)
    code, out, err = run("prompts", "check", str(tmp_path))
    assert code == 1
    assert f"{tmp_path / 'reply.yaml'}:line 7 (extra): unknown key" in out
    assert "1 problem(s)" in err
    code, _, err = run("prompts", "check", str(tmp_path / "missing"))
    assert code == 1 and "no such file" in err


def test_show_export_versions_rollback_reset(settings, tmp_path: Path) -> None:
    from sqlmodel import Session

    from responder.prompts.versions import save_version
    from responder.store import db

    code, out, _ = run("prompts", "show", "reply")
    assert code == 0 and out.strip() == (SHIPPED_DIR / "reply.yaml").read_text().strip()
    code, _, err = run("prompts", "show", "nope")
    assert code == 1 and "No prompt template 'nope'" in err

    db.upgrade(settings.database_url)
    body = (SHIPPED_DIR / "reply.yaml").read_text().replace("proper answer", "full answer")
    with Session(db.get_engine()) as s:
        save_version(session=s, name="reply", body_yaml=body, author="cli-test", note="wording")
        s.commit()
    code, out, _ = run("prompts", "versions", "reply")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("  v1") and "shipped" in lines[0]
    assert lines[1].startswith("* v2") and "cli-test" in lines[1] and "wording" in lines[1]

    code, out, _ = run("prompts", "export", "reply", "--out", str(tmp_path / "exp"))
    assert code == 0 and "v2, db" in out
    assert "full answer" in (tmp_path / "exp" / "reply.yaml").read_text()
    code, out, _ = run("prompts", "export")
    assert code == 0 and out.count("\n---\n") == len(list(SHIPPED_DIR.glob("*.yaml"))) - 1

    code, out, _ = run("prompts", "rollback", "reply", "1")
    assert code == 0
    code, out, _ = run("prompts", "show", "reply")
    assert "full answer" not in out
    code, out, _ = run("prompts", "show", "reply", "--version", "2")
    assert "full answer" in out
    code, _, err = run("prompts", "rollback", "reply", "7")
    assert code == 1 and "no version 7" in err
    code, out, _ = run("prompts", "reset", "reply")
    assert code == 0 and "shipped" in out
