"""`responder doctor` against real (and deliberately broken) configurations."""

from __future__ import annotations

import json
import socket

from typer.testing import CliRunner

from responder.cli import app
from responder.settings import reset_settings_cache
from responder.store import db

runner = CliRunner()


def _checks(result) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(result.output)}


def test_doctor_fresh_database_says_upgrade(settings) -> None:
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 1
    checks = _checks(result)
    assert checks["database"]["ok"] is True
    assert checks["migrations"]["ok"] is False
    assert "responder db upgrade" in checks["migrations"]["fix"]


def test_doctor_migrated_without_worker(settings) -> None:
    db.upgrade(settings.database_url)
    checks = _checks(runner.invoke(app, ["doctor", "--json"]))
    assert checks["migrations"]["ok"] is True
    assert checks["worker"]["ok"] is False and "responder worker" in checks["worker"]["fix"]
    assert checks["llm"]["skipped"] is True


def test_doctor_reports_unreachable_smtp_and_database(monkeypatch, settings) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("RESPONDER_MAIL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RESPONDER_MAIL_SMTP_PORT", str(port))
    monkeypatch.setenv("RESPONDER_MAIL_TIMEOUT_S", "2")
    monkeypatch.setenv("RESPONDER_DATABASE_URL", f"postgresql+psycopg://nobody@127.0.0.1:{port}/x")
    reset_settings_cache()
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 1
    checks = _checks(result)
    assert (
        checks["database"]["ok"] is False and "RESPONDER_DATABASE_URL" in checks["database"]["fix"]
    )
    assert checks["smtp"]["ok"] is False and "SMTP_HOST" in checks["smtp"]["fix"]
