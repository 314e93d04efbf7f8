"""Benchmark 4: LLM economy. How many LLM calls and prompt tokens classify + draft cost per
message on a generated inbox where 60% are mass pitches from 40 templates.

Everything goes through the production path (`triage_new` with a chat model from
`responder.llm.build_chat_model`) and the real `openai` client, against the OpenAI-compatible
test server on 127.0.0.1, which counts the calls. The naive baseline is the same run with the
classifier's cache and near-duplicate reuse out of the way (see `PerMessageClassifier`).
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from pydantic import SecretStr

from bench.common import (
    BenchConfig,
    drop_database,
    fresh_database,
    import_inbox,
    make_settings,
    timed,
)
from bench.gen_inbox import InboxMessage, generate_inbox
from bench.llm_server import InboxModel, estimate_tokens, request_prompt_text, start_server

log = logging.getLogger("bench.llm")
PITCH_SHARE = 0.6
#: Not a real key: the test server accepts anything.
DUMMY_KEY = "bench-local-test-server-key"


class PerMessageClassifier:
    """The naive baseline: every message classified on its own through the classifier's
    store-less path (`classify_texts`: one LLM call per message, no cache, no template reuse)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def classify_batch(self, *, session: Any, messages: list[Any]) -> list[Any]:
        del session  # the naive path does not look anything up
        return self.inner.classify_texts([(m.body or "", m.subject, None) for m in messages])


def _build_classifier(settings: Any, chat_model: Any, *, naive: bool) -> tuple[Any, str]:
    """The production classifier, or the naive baseline and how it was made."""
    from responder.classify.classifier import build_classifier

    params = inspect.signature(build_classifier).parameters
    if naive:
        for switch in ("use_cache", "cache", "reuse"):
            if switch in params:
                kwargs = {switch: False}
                return build_classifier(settings=settings, chat_model=chat_model, **kwargs), (
                    f"build_classifier({switch}=False)"
                )
    classifier = build_classifier(settings=settings, chat_model=chat_model)
    if not naive:
        return classifier, "production classifier"
    return PerMessageClassifier(classifier), (
        "the classifier has no cache switch, so each message goes through its store-less "
        "classify_texts path (one LLM call per message, no cache, no reuse)"
    )


def economy_run(cfg: BenchConfig, inbox: list[InboxMessage], *, naive: bool) -> dict[str, Any]:
    """Triage `inbox` with an LLM configured; count calls and prompt tokens at the server."""
    from responder.drafts.drafter import build_drafter
    from responder.llm import build_chat_model
    from responder.store.db import make_engine
    from responder.triage.pipeline import triage_new

    model = InboxModel(inbox)
    server = start_server(model)
    url = fresh_database(cfg, "llm_naive" if naive else "llm")
    try:
        import_inbox(cfg, url, inbox, "llm")
        settings = make_settings(
            cfg.workdir, url, provider="openai", base_url=server.base_url, model="bench-model"
        )
        settings.llm.api_key = SecretStr(DUMMY_KEY)
        chat_model = build_chat_model(settings)
        classifier, how = _build_classifier(settings, chat_model, naive=naive)
        drafter = build_drafter(settings=settings, chat_model=chat_model)
        engine = make_engine(url, settings=settings)
        try:
            seconds, summary = timed(
                lambda: triage_new(
                    engine=engine,
                    settings=settings,
                    chat_model=chat_model,
                    classifier=classifier,
                    drafter=drafter,
                )
            )
        finally:
            engine.dispose()
    finally:
        server.stop()
        drop_database(url)
    tokens = sum(estimate_tokens(request_prompt_text(r)) for r in server.requests)
    return {
        "messages": summary.triaged,
        "calls": server.call_count,
        "classify_calls": model.classify_calls,
        "draft_calls": model.draft_calls,
        "drafts": summary.drafts,
        "prompt_tokens": tokens,
        "seconds": seconds,
        "classifier": how,
    }


def bench_llm(cfg: BenchConfig) -> dict[str, Any]:
    inbox = generate_inbox(cfg.llm_n, pitch_share=PITCH_SHARE, seed=cfg.seed)
    ours = economy_run(cfg, inbox, naive=False)
    n = ours["messages"] or len(inbox)
    res: dict[str, Any] = {
        "llm_calls_per_message": ours["calls"] / n,
        "llm_classify_calls_per_message": ours["classify_calls"] / n,
        "llm_draft_calls_per_message": ours["draft_calls"] / n,
        "prompt_tokens_per_message": ours["prompt_tokens"] / n,
    }
    notes = {
        "llm_calls_per_message": f"{n:,} messages ({PITCH_SHARE:.0%} mass pitches from 40 "
        f"templates): {ours['calls']:,} calls ({ours['classify_calls']:,} classify, "
        f"{ours['draft_calls']:,} draft) through the real openai client; counts are "
        "deterministic, one run",
        "prompt_tokens_per_message": "estimated as characters/4 over every request's messages "
        "and tool/response schemas (no tokenizer offline)",
    }
    naive = economy_run(cfg, inbox, naive=True)
    res["naive_llm_calls_per_message"] = naive["calls"] / n
    res["naive_prompt_tokens_per_message"] = naive["prompt_tokens"] / n
    notes["naive_llm_calls_per_message"] = (
        f"actually run through the same triage and server: {naive['calls']:,} calls "
        f"({naive['classify_calls']:,} classify, {naive['draft_calls']:,} draft); "
        f"{naive['classifier']}"
    )
    res["llm_calls_saved_vs_naive"] = 1 - res["llm_calls_per_message"] / max(
        res["naive_llm_calls_per_message"], 1e-9
    )
    res["_notes"] = notes
    res["_details"] = {"llm_ours": ours, "llm_naive": naive}
    return res
