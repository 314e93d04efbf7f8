"""Classification: offline model, LLM classifier and the combiner behind one `Classifier`.

`build_classifier(settings=..., chat_model=...)` is called once per run; `classify_batch` per batch
of stored messages (the caller stores the `Classification` row), `classify_text` for previews and
`responder eval`. Methods recorded: "offline", "rules", "safety", "context", "llm", "llm_cache",
"template_reuse". In the store, a message inherits its conversation's label (`thread`) and a
near-copy of a message the user corrected takes the correction's label at once (`meaning`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from responder.classify.llm_classifier import LLMClassifier
    from responder.classify.offline import OfflineModel
    from responder.classify.signals import Relationship, Signals
    from responder.settings import Settings
    from responder.store.models import Message

import numpy as np

from responder.classify.combine import correction_reason, finalize, model_reason, signal_reasons
from responder.classify.context import (
    corrected_messages,
    relationships,
    stored_labels,
    template_of,
    thread_places,
)
from responder.classify.encoder import get_encoder
from responder.classify.llm_classifier import LLMClassifier
from responder.classify.meaning import Memory, nearest
from responder.classify.offline import load_model, model_text
from responder.classify.result import ClassificationResult
from responder.classify.signals import compute_signals, template_fingerprint
from responder.classify.thread import ThreadContext, apply_thread
from responder.llm import build_chat_model

log = logging.getLogger(__name__)


#: The least similarity of a memory row given to the LLM as a few-shot example.
FEW_SHOT_SIMILARITY = 0.3
#: Messages scored together (well below the signals' memo size).
_CHUNK = 2048


class Classifier:
    """Signals + offline model (+ LLM when configured) + safety rules."""

    def __init__(
        self, *, settings: Settings, offline: OfflineModel, llm: LLMClassifier | None = None
    ) -> None:
        self.settings = settings
        self.offline = offline
        self.llm = llm
        self._corrections: Memory | None = None
        self._corrections_key: tuple[int, int] | None = None

    @property
    def offline_name(self) -> str:
        return f"offline-{self.offline.version}"

    # --- offline ---------------------------------------------------------------------------------
    def offline_results(
        self, texts: list[str], signals: list[Signals], corrections: Memory | None = None
    ) -> list[ClassificationResult]:

        if not texts:
            return []
        scored = self.offline.score(texts, corrections)
        probs = scored.probs
        labels = self.offline.labels
        bests = probs.argmax(axis=1).tolist()
        out = []
        for terms, sig, row, best, corrected in zip(
            scored.terms, signals, probs.tolist(), bests, scored.corrected, strict=True
        ):
            label, confidence = labels[best], row[best]
            reasons = signal_reasons(label, sig)
            if corrected is not None:
                reasons.insert(0, correction_reason(corrected))
            reasons += model_reason(label, confidence, terms)
            out.append(
                ClassificationResult(
                    label=label,
                    confidence=round(confidence, 4),
                    reasons=reasons,
                    signals={},
                    method="offline",
                    model=self.offline_name,
                    extra={"probabilities": dict(zip(labels, row, strict=True))},
                )
            )
        return out

    # --- public API ----------------------------------------------------------------------------
    def classify_text(
        self, *, text: str, subject: str | None = None, sender_name: str | None = None
    ) -> ClassificationResult:
        return self.classify_texts([(text, subject, sender_name)])[0]

    def classify_texts(
        self, items: list[tuple[str, str | None, str | None]]
    ) -> list[ClassificationResult]:
        """Classify texts without the store (no relationship, no cache).

        Works in chunks so that the cue counts memoised by the signals are still cached when the
        model's intent features ask for them."""
        out: list[ClassificationResult] = []
        for start in range(0, len(items), _CHUNK):
            out.extend(self._classify_chunk(items[start : start + _CHUNK]))
        return out

    def _classify_chunk(
        self, items: list[tuple[str, str | None, str | None]]
    ) -> list[ClassificationResult]:

        texts = [model_text(t, s) for t, s, _n in items]
        sigs = [compute_signals(t, s, n) for t, s, n in items]
        base = self.offline_results(texts, sigs)
        if self.llm is not None:
            base = [
                self.llm.classify_one(text=t, subject=s, sender_name=n, signals=sig, fallback=b)
                for (t, s, n), sig, b in zip(items, sigs, base, strict=True)
            ]
        out = []
        for (t, _s, _n), sig, res in zip(items, sigs, base, strict=True):
            res = finalize(res, sig, None, review_threshold=self.settings.policy.review_threshold)
            res.template_hash = template_fingerprint(t)
            out.append(res)
        return out

    def classify_batch(
        self, *, session: Session, messages: list[Message]
    ) -> list[ClassificationResult]:
        """Classify stored messages, using the store for relationship, templates and the LLM cache."""

        if not messages:
            return []
        rels = relationships(session=session, messages=messages)
        sigs = [self._signals(m, rel) for m, rel in zip(messages, rels, strict=True)]
        texts = [model_text(m.body or "", m.subject) for m in messages]
        corrections = self.corrections(session)
        base = self.offline_results(texts, sigs, corrections)
        if self.llm is not None:
            base = self.llm.classify_messages(
                session=session,
                messages=messages,
                signals=sigs,
                fallbacks=base,
                examples=self.few_shot(texts, corrections),
            )
        contexts = self._thread_contexts(session, messages, base)
        out = []
        for m, sig, rel, res, ctx in zip(messages, sigs, rels, base, contexts, strict=True):
            res = apply_thread(res, ctx, m.body or "")
            res = finalize(res, sig, rel, review_threshold=self.settings.policy.review_threshold)
            res.template_hash = template_of(m)
            out.append(res)
        return out

    def corrections(self, session: Session) -> Memory | None:
        """The user's corrected messages as a memory (re-read when a correction was added)."""
        rows = corrected_messages(session=session)
        if not rows or self.offline.meaning is None:
            return None
        key = (len(rows), rows[0][0])
        if self._corrections_key != key:
            labels = self.offline.labels
            vectors = get_encoder().encode([model_text(text) for _i, text, _l in rows])
            index = np.asarray([labels.index(label) for _i, _t, label in rows])
            self._corrections = Memory(
                vectors=vectors, labels=index, texts=[text for _i, text, _l in rows]
            )
            self._corrections_key = key
        return self._corrections

    def few_shot(
        self, texts: list[str], corrections: Memory | None, k: int = 4
    ) -> list[list[tuple[str, str]]] | None:
        """Per text, labelled examples for the LLM prompt from the same memory: the user's most
        similar corrections first, then the most similar training rows."""
        meaning = self.offline.meaning
        if meaning is None or not meaning.memory.texts:
            return None
        labels = self.offline.labels
        vectors = get_encoder().encode(texts)
        out: list[list[tuple[str, str]]] = [[] for _ in texts]
        for memory in (corrections, meaning.memory):
            if memory is None or not memory.texts:
                continue
            for shots, found in zip(
                out, nearest(vectors, memory, k, FEW_SHOT_SIMILARITY), strict=True
            ):
                for j in found[: k - len(shots)]:
                    shots.append((memory.texts[j], labels[int(memory.labels[j])]))
        return out

    @staticmethod
    def _thread_contexts(
        session: Session, messages: list[Message], results: list[ClassificationResult]
    ) -> list[ThreadContext | None]:
        """Each message's conversation context; an opener in this batch lends its new label."""
        places = thread_places(session=session, messages=messages)
        in_batch = {m.id: r.label for m, r in zip(messages, results, strict=True)}
        openers = {p.opener_id for p in places if p is not None and p.opener_id is not None}
        labels = stored_labels(session=session, ids=openers - set(in_batch))
        labels.update({i: lab for i, lab in in_batch.items() if i in openers})
        return [
            None if p is None else ThreadContext(p.started_by_user, labels.get(p.opener_id or -1))
            for p in places
        ]

    @staticmethod
    def _signals(message: Message, rel: Relationship) -> Signals:

        return compute_signals(
            message.body or "", message.subject, None, relationship=rel, language=message.language
        )


def build_classifier(
    *, settings: Settings, chat_model: Any = None, template: Any = None
) -> Classifier:
    """The classifier for these settings: offline always, plus the LLM when a model is given
    or the provider is configured. `template`: a classify prompt template to use instead of the
    library's (to test an edited template before activating it)."""

    offline = load_model(settings.data_dir)
    llm = None
    if chat_model is None and settings.llm.enabled:
        chat_model = build_chat_model(settings, purpose="classify")
    if chat_model is not None:
        llm = LLMClassifier(settings=settings, chat_model=chat_model, template=template)
    return Classifier(settings=settings, offline=offline, llm=llm)


__all__ = ["ClassificationResult", "Classifier", "build_classifier"]
