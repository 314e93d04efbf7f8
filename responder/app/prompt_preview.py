"""What the Prompts page needs from the core: validate an edit as it is typed, preview the prompt
and the draft an (unsaved) template makes for a stored message, and test an edited `classify`
template on labelled messages before activating it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from responder.classify.classifier import build_classifier
from responder.classify.signals import defang, extract_links
from responder.classify.training.evaluate import metrics
from responder.classify.training.labelled import Example, parse_labelled
from responder.drafts.context import message_block
from responder.drafts.drafter import Drafter, DraftResult, default_kind
from responder.errors import NotFoundError, PromptError
from responder.prompts.library import (
    RenderedPrompt,
    Template,
    new_boundary,
    parse_template,
    render,
    template_problems,
)
from responder.settings import Settings
from responder.store.models import Correction, Message
from responder.taxonomy import DESCRIPTIONS, LABELS

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)


def check_edit(*, name: str, body: str) -> list[str]:
    """Problems of an edited template text (empty: it can be saved)."""
    return template_problems(body, file=f"{name} (editor)", expected_name=name)


def edited_template(*, name: str, body: str) -> Template:
    """The edited text as a template (raises `PromptError` naming the place)."""
    return parse_template(body, file=f"{name} (editor)", expected_name=name)


@dataclass
class Preview:
    message_id: int
    label: str
    kind: str | None
    #: What the model is sent (None for offline-only templates or when no draft is due).
    prompt: RenderedPrompt | None = None
    offline: DraftResult | None = None
    note: str = ""


def _message(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"Message {message_id} does not exist.")
    return message


def preview(
    *,
    session: Session,
    settings: Settings,
    message_id: int,
    template: Template,
    label: str | None = None,
) -> Preview:
    """The rendered prompt and the offline draft `template` makes for a stored message."""
    message = _message(session, message_id)
    label = label or message.label or "sales_pitch"
    kind = template.kind if template.kind != "classify" else None
    out = Preview(message_id=message_id, label=label, kind=kind)
    if kind is None:
        out.prompt = classify_prompt(template=template, message=message, settings=settings)
        out.note = "Measure an edited classify template on labelled messages under 'Test'."
        return out
    drafter = Drafter(settings=settings)
    plan = drafter.plan(session=session, message=message, label=label, kind=kind, template=template)
    if plan is None or plan.kind != kind:
        actual = plan.kind if plan else "no draft"
        out.note = (
            f"A {label} message gets {actual}, not {kind} (default for the label: "
            f"{default_kind(label) or 'no draft'}); previewing with this template anyway."
        )
    out.prompt = drafter.preview_prompt(
        session=session, message=message, label=label, kind=kind, template=template
    )
    out.offline = drafter.draft(
        session=session, message=message, label=label, kind=kind, template=template
    )
    return out


def classify_prompt(*, template: Template, message: Message, settings: Settings) -> RenderedPrompt:
    """The classify template rendered for a message, with the variables the classifier gets."""

    boundary = new_boundary()
    text = (message.subject or "") + "\n" + message.body
    variables = {
        "taxonomy": "\n".join(f"- {label}: {DESCRIPTIONS[label]}" for label in LABELS),
        "labels": list(LABELS),
        "boundary": boundary,
        "message_block": message_block(
            message=message, sender_name="", boundary=boundary, settings=settings
        ),
        "links": [defang(link.url) for link in extract_links(text)],
        "examples_block": "",
        "privacy_mode": settings.llm.privacy_mode,
    }
    return render(template, variables)


def stream_llm_draft(
    *,
    session: Session,
    settings: Settings,
    chat_model: BaseChatModel,
    message_id: int,
    template: Template,
    label: str | None = None,
) -> tuple[Drafter, Iterator[str]]:
    """(drafter, chunks): iterate the chunks, then `drafter.last_result` is the linted draft."""
    message = _message(session, message_id)
    drafter = Drafter(settings=settings, chat_model=chat_model)
    chunks = drafter.stream(
        session=session,
        message=message,
        label=label or message.label or "sales_pitch",
        kind=template.kind,
        template=template,
    )
    return drafter, chunks


# --- test a classify template before activating it ----------------------------------------------


#: A labelled message (text, label, subject, sender name): the reader of `responder eval`'s.
LabelledText = Example


@dataclass
class ClassifyTest:
    total: int = 0
    correct: int = 0
    truth: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def macro_f1(self) -> float:
        """Macro-F1 over the labels present in truth or answers (as `responder eval` counts it)."""
        return float(metrics(self.truth, self.predicted)["macro_f1"]) if self.total else 0.0


def corrected_examples(*, session: Session, limit: int = 500) -> list[LabelledText]:
    """The user's corrected messages (latest correction per message) as labelled examples."""
    rows = session.exec(
        select(Correction, Message)
        .join(Message, col(Message.id) == Correction.message_id)
        .order_by(col(Correction.id).desc())
        .limit(limit * 2)
    )
    seen: set[int] = set()
    out = []
    for correction, message in rows:
        if message.id in seen:
            continue
        seen.add(message.id)  # type: ignore[arg-type]
        out.append(
            LabelledText(
                id=f"message-{message.id}",
                text=message.body,
                label=correction.new_label,
                subject=message.subject,
            )
        )
    return out[:limit]


