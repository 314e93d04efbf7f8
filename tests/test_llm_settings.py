"""The language-model form as the core sees it: mapping, validation, saving, offline test."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from responder.app.llm_settings import (
    COMPATIBLE,
    OFFLINE,
    OPENAI,
    LlmForm,
    check_llm_form,
    llm_changes,
    provider_of,
    save_llm_form,
)
from responder.errors import ConfigError
from responder.settings import Settings
from responder.store.preferences import effective_settings


def _form(provider: str, url: str = "") -> LlmForm:
    return LlmForm(provider, url, " llama3 ", "json_schema", False, 0.2, 30.0)


def test_mapping_per_provider() -> None:
    assert llm_changes(_form(OFFLINE))["llm.provider"] == "offline"
    assert llm_changes(_form(OPENAI))["llm.base_url"] is None
    changes = llm_changes(_form(COMPATIBLE, " http://localhost:11434/v1 "))
    assert changes["llm.base_url"] == "http://localhost:11434/v1"
    assert changes["llm.model"] == "llama3"
    with pytest.raises(ConfigError, match="server URL"):
        llm_changes(_form(COMPATIBLE))
    with pytest.raises(ConfigError, match="Unknown provider"):
        llm_changes(_form("Anthropic"))


def test_save_and_read_back(session: Session, settings: Settings) -> None:
    assert provider_of(settings) == OFFLINE
    save_llm_form(session=session, base=settings, form=_form(COMPATIBLE, "http://127.0.0.1:9/v1"))
    eff = effective_settings(session=session, base=settings)
    assert provider_of(eff) == COMPATIBLE and eff.llm.model == "llama3"
    with pytest.raises(ConfigError, match="not an http"):
        save_llm_form(session=session, base=settings, form=_form(COMPATIBLE, "ftp://x"))


def test_offline_test_is_marked_offline(settings: Settings) -> None:
    result = check_llm_form(settings=settings, form=_form(OFFLINE))
    assert result["offline"] is True and result["structured_output_ok"] is False
