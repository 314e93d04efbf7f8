"""The "test connection" check, through the real openai client against a local server."""

from __future__ import annotations

import pytest

from responder.app.llm_check import test_connection as check_connection
from responder.settings import Settings
from tests.support.openai_server import FakeOpenAIServer, Reply

KEY = "sk-test-abcdefghijklmnop0123"


def _settings(server: FakeOpenAIServer, method: str = "json_schema", **llm: object) -> Settings:
    base = Settings()
    return base.model_copy(
        update={
            "llm": base.llm.model_copy(
                update={
                    "provider": "openai",
                    "base_url": server.base_url,
                    "model": "tiny-model",
                    "structured_output_method": method,
                    "max_retries": 0,
                    "timeout_s": 5.0,
                    **llm,
                }
            )
        }
    )


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_structured_output_ok(openai_server: FakeOpenAIServer, method: str) -> None:
    openai_server.handler = lambda req: Reply.structured({"status": "ok", "echo": 42})
    result = check_connection(_settings(openai_server, method))
    assert result["error"] is None
    assert result["structured_output_ok"] is True
    assert result["model"] == "tiny-model"
    assert isinstance(result["latency_ms"], int) and result["latency_ms"] >= 0
    assert openai_server.call_count == 1
    req = openai_server.last_request()
    assert req["model"] == "tiny-model"
    if method == "function_calling":
        assert req.get("tools")
    else:
        assert req.get("response_format")


def test_plain_text_answer_is_not_structured(openai_server: FakeOpenAIServer) -> None:
    openai_server.handler = lambda req: "Sure! Everything is ok."
    result = check_connection(_settings(openai_server, "json_mode"))
    assert result["structured_output_ok"] is False
    assert "structure" in result["error"]
    assert result["latency_ms"] is not None


def test_server_error_is_reported_without_key(
    openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    openai_server.handler = lambda req: Reply.error(401, message=f"invalid key {KEY}")
    result = check_connection(_settings(openai_server))
    assert result["structured_output_ok"] is False
    assert "401" in result["error"]
    assert KEY not in result["error"]
    assert "****" in result["error"]


def test_timeout(openai_server: FakeOpenAIServer) -> None:
    openai_server.handler = lambda req: Reply(content="late", delay=2.0)
    result = check_connection(_settings(openai_server, timeout_s=0.5))
    assert result["structured_output_ok"] is False
    assert "Timeout" in result["error"] or "timed out" in result["error"].lower()
    assert 400 <= result["latency_ms"] < 2000


def test_offline_provider() -> None:
    result = check_connection(Settings())
    assert result["model"] is None
    assert "offline" in result["error"]
    assert result["structured_output_ok"] is False


def test_openai_without_key_explains_what_to_do() -> None:
    base = Settings()
    settings = base.model_copy(
        update={"llm": base.llm.model_copy(update={"provider": "openai", "base_url": None})}
    )
    result = check_connection(settings)
    assert "OPENAI_API_KEY" in result["error"]
    assert result["structured_output_ok"] is False
    assert result["latency_ms"] is None  # nothing was sent
