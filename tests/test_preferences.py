"""User preferences stored in the database, applied over the TOML/environment settings."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from responder.errors import ConfigError
from responder.settings import Settings
from responder.store.models import Preference
from responder.store.preferences import (
    effective_settings,
    load_preferences,
    reset_preferences,
    save_preferences,
)


def test_no_preferences_returns_base(session: Session, settings: Settings) -> None:
    assert effective_settings(session=session, base=settings) is settings


def test_saved_values_override_toml(session: Session, settings: Settings) -> None:
    save_preferences(
        session=session,
        changes={"profile.name": "Dana Field", "policy.reminder_days": 5, "llm.privacy_mode": True},
    )
    session.commit()
    eff = effective_settings(session=session, base=settings)
    assert eff.profile.name == "Dana Field"
    assert eff.policy.reminder_days == 5
    assert eff.llm.privacy_mode is True
    # untouched fields keep the TOML values
    assert eff.profile.timezone == settings.profile.timezone == "Europe/Berlin"
    assert eff.policy.review_threshold == settings.policy.review_threshold
    # the base object is not mutated
    assert settings.profile.name == "Alex Morgan"


def test_auto_approve_dict_roundtrip(session: Session, settings: Settings) -> None:
    rules = {
        "sales_pitch": {"enabled": True, "min_confidence": 0.95},
        "recruiting": {"enabled": False, "min_confidence": 0.9},
        "genuine": {"enabled": False, "min_confidence": 0.9},
    }
    save_preferences(session=session, changes={"policy.auto_approve": rules})
    session.commit()
    eff = effective_settings(session=session, base=settings)
    assert eff.policy.auto_approve["sales_pitch"].enabled is True
    assert eff.policy.auto_approve["sales_pitch"].min_confidence == 0.95


@pytest.mark.parametrize("label", ["phishing", "scam", "harassment"])
def test_auto_approve_refused_for_report_labels(
    session: Session, settings: Settings, label: str
) -> None:
    with pytest.raises(ConfigError, match=label):
        save_preferences(
            session=session,
            changes={"policy.auto_approve": {label: {"enabled": True, "min_confidence": 0.99}}},
            base=settings,
        )
    assert load_preferences(session=session) == {}


@pytest.mark.parametrize(
    "key",
    ["llm.api_key", "mail.smtp_password", "mail.imap_password", "ui.password"],
)
def test_secrets_are_refused(session: Session, key: str) -> None:
    with pytest.raises(ConfigError, match="secret"):
        save_preferences(session=session, changes={key: "sk-live-abcdef0123456789"})
    assert session.exec(select(Preference)).all() == []


@pytest.mark.parametrize("key", ["database_url", "data_dir", "ui.address", "profile.nope"])
def test_non_editable_keys_are_refused(session: Session, key: str) -> None:
    with pytest.raises(ConfigError, match="cannot be changed"):
        save_preferences(session=session, changes={key: "x"})


def test_invalid_value_is_refused_and_nothing_written(session: Session, settings: Settings) -> None:
    with pytest.raises(ConfigError, match="profile.tone"):
        save_preferences(
            session=session,
            changes={"profile.name": "Ok", "profile.tone": "sarcastic"},
            base=settings,
        )
    assert load_preferences(session=session) == {}


@pytest.mark.parametrize(
    "url",
    ["ftp://host/v1", "not a url", "http://user:pw@localhost:11434/v1"],
)
def test_base_url_is_checked(session: Session, url: str) -> None:
    with pytest.raises(ConfigError):
        save_preferences(session=session, changes={"llm.base_url": url})


def test_value_equal_to_default_removes_preference(session: Session, settings: Settings) -> None:
    save_preferences(session=session, changes={"profile.name": "Dana"}, base=settings)
    assert load_preferences(session=session) == {"profile.name": "Dana"}
    save_preferences(session=session, changes={"profile.name": "Alex Morgan"}, base=settings)
    assert load_preferences(session=session) == {}
    save_preferences(session=session, changes={"profile.tone": "formal"}, base=settings)
    save_preferences(session=session, changes={"profile.tone": None})
    assert load_preferences(session=session) == {}


def test_save_returns_effective_and_reset(session: Session, settings: Settings) -> None:
    eff = save_preferences(
        session=session,
        changes={"llm.provider": "openai", "llm.base_url": "http://127.0.0.1:9/v1"},
        base=settings,
    )
    assert eff is not None and eff.llm.provider == "openai"
    assert eff.llm.effective_base_url() == "http://127.0.0.1:9/v1"
    save_preferences(session=session, changes={"worker.digest_enabled": True})
    assert reset_preferences(session=session, group="llm") == 2
    assert load_preferences(session=session) == {"worker.digest_enabled": True}


def test_environment_key_survives_preferences_but_is_never_stored(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESPONDER_LLM_API_KEY", "sk-env-0123456789abcdef")
    base = Settings()
    save_preferences(session=session, changes={"llm.model": "llama3.2"}, base=base)
    session.commit()
    eff = effective_settings(session=session, base=base)
    assert eff.llm.model == "llama3.2"
    key = eff.llm.effective_api_key()
    assert key is not None and key.get_secret_value() == "sk-env-0123456789abcdef"
    assert "0123456789abcdef" not in repr(load_preferences(session=session))


def test_stale_invalid_row_is_skipped(session: Session, settings: Settings) -> None:
    session.add(Preference(key="profile.tone", value="sarcastic"))
    session.add(Preference(key="profile.name", value="Dana"))
    session.add(Preference(key="old.removed", value=1))
    session.commit()
    eff = effective_settings(session=session, base=settings)
    assert eff.profile.name == "Dana"
    assert eff.profile.tone == settings.profile.tone
