"""AppTest for the Prompts page: list, edit with validation as you type, save a version, preview
the prompt and the drafts for an inbox message, history with diff and rollback, reset, export."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from responder.prompts.library import SHIPPED_DIR, load_library
from responder.settings import PROJECT_ROOT
from responder.store import db
from responder.store.models import Message, PromptVersion

PAGE = str(PROJECT_ROOT / "ui" / "pages" / "prompts.py")


@pytest.fixture
def demo_engine(demo_snapshot, settings) -> Engine:
    """The triaged demo inbox (only its database: this page needs no trained model files)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(demo_snapshot.database, settings.data_dir / "responder.store.db")
    db.upgrade(settings.database_url)
    return db.get_engine()


EDITOR = "prompt_editor_decline_sales"


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120)


def _template_box(at: AppTest):  # type: ignore[no-untyped-def]
    return next(box for box in at.selectbox if box.label == "Template")


def _select_template(at: AppTest, name: str) -> AppTest:
    return _template_box(at).set_value(name).run()


def _codes(at: AppTest) -> str:
    return "\n".join(c.value for c in at.code)


def test_lists_templates_and_validates_as_you_type(demo_engine: Engine) -> None:
    at = _app().run()
    assert not at.exception
    names = _template_box(at).options
    assert len(names) == len(list(SHIPPED_DIR.glob("*.yaml")))
    at = _select_template(at, "decline_sales")
    shipped = (SHIPPED_DIR / "decline_sales.yaml").read_text()
    assert at.text_area(key=EDITOR).value == shipped
    assert at.button(key="prompt_save_decline_sales").disabled  # nothing changed yet

    broken = shipped.replace("I wish you every success.", "I wish {{ compnay }} success.")
    at.text_area(key=EDITOR).set_value(broken).run()
    assert not at.exception
    assert any("1 problem(s)" in e.value for e in at.error)
    assert "variable 'compnay' is used but not declared" in _codes(at)
    assert "decline_sales (editor):line " in _codes(at)
    assert at.button(key="prompt_save_decline_sales").disabled

    at.text_area(key=EDITOR).set_value(shipped.replace("kind: decline\n", "kind: [decline\n")).run()
    assert "YAML syntax error" in _codes(at)


def _history(at: AppTest) -> list[tuple[int, str]]:
    table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    return list(zip(table["version"], table["status"], strict=True))


def test_save_draft_preview_test_activate_history_rollback(demo_engine: Engine) -> None:
    at = _select_template(_app().run(), "decline_sales")
    shipped = at.text_area(key=EDITOR).value
    edited = shipped.replace("I wish you every success.", "Good luck with your campaign.")
    at.text_area(key=EDITOR).set_value(edited).run()
    assert any("Valid. Not saved yet." in s.value for s in at.success)
    assert at.button(key="prompt_activate_decline_sales").disabled  # nothing saved yet
    at.text_input(key="prompt_note_decline_sales").set_value("friendlier ending").run()
    at.button(key="prompt_save_decline_sales").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        row = s.exec(select(PromptVersion).where(PromptVersion.name == "decline_sales")).one()
        assert load_library(session=s).get("decline_sales").version == 1  # not live
    assert (row.version, row.note, row.author, row.is_active, row.is_draft) == (
        2, "friendlier ending", "app", False, True,
    )  # fmt: skip
    assert any("Saved decline_sales v2 as a draft" in s.value for s in at.success)
    assert any("Draft v2 is saved but not live" in i.value for i in at.info)
    assert at.text_area(key=EDITOR).value.count("Good luck with your campaign.") == 1
    assert _history(at) == [(1, "in use"), (2, "draft")]

    # Preview and test the draft version before it goes live.
    with Session(demo_engine) as s:
        pitch = s.exec(select(Message).where(Message.label == "sales_pitch")).first()
    at.selectbox(key="prompt_preview_message").set_value(pitch.id).run()
    assert not at.exception
    codes = _codes(at)
    assert "Good luck with your campaign." in codes
    assert "<<<MESSAGE " in codes and "<<<END MESSAGE " in codes  # the rendered prompt
    assert any(h.value == "Offline draft" for h in at.subheader)
    assert any("Lint: OK" in s.value for s in at.success)
    assert any("no language model configured" in c.value for c in at.caption)
    at.button(key="draft_test").click().run()
    assert not at.exception
    passing = next(m for m in at.metric if m.label == "Drafts passing the check")
    assert passing.value.endswith(
        f"of {sum(1 for h in at.subheader if h.value.startswith('Message #'))}"
    )

    # Activate: in use at once, in the selector, the banner and the history.
    at.button(key="prompt_activate_decline_sales").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        row = s.exec(select(PromptVersion)).one()
        assert row.is_active and not row.is_draft
        assert load_library(session=s).get("decline_sales").version == 2
    assert "v2 (edited)" in _template_box(at).format_func("decline_sales")
    assert any("In use: v2 (edited in the app)." in i.value for i in at.info)
    assert _history(at) == [(1, "earlier"), (2, "in use")]
    assert at.button(key="regenerate_pending")  # pending declines were written with v1

    # History: diff and rollback to the shipped version.
    codes = _codes(at)
    assert "+      Good luck with your campaign." in codes
    assert "-      I wish you every success." in codes
    at.selectbox(key="rb_decline_sales").set_value(1).run()
    at.button(key="rollback_decline_sales").click().run()
    assert not at.exception
    assert at.text_area(key=EDITOR).value == shipped  # the editor shows the version in use
    with Session(demo_engine) as s:
        assert not s.exec(select(PromptVersion)).one().is_active
    assert _history(at) == [(1, "in use"), (2, "rolled back")]


