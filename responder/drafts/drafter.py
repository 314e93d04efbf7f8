"""Draft generation: the right answer for a labelled message, from the prompt library.

- decline for sales pitches and recruiters (recruiters get the "not now, keep in touch" template),
  `decline_firm` when the user already declined this sender;
- a report note for phishing, scam and harassment: a note for the user, never a reply;
- a reply (or follow-up) for genuine messages only when asked.

With a chat model the text comes from the LLM (LangChain `ChatPromptTemplate` built from the
library, the message as delimited untrusted data, the language named); without one, or when the
call fails, from the template's offline text in the message's language. Every draft is linted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from responder.classify.language import detect_language
from responder.drafts.context import base_variables, previous_declines, report_variables
from responder.drafts.lint import DECLINE_KINDS, lint_draft
from responder.drafts.offer import extract_offer
from responder.drafts.text import (
    clean_model_text,
    content_text,
    is_form_letter,
    last_draft_text,
    next_variant,
    variables_for_language,
)
from responder.prompts.library import (
    PromptLibrary,
    RenderedPrompt,
    Template,
    load_library,
    new_boundary,
    offline_variant_count,
    render,
    render_offline,
)
from responder.settings import Settings
from responder.store.models import Event, Message, Sender
from responder.taxonomy import REPORT_LABELS, DraftKind, Label

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.prompts import ChatPromptTemplate

log = logging.getLogger(__name__)
LIBRARY_TTL_S = 10.0
SENDER_KINDS = frozenset(
    {DraftKind.DECLINE, DraftKind.DECLINE_FIRM, DraftKind.REPLY, DraftKind.FOLLOWUP}
)


@dataclass
class DraftResult:
    kind: str
    text: str
    template_name: str
    template_version: int
    language: str
    method: str  # "offline" | "llm"
    lint_ok: bool
    lint_problems: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    """Everything decided before any text is written."""

    kind: str
    template: Template
    language: str  # the language the draft must be in
    variables: dict[str, Any]
    offline_language: str
    #: The offer a decline must name (as the sender wrote it), '' when none was found.
    offer: str = ""


def default_kind(label: str) -> str | None:
    if label in REPORT_LABELS:
        return DraftKind.REPORT_NOTE
    if label in (Label.SALES_PITCH, Label.RECRUITING):
        return DraftKind.DECLINE
    return None


def to_chat_prompt(rendered: RenderedPrompt) -> ChatPromptTemplate:
    """A LangChain prompt whose messages are the rendered texts, taken literally (braces in the
    untrusted message are never interpreted as template fields)."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages(
        [SystemMessage(content=rendered.system), HumanMessage(content=rendered.user)]
    )


