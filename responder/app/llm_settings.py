"""The language-model settings form, as the core sees it: which provider the settings mean, where
the key comes from (masked), the form's values mapped to preferences and validated, and the
connection test of what is in the form (saved or not).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from responder.app.llm_check import test_connection
from responder.errors import ConfigError
from responder.llm import needs_real_key
from responder.settings import Settings
from responder.store.preferences import apply_preferences, save_preferences

log = logging.getLogger(__name__)

OFFLINE, OPENAI, COMPATIBLE = "Offline (no model)", "OpenAI", "OpenAI-compatible server"
#: The provider choices, as the form shows them.
PROVIDERS = [OFFLINE, OPENAI, COMPATIBLE]
METHODS = ["json_schema", "function_calling", "json_mode"]


@dataclass
class LlmForm:
    """What the user entered in the language-model form."""

    provider: str
    url: str
    model: str
    method: str
    privacy: bool
    temperature: float
    timeout: float


def provider_of(settings: Settings) -> str:
    """The provider choice that `settings` mean."""
    if not settings.llm.enabled:
        return OFFLINE
    return OPENAI if needs_real_key(settings.llm.effective_base_url()) else COMPATIBLE


def key_status(settings: Settings) -> str:
    """Where the API key comes from, masked (never the key itself)."""
    key = settings.llm.effective_api_key()
    if key is None:
        return (
            "No API key set. For OpenAI set OPENAI_API_KEY (or RESPONDER_LLM_API_KEY) in the "
            "environment or in .streamlit/secrets.toml; local servers usually need none."
        )
    masked = settings.masked()["llm"]["api_key"]
    source = "RESPONDER_LLM_API_KEY" if settings.llm.api_key is not None else "OPENAI_API_KEY"
    return f"API key {masked} (from {source}; set in the environment or Streamlit secrets)."


def llm_changes(form: LlmForm) -> dict[str, Any]:
    """The preferences the form means; ConfigError (for the user) when it is incomplete."""
    if form.provider not in PROVIDERS:
        raise ConfigError(f"Unknown provider {form.provider!r}; choose one of {PROVIDERS}.")
    if form.method not in METHODS:
        raise ConfigError(f"Unknown structured output method {form.method!r}.")
    changes: dict[str, Any] = {
        "llm.provider": "offline" if form.provider == OFFLINE else "openai",
        "llm.model": form.model.strip(),
        "llm.structured_output_method": form.method,
        "llm.privacy_mode": form.privacy,
        "llm.temperature": form.temperature,
        "llm.timeout_s": form.timeout,
    }
    if form.provider == COMPATIBLE:
        if not form.url.strip():
            raise ConfigError("Enter the server URL, e.g. http://localhost:11434/v1 for Ollama.")
        changes["llm.base_url"] = form.url.strip()
    elif form.provider == OPENAI:
        changes["llm.base_url"] = None
    return changes


def save_llm_form(*, session: Session, base: Settings, form: LlmForm) -> Settings | None:
    """Validate and store the form (the caller commits); returns the new effective settings."""
    return save_preferences(session=session, changes=llm_changes(form), base=base)


def check_llm_form(*, settings: Settings, form: LlmForm) -> dict[str, Any]:
    """Test what is in the form against `settings`, saved or not (see `llm_check`).

    The result has `offline` True when the offline provider is chosen: there is nothing to call,
    which is not a failure (the app uses its offline templates)."""
    candidate = apply_preferences(settings, llm_changes(form))
    result = test_connection(candidate)
    result["offline"] = not candidate.llm.enabled
    return result