def test_the_form_writes_offline_texts_into_the_yaml(demo_engine: Engine) -> None:
    at = _select_template(_app().run(), "decline_sales")
    box = next(t for t in at.text_area if t.label == "Offline text (en)")
    assert box.value.count("\n---\n") == 2  # three English phrasings
    box.set_value(
        box.value
        + "\n---\n{{ greeting }}\n\nNo, thank you: {{ offer }} is not for me.\n\n{{ signature }}"
    )
    at.button(key="FormSubmitter:prompt_form_decline_sales-Apply to the YAML").click().run()
    assert not at.exception
    text = at.text_area(key=EDITOR).value
    assert "No, thank you: {{ offer }} is not for me." in text
    assert any("Valid. Not saved yet." in s.value for s in at.success)
    at.button(key="prompt_save_decline_sales").click().run()
    with Session(demo_engine) as s:
        row = s.exec(select(PromptVersion)).one()
    assert row.is_draft and "No, thank you" in row.body


def test_reset_to_shipped_and_export(demo_engine: Engine) -> None:
    from responder.prompts.versions import save_version

    body = (SHIPPED_DIR / "reply.yaml").read_text().replace("proper answer", "full answer")
    with Session(demo_engine) as s:
        save_version(session=s, name="reply", body_yaml=body, note="x")
        s.commit()
    at = _select_template(_app().run(), "reply")
    assert "full answer" in at.text_area(key="prompt_editor_reply").value
    assert not at.button(key="prompt_reset_reply").disabled
    at.button(key="prompt_reset_reply").click().run()
    assert not at.exception
    assert "full answer" not in at.text_area(key="prompt_editor_reply").value
    assert at.button(key="prompt_reset_reply").disabled


def test_report_note_preview_and_classify_tab(demo_engine: Engine) -> None:
    at = _select_template(_app().run(), "report_note")
    with Session(demo_engine) as s:
        phish = s.exec(select(Message).where(Message.label == "phishing")).first()
    at.selectbox(key="prompt_preview_message").set_value(phish.id).run()
    assert not at.exception
    codes = _codes(at)
    assert "REPORT NOTE" in codes and "https://" not in codes.split("REPORT NOTE", 1)[1]
    assert any("offline-only" in c.value for c in at.caption)
    at = _select_template(at, "classify")
    assert not at.exception
    assert len(at.tabs) == 4
    at.button(key="classify_test").click().run()
    assert not at.exception


def test_classify_test_measures_the_active_classifier_on_corrections(demo_engine: Engine) -> None:
    from responder.store.models import Correction

    with Session(demo_engine) as s:
        msgs = s.exec(select(Message).where(Message.label.is_not(None))).all()[:6]  # type: ignore[union-attr]
        for m in msgs:
            s.add(Correction(message_id=m.id, old_label=m.label, new_label=m.label))
        s.commit()
    at = _select_template(_app().run(), "classify")
    body = at.text_area(key="prompt_editor_classify").value
    at.text_area(key="prompt_editor_classify").set_value(
        body.replace("busy professional", "professional")
    ).run()
    at.button(key="classify_test").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"Accuracy", "Macro-F1"}
    assert any("6 messages" in c.value for c in at.caption)
    # The edited template needs a language model; the page says so instead of faking numbers.
    assert any("needs a language model" in e.value for e in at.error)


def test_llm_preview_streams_through_the_test_server(
    demo_engine: Engine, openai_server, monkeypatch
) -> None:
    from responder.settings import reset_settings_cache

    monkeypatch.setenv("RESPONDER_LLM_PROVIDER", "openai")
    monkeypatch.setenv("RESPONDER_LLM_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("RESPONDER_LLM_MAX_RETRIES", "0")
    reset_settings_cache()
    openai_server.handler = lambda _r: (
        "Hi there,\n\nThank you, but this is not something I need right now.\n\nBest regards,\nAlex"
    )
    at = _select_template(_app().run(), "decline_sales")
    with Session(demo_engine) as s:
        pitch = s.exec(select(Message).where(Message.label == "sales_pitch")).first()
    at.selectbox(key="prompt_preview_message").set_value(pitch.id).run()
    at.button(key="prompt_llm").click().run()
    assert not at.exception
    assert any(h.value == "LLM draft" for h in at.subheader)
    assert "this is not something I need right now" in _codes(at)
    assert openai_server.call_count == 1 and openai_server.last_request()["stream"] is True
    from responder.classify.signals import defang

    assert defang(pitch.body)[:40] in openai_server.last_request()["messages"][1]["content"]


def test_classify_preview_renders_the_prompt_for_a_message(demo_engine: Engine) -> None:
    at = _select_template(_app().run(), "classify")
    with Session(demo_engine) as s:
        phish = s.exec(select(Message).where(Message.label == "phishing")).first()
    at.selectbox(key="prompt_preview_message").set_value(phish.id).run()
    assert not at.exception
    codes = _codes(at)
    assert "- phishing: Tries to steal credentials" in codes  # the taxonomy in the system message
    assert "Classify this message." in codes and "<<<MESSAGE " in codes
    assert "https://" not in codes.split("Classify this message.", 1)[1]  # links defanged
