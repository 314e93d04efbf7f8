"""LLM classifier: LangChain chat model with structured output, repair retry, offline fallback.

The prompt is the `classify` template of the prompt library (`prompts/classify.yaml`, or the
user's active edited version); each result records the template's name and version. The message
goes to the model as delimited untrusted data (`delimit_untrusted`); in privacy mode only sender,
subject and defanged links are sent. Results are reused by content hash ("llm_cache") and by template
fingerprint ("template_reuse"), so mass outreach costs one call per template.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from responder.classify.context import MIN_TEMPLATE_WORDS, template_of
from responder.classify.result import ClassificationResult
from responder.classify.signals import Signals, content_hash, defang
from responder.llm import model_label
from responder.prompts.library import delimit_untrusted, load_library, new_boundary, render
from responder.store.models import Classification, Correction, Event, Message, Sender
from responder.taxonomy import DESCRIPTIONS, LABELS

if TYPE_CHECKING:
    from responder.prompts.schema import Template
    from responder.settings import Settings

log = logging.getLogger(__name__)
PROMPT_NAME = "classify"
PROMPT_VERSION = 1
LLM_METHODS = ("llm", "llm_cache", "template_reuse")
_TAG = re.compile(r"<\s*/?\s*(message|sender|subject|links|example)\b[^>]*>", re.I)


class LLMVerdict(BaseModel):
    """The model's classification of one message."""

    reasons: list[str] = Field(
        description="Two to four short sentences explaining the evidence, written before deciding."
    )
    label: Literal["genuine", "sales_pitch", "recruiting", "phishing", "scam", "harassment"] = (
        Field(description="Exactly one of the six labels.")
    )
    confidence: float = Field(
        ge=0.0, le=1.0, description="Probability (0 to 1) that the label is right."
    )


def neutralise(text: str) -> str:
    """Remove delimiter look-alikes from untrusted text so it cannot close our tags."""
    return _TAG.sub(lambda m: "[" + m.group(1) + " tag removed]", text or "")


def default_template(session: Session | None = None) -> Template:
    """The effective `classify` template: the user's active version, else the shipped file."""

    return load_library(session=session).for_kind("classify", None)


