"""AppTest for ui/app.py: navigation over the pages that exist, Inbox first, the access gate,
Streamlit secrets copied into the environment and never shown, the sidebar."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from responder.settings import PROJECT_ROOT, reset_settings_cache
from responder.store import tasks

APP = str(PROJECT_ROOT / "ui" / "app.py")
KEY = "sk-test-very-secret-key-0123456789"


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def _everything(at: AppTest) -> str:
    """All text the app sent to the browser (every element's protobuf, main and sidebar)."""
    return "\n".join(str(el.proto) for el in [*at.main, *at.sidebar] if hasattr(el, "proto"))


@pytest.fixture
def clean_env() -> Iterator[None]:
    yield
    for key in ("OPENAI_API_KEY", "RESPONDER_UI_PASSWORD"):
        os.environ.pop(key, None)
    reset_settings_cache()


def test_inbox_is_the_default_page(engine: Engine) -> None:
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "Inbox"


def test_navigation_lists_existing_pages_in_order(tmp_path: Path) -> None:
    import ui.app as app

    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("settings.py", "inbox.py", "review.py"):
        shutil.copy(Path(app.PAGES_DIR) / "inbox.py", pages / name)
    found = app.page_specs(pages)
    assert [title for _, title, _, _ in found] == ["Inbox", "Review", "Settings"]
    assert [path.name for path, _, _, _ in found] == ["inbox.py", "review.py", "settings.py"]
    assert app.DEFAULT_PAGE == "inbox.py"


def test_remote_address_without_password_refuses(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESPONDER_UI_ADDRESS", "0.0.0.0")
    reset_settings_cache()
    at = _app().run()
    assert not at.exception
    assert "needs a password, and none is configured" in at.error[0].value
    assert not at.metric and not at.dataframe and "Inbox" not in [t.value for t in at.title]


def test_remote_address_asks_for_the_password(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESPONDER_UI_ADDRESS", "192.0.2.10")
    monkeypatch.setenv("RESPONDER_UI_PASSWORD", "correct horse battery staple")
    reset_settings_cache()
    at = _app().run()
    assert at.text_input[0].label == "Password"
    assert "Inbox" not in [t.value for t in at.title]
    at.text_input[0].set_value("wrong")
    at.button[0].click().run()
    assert "Wrong password." in [e.value for e in at.error]
    assert "Inbox" not in [t.value for t in at.title]
    at.text_input[0].set_value("correct horse battery staple")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Inbox"
    assert "correct horse" not in _everything(at)


def test_password_from_streamlit_secrets(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    monkeypatch.setenv("RESPONDER_UI_ADDRESS", "0.0.0.0")
    reset_settings_cache()
    at = _app()
    at.secrets["RESPONDER_UI_PASSWORD"] = "from-secrets-toml"
    at.run()
    at.text_input[0].set_value("from-secrets-toml")
    at.button[0].click().run()
    assert at.title[0].value == "Inbox"


@pytest.mark.parametrize(
    ("address", "local"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("", False), (None, False), ("192.168.1.5", False), ("example.com", False)],
)  # fmt: skip
def test_is_local(address: str | None, local: bool) -> None:
    from ui.access import is_local

    assert is_local(address) is local


def test_secrets_reach_settings_but_never_the_page(engine: Engine, clean_env: None) -> None:
    at = _app()
    at.secrets["OPENAI_API_KEY"] = KEY
    at.run()
    assert not at.exception
    assert os.environ.get("OPENAI_API_KEY") == KEY
    from responder.settings import get_settings

    assert get_settings().llm.effective_api_key().get_secret_value() == KEY
    assert KEY not in _everything(at) and KEY[-8:] not in _everything(at)


def test_sidebar_worker_and_task_progress(engine: Engine) -> None:
    with Session(engine) as s:
        task_id = tasks.enqueue(session=s, kind="triage").id
        s.commit()
        tasks.claim_next(session=s, worker="w")
        s.commit()
    tasks.set_progress(engine=engine, task_id=task_id, done=3, total=4, message="triage: 3 of 4")
    at = _app().run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "Worker not running" in warnings
    bars = [el for el in at.sidebar if getattr(el, "type", "") == "progress"]
    assert bars and bars[0].value == 75


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("pages/review.py", "Review"),
        ("pages/import_page.py", "Import"),
        ("pages/inbox.py", "Inbox"),
    ],
)
def test_pages_render_inside_the_app(engine: Engine, page: str, title: str) -> None:
    at = _app().run()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title[0].value == title


def test_missing_llm_key_is_explained_in_the_sidebar(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESPONDER_LLM_PROVIDER", "openai")  # OpenAI itself, and no key anywhere
    reset_settings_cache()

    def script() -> None:
        import streamlit as st

        from ui import sidebar
        from ui.state import chat_model, current_settings

        st.session_state["model"] = repr(chat_model(current_settings()))
        sidebar.render()

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    assert at.session_state["model"] == "None"  # drafts fall back to the offline templates
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "Language model unavailable" in warnings and "OPENAI\\_API\\_KEY" in warnings
