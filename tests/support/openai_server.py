"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests (stdlib, one thread).

Tests point the real `openai` client (directly or through LangChain's `ChatOpenAI`) at
`server.base_url` and script what the "model" answers.

Usage::

    def test_something(openai_server):            # fixture from tests/support/fixtures_llm.py
        openai_server.handler = lambda req: Reply.structured({"reasons": [...], "label": "scam",
                                                              "confidence": 0.9})
        settings.llm.base_url = openai_server.base_url   # "http://127.0.0.1:PORT/v1"
        ...
        assert openai_server.call_count == 1
        assert "<message>" in openai_server.last_user_text()

The handler is called with the request's JSON body (`dict`) and returns one of:

- `str`: the assistant's message content (or streamed as SSE chunks when `stream: true`);
- `Reply(content=...)`, `Reply.tool(arguments, name=None)` (a tool call; the name defaults to
  the first tool offered in the request), `Reply.structured(obj)` (a tool call when the request
  offered tools, else JSON content: works for json_schema, function_calling and json_mode);
- `Reply.error(status, headers=None, message=...)`, e.g. `Reply.error(429, {"Retry-After": "0"})`
  or `Reply.error(500)`;
- any reply with `delay=seconds` to sleep before answering (to provoke client timeouts).

Instead of a handler, `server.script(reply1, reply2, ...)` answers requests in order (the last
reply repeats). Every request is recorded in `server.requests` (parsed JSON bodies, in order;
errors and timed-out calls included), `server.call_count` counts POSTs to chat completions.
`GET /v1/models` lists `server.model_names`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    error_message: str = "scripted error"
    #: Resolved at answer time from the request (for tool calls without a name).
    _structured: Any = None

    @classmethod
    def tool(cls, arguments: dict[str, Any] | str, name: str | None = None, **kw: Any) -> Reply:
        args = arguments if isinstance(arguments, str) else json.dumps(arguments)
        return cls(tool_calls=[{"name": name, "arguments": args}], **kw)

    @classmethod
    def structured(cls, obj: dict[str, Any] | str, **kw: Any) -> Reply:
        """A tool call if the request offered tools, else the object as JSON content."""
        return cls(_structured=obj, **kw)

    @classmethod
    def error(
        cls, status: int, headers: dict[str, str] | None = None, message: str = "scripted error"
    ) -> Reply:
        return cls(status=status, headers=dict(headers or {}), error_message=message)

    def resolve(self, request: dict[str, Any]) -> Reply:
        """Fill in tool names and structured answers from the request (keeps delay/status)."""
        resolved = self._resolve(request)
        resolved.delay = self.delay
        return resolved

    def _resolve(self, request: dict[str, Any]) -> Reply:
        if self._structured is not None:
            text = (
                self._structured
                if isinstance(self._structured, str)
                else json.dumps(self._structured)
            )
            if request.get("tools"):
                return Reply.tool(text, status=self.status, headers=self.headers).resolve(request)
            return Reply(content=text, status=self.status, headers=self.headers)
        if self.tool_calls:
            offered = [t.get("function", {}).get("name") for t in request.get("tools") or []]
            default = offered[0] if offered else "tool"
            calls = [
                {"name": c.get("name") or default, "arguments": c["arguments"]}
                for c in self.tool_calls
            ]
            return Reply(tool_calls=calls, status=self.status, headers=self.headers)
        return self


Handler = Callable[[dict[str, Any]], "Reply | str"]


class FakeOpenAIServer:
    """The server. Use as a context manager or call `start()`/`stop()`."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler: Handler = handler or (lambda _req: "ok")
        self.requests: list[dict[str, Any]] = []
        self.model_names: list[str] = ["fake-model"]
        self._script: list[Reply | str] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        server = self

        class _H(_RequestHandler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- scripting and inspection -------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Answer the next requests with these replies in order; the last one repeats."""
        with self._lock:
            self._script = list(replies)

    @property
    def call_count(self) -> int:
        return len(self.requests)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def last_request(self) -> dict[str, Any]:
        return self.requests[-1]

    def user_texts(self, request: dict[str, Any] | None = None) -> list[str]:
        """The text of every message in a request (default: the last one), all roles."""
        req = request if request is not None else self.last_request()
        texts = []
        for msg in req.get("messages", []):
            content = msg.get("content")
            if isinstance(content, list):
                content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            texts.append(str(content or ""))
        return texts

    def last_user_text(self) -> str:
        return "\n".join(self.user_texts())

    def _answer(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(request)
            scripted = None
            if self._script:
                scripted = self._script.pop(0) if len(self._script) > 1 else self._script[0]
        reply = scripted if scripted is not None else self.handler(request)
        if isinstance(reply, str):
            reply = Reply(content=reply)
        return reply.resolve(request)


class _RequestHandler(BaseHTTPRequestHandler):
    fake: FakeOpenAIServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if self.path.rstrip("/").endswith("/models"):
            data = [{"id": n, "object": "model", "owned_by": "test"} for n in self.fake.model_names]
            self._json(200, {"object": "list", "data": data})
        else:
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        try:
            request = json.loads(raw)
        except json.JSONDecodeError:
            self._json(400, {"error": {"message": "bad json", "type": "invalid_request_error"}})
            return
        reply = self.fake._answer(request)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status >= 400:
            body = {"error": {"message": reply.error_message, "type": "server_error", "code": None}}
            self._json(reply.status, body, reply.headers)
            return
        model = request.get("model", "fake-model")
        if request.get("stream"):
            self._stream(reply, model)
        else:
            self._json(200, _completion(reply, model), reply.headers)

    def _json(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
            pass

    def _stream(self, reply: Reply, model: str) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for chunk in _chunks(reply, model):
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


def _usage() -> dict[str, int]:
    return {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}


def _tool_call_objs(reply: Reply) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{uuid.uuid4().hex[:12]}",
            "type": "function",
            "function": {"name": c["name"], "arguments": c["arguments"]},
        }
        for c in reply.tool_calls or []
    ]


def _completion(reply: Reply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    finish = "stop"
    if reply.tool_calls:
        message["tool_calls"] = _tool_call_objs(reply)
        finish = "tool_calls"
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": _usage(),
    }


def _chunks(reply: Reply, model: str) -> list[dict[str, Any]]:
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    out = [chunk({"role": "assistant", "content": ""})]
    if reply.tool_calls:
        for i, call in enumerate(_tool_call_objs(reply)):
            out.append(chunk({"tool_calls": [{"index": i, **call}]}))
        out.append(chunk({}, "tool_calls"))
        return out
    text = reply.content or ""
    pieces = [text[i : i + 8] for i in range(0, len(text), 8)]
    out.extend(chunk({"content": piece}) for piece in pieces)
    out.append(chunk({}, "stop"))
    return out