def prompt_variables(
    *,
    text: str,
    subject: str | None,
    sender_name: str | None,
    privacy: bool,
    signals: Signals,
    examples: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Every variable a classify template may use (CLASSIFY_VARIABLES). Sender, subject and body
    are untrusted: they only reach the model inside the delimited `message_block`."""

    boundary = new_boundary()
    head = []
    if sender_name:
        head.append(f"From: {sender_name}")
    if subject:
        head.append(f"Subject: {subject}")
    body = "[body withheld: privacy mode]" if privacy else defang(text)
    block = delimit_untrusted("\n".join([*head, "", body]).strip(), boundary=boundary)
    shots = [
        delimit_untrusted(defang(t)[:1500], what="EXAMPLE", boundary=boundary) + f"\nLabel: {lab}"
        for t, lab in (examples or [])
    ]
    return {
        "taxonomy": "\n".join(f"- {label}: {DESCRIPTIONS[label]}" for label in LABELS),
        "labels": list(LABELS),
        "boundary": boundary,
        "message_block": block,
        "sender_name": sender_name or "",
        "links": [defang(link.url) for link in signals.links],
        "examples_block": "\n\n".join(shots),
        "privacy_mode": privacy,
    }


def signal_hints(signals: Signals) -> str:
    """Our own signal explanations (trusted text), appended after the rendered user message."""
    hints = [s.explanation for n, s in signals.items.items() if not n.startswith("_")][:8]
    return ("\n\nAutomatic signals (may be wrong): " + " ".join(hints)) if hints else ""


class LLMClassifier:
    def __init__(
        self, *, settings: Settings, chat_model: Any, template: Template | None = None
    ) -> None:
        """`template`: a classify template to use instead of the library's (the Prompts page tests
        an edited template with it before activating it)."""

        self.settings = settings
        self.template = template
        self.chat_model = chat_model
        self.model_name = model_label(settings)
        self.method = settings.llm.structured_output_method
        self.calls = 0
        self._structured = chat_model.with_structured_output(
            LLMVerdict, method=self.method, include_raw=True
        )

    # --- one call --------------------------------------------------------------------------------
    def _ask(self, messages: list[Any]) -> tuple[LLMVerdict | None, str, str]:
        """(verdict or None, raw text of the answer, error) for one structured call."""
        from langchain_core.exceptions import OutputParserException
        from pydantic import ValidationError

        self.calls += 1
        try:
            out = self._structured.invoke(messages)
        except (ValidationError, OutputParserException, json.JSONDecodeError) as exc:
            # json_schema parsing happens inside the client and raises instead of reporting.
            return None, "", str(exc)[:500]
        parsed, raw, error = out.get("parsed"), out.get("raw"), out.get("parsing_error")
        raw_text = _raw_text(raw)
        if isinstance(parsed, LLMVerdict) and error is None:
            return parsed, raw_text, ""
        if isinstance(parsed, dict):
            try:
                return LLMVerdict.model_validate(parsed), raw_text, ""
            except ValueError as exc:
                error = exc
        return None, raw_text, str(error or "no structured answer")[:500]

    def _verdict(self, system: str, user: str) -> LLMVerdict:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        messages: list[Any] = [SystemMessage(system), HumanMessage(user)]
        verdict, raw, error = self._ask(messages)
        if verdict is not None:
            return verdict
        log.info("LLM answer could not be parsed (%s); asking for a repair", error)
        repair = messages + [
            AIMessage(raw or "(empty)"),
            HumanMessage(
                "Your answer could not be used: " + error + "\nAnswer again with only a JSON "
                'object with "reasons" (list of strings), "label" (one of '
                + ", ".join(LABELS)
                + ') and "confidence" (0 to 1).'
            ),
        ]
        verdict, _raw, error = self._ask(repair)
        if verdict is None:
            raise ValueError(f"unparseable answer after a repair attempt: {error}")
        return verdict

    def classify_one(
        self,
        *,
        text: str,
        subject: str | None,
        sender_name: str | None,
        signals: Signals,
        fallback: ClassificationResult,
        examples: list[tuple[str, str]] | None = None,
        session: Session | None = None,
        message_id: int | None = None,
        template: Template | None = None,
    ) -> ClassificationResult:

        template = template or self.template or default_template(session)
        variables = prompt_variables(
            text=text,
            subject=subject,
            sender_name=sender_name,
            privacy=self.settings.llm.privacy_mode,
            signals=signals,
            examples=examples,
        )
        try:
            rendered = render(template, variables)
            verdict = self._verdict(rendered.system, rendered.user + signal_hints(signals))
        except Exception as exc:  # noqa: BLE001 - any model failure falls back, visibly
            return self._fallback(fallback, exc, session=session, message_id=message_id)
        reasons = [r.strip() for r in verdict.reasons if r and r.strip()][:6]
        return ClassificationResult(
            label=verdict.label,
            confidence=round(float(verdict.confidence), 4),
            reasons=reasons or [f"The language model chose {verdict.label}."],
            signals={},
            method="llm",
            model=self.model_name,
            prompt_name=template.name,
            prompt_version=template.version,
        )

    def _fallback(
        self,
        fallback: ClassificationResult,
        exc: Exception,
        *,
        session: Session | None,
        message_id: int | None,
    ) -> ClassificationResult:
        what = f"{type(exc).__name__}: {exc}"[:300]
        log.warning("LLM classification failed (%s); using the offline result", what)
        if session is not None:
            session.add(
                Event(
                    level="warning",
                    kind="llm_fallback",
                    message_id=message_id,
                    detail=f"LLM {self.model_name} failed ({what}); offline result used.",
                )
            )
        note = (
            f"The language model failed ({type(exc).__name__}); this is the offline model's result."
        )
        return replace(
            fallback, reasons=[note, *fallback.reasons], extra={**fallback.extra, "llm_error": what}
        )

    # --- batches with the store ---------------------------------------------------------------------
    def classify_messages(
        self,
        *,
        session: Session,
        messages: list[Message],
        signals: list[Signals],
        fallbacks: list[ClassificationResult],
        examples: list[list[tuple[str, str]]] | None = None,
    ) -> list[ClassificationResult]:
        """Classify stored messages; `examples`: few-shot examples per message (the classifier's
        memory, the user's corrections first), else the corrections most alike in words."""
        corrections = _corrections(session) if examples is None else []
        template = self.template or default_template(session)  # one library load per batch
        names = _sender_names(session, messages)
        by_content: dict[str, ClassificationResult] = {}
        by_template: dict[str, ClassificationResult] = {}
        out = []
        for i, (m, sig, fb) in enumerate(zip(messages, signals, fallbacks, strict=True)):
            chash = m.content_hash or content_hash(m.body or "")
            tpl = template_of(m) if len((m.body or "").split()) >= MIN_TEMPLATE_WORDS else None
            reused = by_content.get(chash) or _stored(session, Message.content_hash == chash, m.id)
            method = "llm_cache"
            if reused is None and tpl:
                reused = by_template.get(tpl) or _stored(
                    session, Message.template_hash == tpl, m.id
                )
                method = "template_reuse"
            if reused is not None:
                result = replace(reused, method=method, reasons=list(reused.reasons), signals={})
            else:
                shots = examples[i] if examples is not None else _similar(m.body or "", corrections)
                result = self.classify_one(
                    text=m.body or "",
                    subject=m.subject,
                    sender_name=names.get(m.sender_id or -1),
                    signals=sig,
                    fallback=fb,
                    examples=shots,
                    session=session,
                    message_id=m.id,
                    template=template,
                )
            if result.method in LLM_METHODS:
                by_content.setdefault(chash, result)
                if tpl:
                    by_template.setdefault(tpl, result)
            out.append(result)
        return out


def _raw_text(raw: Any) -> str:
    if raw is None:
        return ""
    calls = getattr(raw, "tool_calls", None) or []
    if calls:
        return json.dumps(calls[0].get("args", {}))
    invalid = getattr(raw, "invalid_tool_calls", None) or []
    if invalid:
        return str(invalid[0].get("args") or "")
    content = getattr(raw, "content", "")
    return content if isinstance(content, str) else json.dumps(content)


def _stored(session: Session, where: Any, exclude_id: int | None) -> ClassificationResult | None:
    """The latest LLM classification of another message matching `where`."""
    stmt = (
        select(Classification)
        .join(Message, col(Message.id) == col(Classification.message_id))
        .where(where, col(Classification.method).in_(LLM_METHODS))
        .order_by(col(Classification.id).desc())
        .limit(1)
    )
    if exclude_id is not None:
        stmt = stmt.where(Classification.message_id != exclude_id)
    row = session.exec(stmt).first()
    if row is None:
        return None
    return ClassificationResult(
        label=row.label,
        confidence=row.confidence,
        reasons=list(row.reasons or []),
        signals={},
        method=row.method,
        model=row.model,
        prompt_name=row.prompt_name,
        prompt_version=row.prompt_version,
    )


def _sender_names(session: Session, messages: list[Message]) -> dict[int, str]:
    ids = {m.sender_id for m in messages if m.sender_id is not None}
    if not ids:
        return {}
    stmt = select(Sender.id, Sender.name).where(col(Sender.id).in_(ids))
    return {int(i): n for i, n in session.exec(stmt) if i is not None and n}


def _corrections(session: Session, limit: int = 300) -> list[tuple[set[str], str, str]]:
    stmt = (
        select(Message.body, Correction.new_label)
        .join(Message, col(Message.id) == col(Correction.message_id))
        .order_by(col(Correction.id).desc())
        .limit(limit)
    )
    return [(_words(body), body, label) for body, label in session.exec(stmt)]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]{3,}", (text or "").lower()))


def _similar(
    text: str, corrections: list[tuple[set[str], str, str]], k: int = 3
) -> list[tuple[str, str]]:
    """The user's corrections most similar to `text` (Jaccard over words), as few-shot examples."""
    words = _words(text)
    if not words or not corrections:
        return []
    scored = [(len(words & w) / len(words | w), body, label) for w, body, label in corrections if w]
    scored.sort(key=lambda x: -x[0])
    return [(body, label) for score, body, label in scored[:k] if score >= 0.1]
