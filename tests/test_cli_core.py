from __future__ import annotations

import json

from typer.testing import CliRunner

from responder.cli import app
from responder.store import db

runner = CliRunner()


def test_config_masks_secrets(monkeypatch, settings) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890abcdef")
    monkeypatch.setenv("RESPONDER_LLM_PROVIDER", "openai")
    monkeypatch.setenv("RESPONDER_MAIL_SMTP_PASSWORD", "hunter2-very-secret")
    from responder.settings import reset_settings_cache

    reset_settings_cache()
    result = runner.invoke(app, ["config", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["llm"]["provider"] == "openai"
    assert data["llm"]["api_key"] == "****cdef"
    assert "sk-test-1234567890abcdef" not in result.output
    assert "hunter2-very-secret" not in result.output


def test_responder_llm_overrides_openai_env(monkeypatch) -> None:
    from responder.settings import Settings

    monkeypatch.setenv("OPENAI_BASE_URL", "http://a.example/v1")
    monkeypatch.setenv("RESPONDER_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    s = Settings()
    assert s.llm.effective_base_url() == "http://127.0.0.1:9/v1"
    monkeypatch.delenv("RESPONDER_LLM_BASE_URL")
    assert Settings().llm.effective_base_url() == "http://a.example/v1"


def test_placeholder_secret_refused(monkeypatch) -> None:
    import pytest

    from responder.settings import Settings

    monkeypatch.setenv("RESPONDER_LLM_API_KEY", "changeme")
    with pytest.raises(ValueError, match="placeholder"):
        Settings()


def test_db_upgrade_command(settings) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert db.current_revision(settings.database_url) == db.head_revision()
