"""Draft a file of messages in bulk (`responder draft FILE`), to check a library change at once.

Rows are in the `responder eval` format (`text`, optional `label`, `subject`, `sender_name`, `id`).
Messages are not stored: each row becomes a transient message and sender. A row without a label is
classified first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from sqlmodel import Session

from responder.classify.classifier import build_classifier
from responder.classify.language import detect_language
from responder.classify.signals import content_hash, template_fingerprint
from responder.drafts.drafter import Drafter
from responder.llm import build_chat_model
from responder.prompts.library import load_library
from responder.settings import Settings
from responder.store.models import Message, Sender
from responder.taxonomy import is_label

log = logging.getLogger(__name__)
Row = tuple[int, dict[str, Any] | None, str | None]


def _text(record: dict[str, Any], *names: str) -> str:
    for name in names:
        value = record.get(name)
        if isinstance(value, (str, int, float)) and str(value).strip():
            return str(value).strip()
    return ""


def transient_message(record: dict[str, Any], line: int) -> tuple[Message, Sender]:
    body = _text(record, "text", "body", "content", "message")
    message = Message(
        source=_text(record, "source") if _text(record, "source") in ("email", "imap") else "jsonl",
        source_id=_text(record, "id") or f"line-{line}",
        subject=_text(record, "subject") or None,
        body=body,
        content_hash=content_hash(body),
        template_hash=template_fingerprint(body),
        language=detect_language(body),
    )
    sender = Sender(
        key=f"file:{line}",
        name=_text(record, "sender_name", "sender", "from"),
        profile_url=_text(record, "sender_profile_url") or None,
    )
    return message, sender


def draft_rows(
    *, session: Session, settings: Settings, rows: Iterable[Row]
) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, output object, error) per row; the output has the `responder draft --json` keys."""
    chat_model = None
    if settings.llm.enabled:
        chat_model = build_chat_model(settings, purpose="draft")
    drafter = Drafter(
        settings=settings, chat_model=chat_model, library=load_library(session=session)
    )
    classifier = None
    for line, record, error in rows:
        if error is not None or record is None:
            yield line, None, error or "unreadable row"
            continue
        message, sender = transient_message(record, line)
        if not message.body:
            yield line, None, "no text ('text', 'body', 'content' or 'message')"
            continue
        label = _text(record, "label")
        if label and not is_label(label):
            yield line, None, f"unknown label {label!r}"
            continue
        if not label:
            if classifier is None:
                classifier = build_classifier(settings=settings)
            label = classifier.classify_text(
                text=message.body, subject=message.subject, sender_name=sender.name or None
            ).label
        kind = _text(record, "kind") or None
        result = drafter.draft(
            session=session, message=message, label=label, kind=kind, sender=sender
        )
        yield line, _output(message, label, result), None


def _output(message: Message, label: str, result: Any) -> dict[str, Any]:
    if result is None:
        return {
            "id": message.source_id,
            "label": label,
            "kind": "none",
            "text": "",
            "template": {"name": None, "version": None},
            "language": message.language,
            "method": None,
            "lint": {"ok": True, "problems": []},
        }
    return {
        "id": message.source_id,
        "label": label,
        "kind": result.kind,
        "text": result.text,
        "template": {"name": result.template_name, "version": result.template_version},
        "language": result.language,
        "method": result.method,
        "lint": {"ok": result.lint_ok, "problems": list(result.lint_problems)},
    }
