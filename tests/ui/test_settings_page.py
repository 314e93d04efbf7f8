"""AppTest for the Settings page: saving preferences, the connection test, secrets never stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from responder.settings import PROJECT_ROOT, Settings
from responder.store.models import Draft, Preference
from responder.store.preferences import effective_settings, load_preferences
from tests.support.openai_server import FakeOpenAIServer, Reply

PAGE = str(PROJECT_ROOT / "ui" / "pages" / "settings.py")
KEY = "sk-proj-SECRETSECRET0123456789wxyz"


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60).run()


def _all_text(at: AppTest) -> str:
    """Everything the page sent to the browser, as text (protos of every element)."""
    return "\n".join(str(el.proto) for el in at.main if hasattr(el, "proto")) + str(
        [str(getattr(el, "proto", "")) for el in _walk(at.main)]
    )


def _walk(node):  # type: ignore[no-untyped-def]
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)


def _prefs(engine: Engine) -> dict:
    with Session(engine) as s:
        return load_preferences(session=s)


def _effective(engine: Engine) -> Settings:
    from responder.settings import get_settings

    with Session(engine) as s:
        return effective_settings(session=s, base=get_settings())


def _submit(at: AppTest, label: str) -> AppTest:
    for button in at.button:
        if button.label == label:
            return button.click().run()
    raise AssertionError(f"no button {label!r}: {[b.label for b in at.button]}")


def test_renders_defaults(engine: Engine) -> None:
    at = _app()
    assert not at.exception
    assert at.text_input(key="profile_name").value == "Alex Morgan"
    assert at.selectbox[2].value == "Europe/Berlin"
    assert at.radio(key="llm_provider").value == "Offline (no model)"
    assert any("No API key set" in t.value for t in at.text)
    # auto-approve is offered only for the three labels that may have it
    assert {c.key for c in at.checkbox if c.key and c.key.startswith("auto_")} == {
        "auto_sales_pitch",
        "auto_recruiting",
        "auto_genuine",
    }


def test_save_profile(engine: Engine) -> None:
    at = _app()
    at.text_input(key="profile_name").set_value("Dana Field")
    at.selectbox[0].set_value("formal")
    at.text_area[1].set_value("crypto\nleads\n")
    at = _submit(at, "Save profile")
    assert not at.exception
    assert _prefs(engine) == {
        "profile.name": "Dana Field",
        "profile.tone": "formal",
        "profile.never_buy": ["crypto", "leads"],
    }
    assert any("Profile saved" in s.value for s in at.success)
    eff = _effective(engine)
    assert eff.profile.name == "Dana Field" and eff.profile.timezone == "Europe/Berlin"
    assert (
        at.text_input(key="profile_name").value == "Dana Field"
    )  # the page shows the stored value
    at = _submit(at, "Reset profile")
    assert _prefs(engine) == {}


def test_policy_and_followups(engine: Engine) -> None:
    at = _app()
    at.checkbox(key="auto_sales_pitch").check()
    at.slider(key="conf_sales_pitch").set_value(0.97)
    at = _submit(at, "Save auto-approve policy")
    assert not at.exception
    rules = _effective(engine).policy.auto_approve
    assert rules["sales_pitch"].enabled and rules["sales_pitch"].min_confidence == 0.97
    assert not rules["recruiting"].enabled

    at.number_input(key="reminder_days").set_value(5)
    at.multiselect(key="business_days").set_value(["Mon", "Wed"])
    at = _submit(at, "Save follow-up settings")
    eff = _effective(engine)
    assert eff.policy.reminder_days == 5 and eff.policy.business_days == [0, 2]


def test_bad_business_hours_are_refused(engine: Engine) -> None:
    at = _app()
    at.number_input(key="bh_start").set_value(18)
    at.number_input(key="bh_end").set_value(9)
    at = _submit(at, "Save follow-up settings")
    assert any("start before" in e.value for e in at.error)
    assert _prefs(engine) == {}


def test_compatible_server_needs_valid_url(engine: Engine) -> None:
    at = _app()
    at.radio(key="llm_provider").set_value("OpenAI-compatible server")
    at.text_input(key="llm_url").set_value("http://user:pw@localhost:11434/v1")
    at = _submit(at, "Save model settings")
    assert any("credentials" in e.value for e in at.error)
    assert _prefs(engine) == {}


def test_connection_test_and_save(engine: Engine, openai_server: FakeOpenAIServer) -> None:
    openai_server.handler = lambda req: Reply.structured({"status": "ok", "echo": 42})
    at = _app()
    at.radio(key="llm_provider").set_value("OpenAI-compatible server")
    at.text_input(key="llm_url").set_value(openai_server.base_url)
    at.text_input(key="llm_model").set_value("llama-test")
    at = _submit(at, "Test connection")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Model"].startswith("llama-test")
    assert metrics["Structured output"] == "works"
    assert metrics["Latency"].endswith(" ms")
    assert openai_server.call_count == 1
    assert _prefs(engine) == {}  # testing does not save

    at = _submit(at, "Save model settings")
    eff = _effective(engine)
    assert eff.llm.provider == "openai" and eff.llm.base_url == openai_server.base_url
    assert eff.llm.model == "llama-test"
    assert at.radio(key="llm_provider").value == "OpenAI-compatible server"


def test_connection_failure_is_shown(engine: Engine, openai_server: FakeOpenAIServer) -> None:
    openai_server.handler = lambda req: Reply.error(500, message="model not loaded")
    at = _app()
    at.radio(key="llm_provider").set_value("OpenAI-compatible server")
    at.text_input(key="llm_url").set_value(openai_server.base_url)
    at.number_input(key="llm_timeout").set_value(2.0)
    at = _submit(at, "Test connection")
    assert {m.label: m.value for m in at.metric}["Structured output"] == "failed"
    assert any("model not loaded" in e.value for e in at.error)


@pytest.mark.parametrize("env_name", ["OPENAI_API_KEY", "RESPONDER_LLM_API_KEY"])
def test_api_key_only_masked_and_never_stored(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, env_name: str
) -> None:
    monkeypatch.setenv(env_name, KEY)
    from responder.settings import reset_settings_cache

    reset_settings_cache()
    at = _app()
    shown = [t.value for t in at.text if "API key" in t.value]
    assert shown and "****wxyz" in shown[0] and env_name in shown[0]
    # save every form, with OpenAI chosen
    at.radio(key="llm_provider").set_value("OpenAI")
    for label in (
        "Save model settings",
        "Save profile",
        "Save auto-approve policy",
        "Save follow-up settings",
    ):
        at = _submit(at, label)
        assert not at.exception
    assert _effective(engine).llm.provider == "openai"
    with Session(engine) as s:
        stored = json.dumps([[p.key, p.value] for p in s.exec(select(Preference))])
    assert "SECRETSECRET" not in stored and "wxyz" not in stored
    page = _all_text(at)
    assert "SECRETSECRET" not in page
    assert "****wxyz" in page


def test_test_connection_offline_is_not_a_failure(engine: Engine) -> None:
    at = _app()
    assert at.radio(key="llm_provider").value == "Offline (no model)"
    at = _submit(at, "Test connection")
    assert not at.exception
    assert not at.error
    assert "Structured output" not in {m.label for m in at.metric}
    assert any("Offline mode" in i.value for i in at.info)


def test_a_profile_change_offers_to_regenerate_pending_drafts(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        signed = s.exec(
            select(Draft).where(Draft.status == "pending", col(Draft.kind).in_(["decline"]))
        ).all()
    assert signed and all(d.text.endswith("Alex") for d in signed)
    at = _app()
    at.text_input(key="profile_name").set_value("Dana Field")
    at = _submit(at, "Save profile")
    assert not at.exception
    at.button(key="regenerate_pending").click().run()
    assert not at.exception
    assert any("Regenerated" in s.value for s in at.success)
    with Session(demo_engine) as s:
        fresh = s.exec(
            select(Draft).where(Draft.status == "pending", col(Draft.kind).in_(["decline"]))
        ).all()
    assert len(fresh) == len(signed) and all(d.text.endswith("Dana") for d in fresh)