class Drafter:
    """Writes drafts. `chat_model=None` means offline."""

    def __init__(
        self,
        *,
        settings: Settings,
        chat_model: BaseChatModel | None = None,
        library: PromptLibrary | None = None,
    ) -> None:
        self.settings = settings
        self.chat_model = chat_model
        self._library = library
        self._cached: tuple[float, PromptLibrary] | None = None
        #: The result of the last `stream()` once it is exhausted.
        self.last_result: DraftResult | None = None

    # --- planning ---------------------------------------------------------------------------
    def library(self, session: Session | None) -> PromptLibrary:
        """The effective library, reloaded at most every `LIBRARY_TTL_S` seconds (a triage run
        drafts many messages; an edit in the app applies to drafts made after that)."""
        if self._library is not None:
            return self._library
        now = time.monotonic()
        if self._cached is None or now - self._cached[0] > LIBRARY_TTL_S:
            self._cached = (now, load_library(settings=self.settings, session=session))
        return self._cached[1]

    def resolve_kind(
        self,
        *,
        session: Session,
        message: Message,
        label: str,
        kind: str | None,
        declines: int | None = None,
    ) -> str | None:
        """The draft kind to write; `declines` (earlier declines to this sender) is looked up
        when not given."""
        if label in REPORT_LABELS:
            if kind not in (None, DraftKind.REPORT_NOTE):
                log.warning(
                    "refusing a %s draft for a %s message: report note instead", kind, label
                )
            return DraftKind.REPORT_NOTE
        kind = kind or default_kind(label)
        if kind == DraftKind.DECLINE:
            if declines is None:
                declines = previous_declines(session=session, message=message)
            if declines > 0:
                return DraftKind.DECLINE_FIRM
        if kind == DraftKind.REPORT_NOTE:
            log.warning("a report note needs a report label, not %s", label)
            return None
        return kind

    def target_language(self, *, message: Message, kind: str) -> str:
        if kind == DraftKind.REPORT_NOTE:
            return self.settings.profile.language or "en"
        lang = message.language or detect_language(message.body)
        return lang if lang and lang != "und" else (self.settings.profile.language or "en")

    def plan(
        self,
        *,
        session: Session,
        message: Message,
        label: str,
        kind: str | None = None,
        library: PromptLibrary | None = None,
        template: Template | None = None,
        sender: Sender | None = None,
        declines: int | None = None,
    ) -> _Plan | None:
        """Kind, template, language and variables for a draft (None: no draft for this label)."""
        if declines is None:  # batch triage passes the count it loaded for the whole batch
            declines = previous_declines(session=session, message=message)
        kind = self.resolve_kind(
            session=session, message=message, label=label, kind=kind, declines=declines
        )
        if kind is None:
            return None
        template = template or (library or self.library(session)).for_kind(kind, label)
        language = self.target_language(message=message, kind=kind)
        profile_lang = self.settings.profile.language or "en"
        offline_language = next(
            (lang for lang in (language, profile_lang, "en") if lang in template.offline),
            next(iter(template.offline), language),
        )
        variables = base_variables(
            session=session,
            message=message,
            label=label,
            settings=self.settings,
            language=language,
            boundary=new_boundary(),
            sender=sender,
            declines=declines,
        )
        if kind == DraftKind.REPORT_NOTE:
            variables |= report_variables(
                session=session, message=message, label=label, sender=sender
            )
        offer = extract_offer(message.body, label=label) if kind in DECLINE_KINDS else None
        named = offer.what if offer is not None and offer.language == language else ""
        return _Plan(kind, template, language, variables, offline_language, named)

    def preview_prompt(
        self,
        *,
        session: Session,
        message: Message,
        label: str,
        kind: str | None = None,
        template: Template | None = None,
    ) -> RenderedPrompt | None:
        """What the model would be sent for this message (None: no draft, or offline-only)."""
        plan = self.plan(
            session=session, message=message, label=label, kind=kind, template=template
        )
        if plan is None or not plan.template.llm:
            return None
        return render(plan.template, plan.variables)

    # --- writing ------------------------------------------------------------------------------
    def _offline(self, plan: _Plan, *, session: Session, message: Message) -> str:
        """The offline text; of several phrasings, the one after the message's last draft."""
        lang = plan.offline_language
        variables = (
            plan.variables
            if lang == plan.language
            else variables_for_language(plan.variables, lang, self.settings)
        )
        count = offline_variant_count(plan.template, lang)
        texts = [render_offline(plan.template, variables, lang, i) for i in range(count)]
        if len(texts) == 1:
            return texts[0]
        return texts[next_variant(texts, last_draft_text(session=session, message=message))]

    def _result(
        self, plan: _Plan, message: Message, text: str, method: str, rendered: RenderedPrompt | None
    ) -> DraftResult:
        language = plan.language if method == "llm" else plan.offline_language
        lint = lint_draft(
            text=text,
            kind=plan.kind,
            message_text=message.body,
            language=language,
            settings=self.settings,
            system_prompt=rendered.system if rendered else None,
            offer=plan.offer,
        )
        return DraftResult(
            kind=plan.kind,
            text=text,
            template_name=plan.template.name,
            template_version=plan.template.version,
            language=language,
            method=method,
            lint_ok=lint.ok,
            lint_problems=list(lint.problems),
        )

    def _use_llm(self, plan: _Plan) -> bool:
        return self.chat_model is not None and plan.template.llm

    def _bound_model(self, plan: _Plan, *, streaming: bool = False) -> Any:
        assert self.chat_model is not None
        params = plan.template.model
        model: Any = self.chat_model
        if streaming and getattr(model, "streaming", None) is False:
            # A model built for invoke() has streaming switched off; stream() needs it on.
            model = model.model_copy(update={"streaming": True})
        try:
            return model.bind(temperature=params.temperature, max_tokens=params.max_tokens)
        except (AttributeError, NotImplementedError):  # a model without bind()
            return model

    def _fallback(
        self, *, session: Session, message: Message, plan: _Plan, exc: Exception
    ) -> DraftResult:
        log.warning("LLM draft failed for message %s, using the offline text: %s", message.id, exc)
        session.add(
            Event(
                level="warning",
                kind="llm_fallback",
                message_id=message.id,
                detail=f"draft ({plan.template.name}): {type(exc).__name__}: {str(exc)[:300]}",
            )
        )
        return self._result(
            plan, message, self._offline(plan, session=session, message=message), "offline", None
        )

    def draft(
        self,
        *,
        session: Session,
        message: Message,
        label: str,
        kind: str | None = None,
        template: Template | None = None,
        sender: Sender | None = None,
        declines: int | None = None,
    ) -> DraftResult | None:
        """The draft for `message` with `label` (None when no draft is due: genuine, unasked)."""
        plan = self.plan(
            session=session,
            message=message,
            label=label,
            kind=kind,
            template=template,
            sender=sender,
            declines=declines,
        )
        if plan is None:
            return None
        if not self._use_llm(plan) or is_form_letter(
            session=session, message=message, template_kind=plan.template.kind
        ):
            return self._result(
                plan,
                message,
                self._offline(plan, session=session, message=message),
                "offline",
                None,
            )
        rendered = render(plan.template, plan.variables)
        try:
            chain = to_chat_prompt(rendered) | self._bound_model(plan)
            answer = chain.invoke({})
            text = clean_model_text(content_text(answer))
            if not text:
                raise ValueError("the model returned an empty draft")
        except Exception as exc:  # noqa: BLE001 - any model failure falls back to offline
            return self._fallback(session=session, message=message, plan=plan, exc=exc)
        return self._result(plan, message, text, "llm", rendered)

    def stream(
        self,
        *,
        session: Session,
        message: Message,
        label: str,
        kind: str | None = None,
        template: Template | None = None,
        sender: Sender | None = None,
    ) -> Iterator[str]:
        """Yield the draft's text as it is generated; `last_result` holds the linted draft once
        the iterator is exhausted (after a failure mid-stream: the offline draft)."""
        self.last_result = None
        plan = self.plan(
            session=session,
            message=message,
            label=label,
            kind=kind,
            template=template,
            sender=sender,
        )
        if plan is None:
            return
        if not self._use_llm(plan):
            self.last_result = self._result(
                plan,
                message,
                self._offline(plan, session=session, message=message),
                "offline",
                None,
            )
            yield self.last_result.text
            return
        rendered = render(plan.template, plan.variables)
        parts: list[str] = []
        try:
            for chunk in (
                to_chat_prompt(rendered) | self._bound_model(plan, streaming=True)
            ).stream({}):
                piece = content_text(chunk)
                if piece:
                    parts.append(piece)
                    yield piece
            text = clean_model_text("".join(parts))
            if not text:
                raise ValueError("the model returned an empty draft")
        except Exception as exc:  # noqa: BLE001 - any model failure falls back to offline
            self.last_result = self._fallback(session=session, message=message, plan=plan, exc=exc)
            yield ("\n\n" if parts else "") + self.last_result.text
            return
        self.last_result = self._result(plan, message, text, "llm", rendered)


def build_drafter(*, settings: Settings, chat_model: BaseChatModel | None = None) -> Drafter:
    """A drafter; `chat_model` None drafts offline (build one with `responder.llm`)."""
    return Drafter(settings=settings, chat_model=chat_model)
