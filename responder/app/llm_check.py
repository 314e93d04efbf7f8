""" "Test connection" for the configured language model: one tiny structured-output call.

Reports which model answered, how long the round trip took, and whether the answer parsed into
the requested schema with the configured `structured_output_method` (servers that ignore
`response_format` or tools fail this and should use another method). Error messages never contain
the API key.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pydantic import BaseModel, Field

from responder.errors import ResponderError
from responder.llm import build_chat_model, model_label
from responder.settings import Settings

log = logging.getLogger(__name__)

_PROMPT = (
    "This is a connection test. Answer with the structured object: status must be the word "
    '"ok" and echo must be the number 42.'
)


class ConnectionProbe(BaseModel):
    """The answer the test asks for."""

    status: str = Field(description='The word "ok".')
    echo: int = Field(description="The number 42.")


def _redact(text: str, settings: Settings) -> str:
    key = settings.llm.effective_api_key()
    secret = key.get_secret_value() if key is not None else ""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "****")
    return text[:500]


def _error_text(exc: BaseException) -> str:
    name = type(exc).__name__
    message = str(exc).strip() or name
    return message if isinstance(exc, ResponderError) else f"{name}: {message}"


def test_connection(settings: Settings) -> dict[str, Any]:
    """Call the configured model once. Returns {model, latency_ms, structured_output_ok, error,
    method, base_url}; `error` is None on success and a human-readable reason otherwise."""
    result: dict[str, Any] = {
        "model": model_label(settings),
        "base_url": settings.llm.effective_base_url() or "https://api.openai.com/v1",
        "method": settings.llm.structured_output_method,
        "latency_ms": None,
        "structured_output_ok": False,
        "error": None,
    }
    if not settings.llm.enabled:
        result["model"] = None
        result["error"] = "The offline provider is selected: there is no model to test."
        return result
    try:
        model = build_chat_model(settings, purpose="check")
        assert model is not None
        runnable = model.with_structured_output(
            ConnectionProbe, method=settings.llm.structured_output_method, include_raw=True
        )
    except Exception as exc:  # noqa: BLE001 - e.g. no key for OpenAI
        result["error"] = _redact(_error_text(exc), settings)
        return result
    started = time.perf_counter()  # the round trip only, not building the client
    try:
        answer = runnable.invoke(_PROMPT)
    except Exception as exc:  # noqa: BLE001 - every failure is reported to the user
        result["latency_ms"] = round((time.perf_counter() - started) * 1000)
        result["error"] = _redact(_error_text(exc), settings)
        log.info("LLM connection test failed: %s", result["error"])
        return result
    result["latency_ms"] = round((time.perf_counter() - started) * 1000)
    raw = answer.get("raw")
    served_by = (getattr(raw, "response_metadata", None) or {}).get("model_name")
    if served_by:
        result["model"] = served_by
    parsed = answer.get("parsed")
    if isinstance(parsed, ConnectionProbe) and parsed.status.strip().lower() == "ok":
        result["structured_output_ok"] = True
    else:
        problem = answer.get("parsing_error")
        result["error"] = _redact(
            "The server answered, but not with the requested structure"
            + (f" ({problem})" if problem else "")
            + ": try another structured output method.",
            settings,
        )
    return result
