"""The only place that builds a chat model.

Everything else receives the model as a parameter. Nothing here runs at import time: LangChain and
the OpenAI client are imported inside `build_chat_model`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from responder.errors import NeedsKeyError
from responder.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

#: Key sent to OpenAI-compatible servers that do not check keys (Ollama, vLLM, llama.cpp).
LOCAL_PLACEHOLDER_KEY = "not-needed"
_OPENAI_HOSTS = ("api.openai.com",)

#: Lower temperature where we want reproducible labels; drafts use the configured one.
_PURPOSE_TEMPERATURE = {"classify": 0.0}


def needs_real_key(base_url: str | None) -> bool:
    """True when the server is OpenAI itself (no base_url or an openai.com host)."""
    if not base_url:
        return True
    host = (urlparse(base_url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _OPENAI_HOSTS)


def model_label(settings: Settings) -> str:
    """How a model is recorded on classifications and drafts: "<model>@<host>" for local servers."""
    base_url = settings.llm.effective_base_url()
    if not base_url or needs_real_key(base_url):
        return settings.llm.model
    return f"{settings.llm.model}@{urlparse(base_url).netloc}"


def build_chat_model(
    settings: Settings, *, purpose: str = "classify", streaming: bool = False
) -> BaseChatModel | None:
    """A LangChain `ChatOpenAI` for `purpose` ("classify", "draft", ...), or None when offline.

    A key is required for OpenAI itself; an OpenAI-compatible server on another `base_url` gets
    a placeholder key when none is set, since such servers usually accept any key.
    """
    llm = settings.llm
    if llm.provider == "offline":
        return None
    base_url = llm.effective_base_url()
    key = llm.effective_api_key()
    if key is None:
        if needs_real_key(base_url):
            raise NeedsKeyError(base_url or "OpenAI")
        api_key = LOCAL_PLACEHOLDER_KEY
    else:
        api_key = key.get_secret_value()

    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    temperature = _PURPOSE_TEMPERATURE.get(purpose, llm.temperature)
    log.debug("building chat model %s for %s", model_label(settings), purpose)
    return ChatOpenAI(
        model=llm.model,
        api_key=SecretStr(api_key),
        base_url=base_url,
        timeout=llm.timeout_s,
        max_retries=llm.max_retries,
        temperature=temperature,
        streaming=streaming,
    )


def chat_model_for(settings: Settings) -> BaseChatModel | None:
    """The configured chat model for background triage, or None (offline)."""
    if not settings.llm.enabled:
        return None
    return build_chat_model(settings, purpose="classify")
