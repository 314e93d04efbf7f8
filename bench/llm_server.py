"""The "model" behind the LLM-economy benchmark: answers classification and drafting requests
made through the real `openai` client to `tests/support/openai_server.py`, and estimates the
prompt tokens of every request it saw.

It answers with the generated inbox's true label (found by a snippet of the message in the
prompt), so the policy downstream behaves as it would with a good model. Structured requests are
answered from the JSON schema the client sent (whatever fields the classifier or drafter asks
for), so the benchmark does not depend on one schema.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from bench.gen_inbox import InboxMessage
from tests.support.openai_server import FakeOpenAIServer, Reply

_WS = re.compile(r"\s+")
DRAFT_TEXT = (
    "Hello, thank you for thinking of me. I am not looking for this right now, so I will pass. "
    "All the best with your work."
)
_KEYWORDS = (
    ("phishing", ("verify your", "password", "sign in", "suspended")),
    ("scam", ("crypto", "gift card", "bank details", "whatsapp", "customs fee")),
    ("harassment", ("fraud", "warning", "waiting outside")),
    ("recruiting", ("recruiter", "opportunit", "headhunt", "hiring")),
    ("sales_pitch", ("calendly", "quick call", "case study", "chat?")),
)


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip().casefold()


def estimate_tokens(text: str) -> int:
    """OpenAI's rule of thumb (1 token ~ 4 characters of English); no tokenizer files offline."""
    return math.ceil(len(text) / 4)


def request_prompt_text(request: dict[str, Any]) -> str:
    """Everything a provider bills as prompt: the messages plus tool / response schemas."""
    parts = []
    for msg in request.get("messages", []):
        content = msg.get("content")
        if isinstance(content, list):
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        parts.append(str(content or ""))
    for key in ("tools", "response_format", "functions"):
        if request.get(key):
            parts.append(json.dumps(request[key]))
    return "\n".join(parts)


class InboxModel:
    """A handler for `FakeOpenAIServer` that knows the true labels of a generated inbox."""

    def __init__(self, messages: list[InboxMessage]) -> None:
        self._snippets = [(_norm(m.body)[:60], m.label) for m in messages]
        self.classify_calls = 0
        self.draft_calls = 0

    def label_for(self, prompt: str) -> str:
        text = _norm(prompt)
        for snippet, label in self._snippets:
            if snippet and snippet in text:
                return label
        for label, words in _KEYWORDS:
            if any(w in text for w in words):
                return label
        return "genuine"

    def __call__(self, request: dict[str, Any]) -> Reply | str:
        prompt = "\n".join(
            str(m.get("content") or "") for m in request.get("messages", []) if m.get("content")
        )
        schema = _request_schema(request)
        wants_json = bool(schema) or _json_mode(request)
        if wants_json and _is_classification(schema, prompt):
            self.classify_calls += 1
            label = self.label_for(prompt)
            return Reply.structured(_fill(schema or _CLASSIFY_SCHEMA, schema or {}, label))
        self.draft_calls += 1
        if wants_json:
            return Reply.structured(_fill(schema or {}, schema or {}, "genuine"))
        return DRAFT_TEXT


_CLASSIFY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reasons": {"type": "array", "items": {"type": "string"}},
        "label": {"type": "string"},
        "confidence": {"type": "number"},
    },
}


def _json_mode(request: dict[str, Any]) -> bool:
    fmt = request.get("response_format") or {}
    return isinstance(fmt, dict) and fmt.get("type") == "json_object"


def _request_schema(request: dict[str, Any]) -> dict[str, Any] | None:
    fmt = request.get("response_format") or {}
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        return dict(fmt.get("json_schema", {}).get("schema") or {})
    tools = request.get("tools") or []
    if tools:
        return dict(tools[0].get("function", {}).get("parameters") or {})
    return None


def _is_classification(schema: dict[str, Any] | None, prompt: str) -> bool:
    if schema:
        return "label" in (schema.get("properties") or {})
    return "label" in prompt.casefold() and "confidence" in prompt.casefold()


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {})
        return _resolve(dict(target), root)
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        return _resolve(dict(options[0]), root) if options else {"type": "null"}
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(dict(node["allOf"][0]), root)
    return node


def _fill(node: dict[str, Any], root: dict[str, Any], label: str, name: str = "") -> Any:
    """A valid value for a JSON-schema node, with the label where a label is asked for."""
    node = _resolve(node, root)
    if "enum" in node:
        return label if label in node["enum"] else node["enum"][0]
    if "const" in node:
        return node["const"]
    kind = node.get("type", "object" if "properties" in node else "string")
    if kind == "object":
        props = node.get("properties") or {}
        return {key: _fill(dict(sub), root, label, key) for key, sub in props.items()}
    if kind == "array":
        item = _fill(dict(node.get("items") or {}), root, label, name)
        return [item] if "reason" in name or node.get("minItems") else []
    if kind in ("number", "integer"):
        return 0.92 if kind == "number" else 1
    if kind == "boolean":
        return False
    if name == "label":
        return label
    if "reason" in name:
        return f"Looks like {label.replace('_', ' ')}: wording and request match."
    return DRAFT_TEXT


def start_server(model: InboxModel) -> FakeOpenAIServer:
    """Start the test server for `model`, with TCP_NODELAY on its connections: it writes headers
    and body separately, and Nagle + delayed ACK would add ~40 ms to every call (wall time
    only; the counts do not depend on it)."""
    server = FakeOpenAIServer(handler=model).start()
    assert server._httpd is not None
    server._httpd.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
    return server
