"""Shared app state for every page: the cached app context (engine migrated once, settings with\nthe stored preferences, chat model), built by `responder.app.context`.

Pages import it as ``from ui.state import ...``: `ui` is installed with the project
(`pip install -e .`), so pages run without any `sys.path` change, on their own too
(``AppTest.from_file("ui/pages/x.py")`` or ``streamlit run ui/pages/x.py``).

Secrets: Streamlit secrets (``.streamlit/secrets.toml``) are copied into the environment for the
names in `SECRET_ENV_NAMES` and any ``RESPONDER_*`` key before settings are read, and never shown.
"""

from __future__ import annotations

import logging
import os
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import streamlit as st

from responder.app.context import AppContext
from responder.drafts.drafter import build_drafter
from responder.errors import ConfigError
from responder.settings import Settings, get_settings, reset_settings_cache

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

SECRET_ENV_NAMES = frozenset({"OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID"})


def _secret_items() -> dict[str, Any]:
    """Top-level Streamlit secrets, or {} when there is no secrets.toml."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except Exception:  # noqa: BLE001 - no secrets file (FileNotFoundError / StreamlitSecretNotFoundError)
        return {}


def secrets_to_env() -> list[str]:
    """Copy OPENAI_* and RESPONDER_* Streamlit secrets into the environment (the environment wins
    when both are set). Returns the names copied; settings are re-read when any was."""
    copied = []
    for key, value in _secret_items().items():
        if not isinstance(value, (str, int, float)):
            continue
        if (key in SECRET_ENV_NAMES or key.startswith("RESPONDER_")) and key not in os.environ:
            os.environ[key] = str(value)
            copied.append(key)
    if copied:
        reset_settings_cache()
        log.info("copied %d setting(s) from Streamlit secrets into the environment", len(copied))
    return copied


@st.cache_resource(show_spinner="Opening the database…")
def _context_for(url: str) -> AppContext:
    """One app context (engine) per database URL for the whole server process; migrations are
    applied once."""
    return AppContext.open(base_settings(), migrate=True)


def base_settings() -> Settings:
    """Environment / .env / TOML settings (no stored preferences)."""
    secrets_to_env()
    return get_settings()


def app_context() -> AppContext:
    """The cached app context for the configured database, with the current base settings."""
    base = base_settings()
    ctx = _context_for(base.database_url)
    if ctx.base is not base:  # settings re-read (tests, secrets): keep the engine, new base
        ctx = AppContext(base=base, engine=ctx.engine)
    return ctx


def current_settings() -> Settings:
    """The settings every page uses: the base settings with the user's stored preferences."""
    return app_context().settings()


def session_scope() -> AbstractContextManager[Session]:
    """A short unit of work for a page action: commit on success, roll back on error."""
    return app_context().session_scope()


def read_session() -> Session:
    """A session for reads (use as a context manager); objects stay usable after it closes."""
    return app_context().read_session()


def chat_model(settings: Settings, *, purpose: str = "draft") -> Any:
    """The configured chat model, or None (offline or when it cannot be built; the page says why)."""
    try:
        model = app_context().chat_model(settings, purpose=purpose)
    except ConfigError as exc:
        st.session_state["_llm_problem"] = str(exc)
        return None
    st.session_state.pop("_llm_problem", None)
    return model


def drafter(settings: Settings) -> Any:

    return build_drafter(settings=settings, chat_model=chat_model(settings))


def flash(message: str, kind: str = "success") -> None:
    """Show `message` after the next rerun (actions rerun the page to show fresh data)."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        getattr(st, kind, st.info)(message)