def read_labelled_jsonl(data: bytes) -> tuple[list[LabelledText], list[str]]:
    """Examples from an uploaded file in the `responder eval` JSONL format, and line errors."""
    return parse_labelled(data.decode("utf-8-sig", errors="replace"), name="upload")


def run_classify_test(
    *,
    settings: Settings,
    chat_model: Any,
    examples: Iterable[LabelledText],
    template: Template | None,
) -> ClassifyTest:
    """Classify the examples with `template` (None: the classifier as it is now, offline or LLM)
    and score the answers."""

    if template is not None and template.kind != "classify":
        raise PromptError(f"'{template.name}' is a {template.kind} template, not a classify one")
    classifier = build_classifier(settings=settings, chat_model=chat_model)
    if template is not None:
        llm = getattr(classifier, "llm", None)
        if llm is None:
            raise PromptError(
                "Testing an edited classify template needs a language model: configure the LLM "
                "provider (the offline classifier does not use prompts)."
            )
        if not hasattr(llm, "template"):
            raise PromptError(
                "The LLM classifier does not take an edited template yet; only the active "
                "classifier can be measured."
            )
        llm.template = template
    result = ClassifyTest()
    for example in examples:
        try:
            got = classifier.classify_text(
                text=example.text, subject=example.subject, sender_name=example.sender_name
            ).label
        except Exception as exc:  # noqa: BLE001 - one failing example is reported, not fatal
            result.errors.append(f"{type(exc).__name__}: {exc}")
            continue
        _score(result, example.label, got)
    return result


def _score(result: ClassifyTest, truth: str, got: str) -> None:
    result.total += 1
    result.correct += int(truth == got)
    result.truth.append(truth)
    result.predicted.append(got)


@dataclass
class TrialDraft:
    message_id: int
    label: str
    draft: DraftResult


def try_on_labelled(
    *, session: Session, settings: Settings, template: Template, limit: int = 6
) -> list[TrialDraft]:
    """The offline drafts `template` (e.g. a draft version) writes for labelled messages of its
    labels: the ones whose label you corrected first, then the newest. Nothing is stored."""
    if template.kind == "classify":
        return []
    labels = list(template.labels) or [label for label in LABELS if default_kind(label)]
    corrected = select(Correction.message_id)
    base = select(Message).where(col(Message.label).in_(labels), Message.direction == "in")
    rows = list(session.exec(base.where(col(Message.id).in_(corrected)).limit(limit)))
    seen = {m.id for m in rows}
    for message in session.exec(base.order_by(col(Message.id).desc()).limit(limit * 2)):
        if len(rows) >= limit:
            break
        if message.id not in seen:
            rows.append(message)
    drafter = Drafter(settings=settings)
    out = []
    for message in rows[:limit]:
        label = message.label or labels[0]
        result = drafter.draft(
            session=session, message=message, label=label, kind=template.kind, template=template
        )
        if result is not None:
            out.append(TrialDraft(message_id=message.id or 0, label=label, draft=result))
    return out
