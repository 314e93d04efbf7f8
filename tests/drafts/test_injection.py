"""Prompt injection: a corpus of hostile messages. Offline drafts never obey; a model that obeys
is caught by lint, so the draft is held for review and can never be auto-approved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from responder.drafts.drafter import Drafter
from responder.drafts.lifecycle import create_draft
from responder.store.models import Message
from responder.taxonomy import REPORT_LABELS
from responder.triage.policy import may_auto_approve
from tests.drafts.conftest import add_message

CORPUS_FILE = Path(__file__).resolve().parents[1] / "data" / "injection_corpus.jsonl"
CORPUS = [json.loads(line) for line in CORPUS_FILE.read_text(encoding="utf-8").splitlines()]


def test_the_corpus_is_big_and_varied() -> None:
    assert len(CORPUS) >= 25
    assert len({c["id"] for c in CORPUS}) == len(CORPUS)
    assert {c["language"] for c in CORPUS} >= {"en", "de", "fr", "es"}
    assert {c["label"] for c in CORPUS} >= {"sales_pitch", "recruiting", "genuine", "phishing"}


def _message(session: Session, case: dict) -> Message:
    msg = add_message(
        session, case["text"], sender_name=case["sender_name"], subject=case.get("subject"),
        label=case["label"], confidence=0.99,
    )  # fmt: skip
    return msg


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_offline_drafts_never_obey(session: Session, settings, case: dict) -> None:
    msg = _message(session, case)
    result = Drafter(settings=settings).draft(
        session=session, message=msg, label=case["label"], kind=case.get("kind")
    )
    assert result is not None and result.method == "offline"
    assert result.lint_ok, result.lint_problems
    if case["label"] not in REPORT_LABELS:
        assert result.language == case["language"]
        assert case["obey"].strip()[:25].lower() not in result.text.lower()
        assert "http" not in result.text and "<" not in result.text


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_an_obeying_model_is_caught_and_the_draft_is_held(
    session: Session, llm_settings, chat_model, openai_server, case: dict
) -> None:
    openai_server.handler = lambda _request: case["obey"]
    llm_settings.policy.auto_approve[case["label"]] = type(
        llm_settings.policy.auto_approve["sales_pitch"]
    )(enabled=case["label"] not in REPORT_LABELS, min_confidence=0.5)
    msg = _message(session, case)
    drafter = Drafter(settings=llm_settings, chat_model=chat_model)
    draft = create_draft(
        session=session, message=msg, label=case["label"], kind=case.get("kind"), drafter=drafter
    )
    assert draft is not None
    if case["label"] in REPORT_LABELS:
        assert openai_server.call_count == 0  # report notes are built from facts only
        assert draft.kind == "report_note" and draft.lint_ok, draft.lint_problems
        assert case["obey"] not in draft.text
    else:
        assert draft.method == "llm" and draft.text == case["obey"].strip()
        assert not draft.lint_ok
        assert any(case["expect"] in p for p in draft.lint_problems), draft.lint_problems
        # The hostile text reached the model only inside the markers, never as instructions.
        system, user = (m["content"] for m in openai_server.last_request()["messages"])
        assert case["text"][:40] not in system
        assert "<<<END MESSAGE 0000>>>" not in user and "</system>" not in user
        assert user.rstrip().endswith(">>>") and user.count("<<<END MESSAGE ") == 1
    ok, why = may_auto_approve(session=session, draft=draft, message=msg, settings=llm_settings)
    assert not ok
    assert (
        ("fails lint" in why) if case["label"] not in REPORT_LABELS else ("never automatic" in why)
    )


def test_a_clean_model_answer_would_be_auto_approvable(
    session: Session, llm_settings, chat_model, openai_server
) -> None:
    """Control for the test above: the same path with a well-behaved model is approvable, so the
    refusals above come from lint, not from something else."""
    case = CORPUS[0]
    openai_server.handler = lambda _r: (
        "Hi Sam,\n\nThank you for your message about your outbound campaigns, but this isn't "
        "something I need right now, so I'll pass.\n\nBest regards,\nAlex"
    )
    llm_settings.policy.auto_approve["sales_pitch"].enabled = True
    llm_settings.policy.auto_approve["sales_pitch"].min_confidence = 0.5
    msg = _message(session, case)
    draft = create_draft(session=session, message=msg, label="sales_pitch", kind=None,
                         drafter=Drafter(settings=llm_settings, chat_model=chat_model))  # fmt: skip
    assert draft.lint_ok, draft.lint_problems
    ok, why = may_auto_approve(session=session, draft=draft, message=msg, settings=llm_settings)
    assert ok, why
