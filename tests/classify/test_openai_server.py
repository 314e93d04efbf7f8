"""The fake OpenAI-compatible server works with the real `openai` client."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.support.openai_server import FakeOpenAIServer, Reply


def _client(server: FakeOpenAIServer, **kw: object) -> openai.OpenAI:
    return openai.OpenAI(api_key="test-key", base_url=server.base_url, **kw)  # type: ignore[arg-type]


def test_content_reply_and_recording(openai_server: FakeOpenAIServer) -> None:
    openai_server.handler = lambda req: "hello " + req["messages"][-1]["content"]
    out = _client(openai_server).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "world"}]
    )
    assert out.choices[0].message.content == "hello world"
    assert openai_server.call_count == 1
    assert openai_server.last_user_text() == "world"


def test_streaming(openai_server: FakeOpenAIServer) -> None:
    openai_server.script("a fairly long streamed answer")
    stream = _client(openai_server).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}], stream=True
    )
    parts = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert len([p for p in parts if p]) > 1
    assert "".join(parts) == "a fairly long streamed answer"


def test_tool_call_takes_offered_name(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(Reply.structured({"x": 1}))
    tools = [{"type": "function", "function": {"name": "Pick", "parameters": {"type": "object"}}}]
    out = _client(openai_server).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}], tools=tools
    )
    call = out.choices[0].message.tool_calls[0]
    assert call.function.name == "Pick"
    assert call.function.arguments == '{"x": 1}'


def test_script_errors_then_success(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(Reply.error(429, {"Retry-After": "0"}), Reply.error(500), "fine")
    out = _client(openai_server, max_retries=2).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}]
    )
    assert out.choices[0].message.content == "fine"
    assert openai_server.call_count == 3


def test_error_without_retries_raises(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(Reply.error(500))
    with pytest.raises(openai.InternalServerError):
        _client(openai_server, max_retries=0).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )


def test_delay_causes_timeout(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(Reply(content="late", delay=1.0))
    with pytest.raises(openai.APITimeoutError):
        _client(openai_server, max_retries=0, timeout=0.2).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )


def test_models_endpoint(openai_server: FakeOpenAIServer) -> None:
    data = httpx.get(openai_server.base_url + "/models").json()
    assert [m["id"] for m in data["data"]] == ["fake-model"]


def test_langchain_streaming_through_build_chat_model(openai_server: FakeOpenAIServer) -> None:
    from responder.llm import build_chat_model
    from responder.settings import Settings

    settings = Settings(llm={"provider": "openai", "base_url": openai_server.base_url})
    openai_server.script("Thanks for reaching out, but no thanks.")
    model = build_chat_model(settings, purpose="draft", streaming=True)
    assert model is not None
    chunks = [c.content for c in model.stream("write a decline")]
    assert len(chunks) > 2
    assert "".join(chunks) == "Thanks for reaching out, but no thanks."
    assert openai_server.last_request()["stream"] is True
