"""The app context builds settings (with stored preferences), engine and chat model in one place."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from responder.app.context import AppContext, runtime_settings
from responder.errors import ConfigError
from responder.settings import Settings
from responder.store.models import Preference
from responder.store.preferences import save_preferences


def test_context_applies_stored_preferences(engine, settings: Settings) -> None:
    ctx = AppContext.open(settings)
    assert ctx.settings().profile.keep_recruiters is False
    with ctx.session_scope() as s:
        save_preferences(session=s, changes={"profile.keep_recruiters": True}, base=settings)
    assert ctx.settings().profile.keep_recruiters is True
    assert runtime_settings().profile.keep_recruiters is True


def test_session_scope_rolls_back_on_error(engine, settings: Settings) -> None:
    ctx = AppContext.open(settings)
    with pytest.raises(RuntimeError), ctx.session_scope() as s:
        s.add(Preference(key="profile.name", value="Someone"))
        s.flush()
        raise RuntimeError("boom")
    with Session(ctx.engine) as s:
        assert s.exec(select(Preference)).all() == []


def test_open_with_migrate_creates_the_schema(settings: Settings, isolated: Path) -> None:
    ctx = AppContext.open(settings, migrate=True)
    assert ctx.settings().profile.name == settings.profile.name  # preferences table readable


def test_unmigrated_store_falls_back_to_base(settings: Settings) -> None:
    ctx = AppContext.open(settings)
    assert ctx.settings() is settings


def test_chat_model_offline_is_none_and_openai_without_key_says_what_to_do(
    engine, settings: Settings
) -> None:
    ctx = AppContext.open(settings)
    assert ctx.chat_model(purpose="draft") is None  # offline by default
    with ctx.session_scope() as s:
        save_preferences(session=s, changes={"llm.provider": "openai"}, base=settings)
    with pytest.raises(ConfigError, match="KEY"):
        ctx.chat_model(purpose="draft")
