"""LLM drafting through LangChain + the real openai client against the local test server."""

from __future__ import annotations

from sqlmodel import Session, select

from responder.drafts.drafter import Drafter
from responder.store.models import Event
from tests.drafts.conftest import add_message
from tests.drafts.test_drafter import PITCHES
from tests.support.openai_server import Reply

GOOD_DE = (
    "Hallo Anna,\n\nvielen Dank für Ihre Nachricht. Für Leadgenerierung habe ich derzeit keinen "
    "Bedarf, daher verzichte ich.\n\nViele Grüße\nAlex"
)


def test_llm_draft_sends_the_message_as_delimited_data_and_names_the_language(
    session: Session, llm_settings, chat_model, openai_server
) -> None:
    openai_server.script(GOOD_DE)
    msg = add_message(session, PITCHES["de"], subject="Kurze Frage")
    result = Drafter(settings=llm_settings, chat_model=chat_model).draft(
        session=session, message=msg, label="sales_pitch"
    )
    assert (result.method, result.kind, result.language) == ("llm", "decline", "de")
    assert result.text == GOOD_DE and result.lint_ok, result.lint_problems
    assert result.template_name == "decline_sales" and result.template_version == 1
    request = openai_server.last_request()
    system, user = (m["content"] for m in request["messages"])
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert "Write in German only" in system
    assert PITCHES["de"] not in system and "Kurze Frage" not in system
    start = user.index("<<<MESSAGE ")
    boundary = user[start + len("<<<MESSAGE ") :].split(">>>")[0]
    assert f"<<<MESSAGE {boundary}>>>" in system  # the model is told where the data is
    block = user[start:]
    assert block.endswith(f"<<<END MESSAGE {boundary}>>>")
    assert (
        PITCHES["de"] in block and "Subject: Kurze Frage" in block and "From: Anna Weber" in block
    )
    # From the template (langchain-openai sends max_tokens as max_completion_tokens).
    assert request["temperature"] == 0.3
    assert request.get("max_completion_tokens", request.get("max_tokens")) == 300
    assert request["model"] == llm_settings.llm.model


def test_model_output_is_cleaned(session: Session, llm_settings, chat_model, openai_server) -> None:
    openai_server.script('```\n"' + GOOD_DE + '"\n```')
    msg = add_message(session, PITCHES["de"])
    result = Drafter(settings=llm_settings, chat_model=chat_model).draft(
        session=session, message=msg, label="sales_pitch"
    )
    assert result.text == GOOD_DE


def test_server_error_falls_back_to_offline_and_records_it(
    session: Session, llm_settings, chat_model, openai_server
) -> None:
    openai_server.script(Reply.error(500))
    msg = add_message(session, PITCHES["fr"])
    result = Drafter(settings=llm_settings, chat_model=chat_model).draft(
        session=session, message=msg, label="sales_pitch"
    )
    assert result.method == "offline" and result.language == "fr" and result.lint_ok
    assert result.text.startswith("Bonjour Anna,")
    assert openai_server.call_count == 1
    session.flush()
    event = session.exec(select(Event).where(Event.kind == "llm_fallback")).one()
    assert (
        event.message_id == msg.id and "decline_sales" in event.detail and event.level == "warning"
    )


def test_timeout_and_empty_answer_fall_back(
    session: Session, llm_settings, openai_server, monkeypatch
) -> None:
    from responder.llm import build_chat_model
    from responder.settings import get_settings, reset_settings_cache

    monkeypatch.setenv("RESPONDER_LLM_TIMEOUT_S", "0.5")
    reset_settings_cache()
    model = build_chat_model(get_settings(), purpose="draft")
    openai_server.script(Reply(content="late", delay=2))
    msg = add_message(session, PITCHES["en"])
    drafter = Drafter(settings=get_settings(), chat_model=model)
    assert drafter.draft(session=session, message=msg, label="sales_pitch").method == "offline"
    openai_server.script("   ")
    assert drafter.draft(session=session, message=msg, label="sales_pitch").method == "offline"


def test_report_notes_never_reach_the_model(
    session: Session, llm_settings, chat_model, openai_server
) -> None:
    msg = add_message(session, "Verify your account now: https://1inkedin.com/verify")
    result = Drafter(settings=llm_settings, chat_model=chat_model).draft(
        session=session, message=msg, label="phishing"
    )
    assert result.kind == "report_note" and result.method == "offline"
    assert openai_server.call_count == 0


def test_streaming_yields_chunks_then_a_linted_result(
    session: Session, llm_settings, chat_model, openai_server
) -> None:
    openai_server.script(GOOD_DE)
    msg = add_message(session, PITCHES["de"])
    drafter = Drafter(settings=llm_settings, chat_model=chat_model)
    chunks = list(drafter.stream(session=session, message=msg, label="sales_pitch"))
    assert len(chunks) > 5 and "".join(chunks) == GOOD_DE
    assert openai_server.last_request()["stream"] is True
    result = drafter.last_result
    assert (
        result is not None and result.method == "llm" and result.text == GOOD_DE and result.lint_ok
    )


def test_streaming_failure_falls_back_to_offline(
    session: Session, llm_settings, chat_model, openai_server
) -> None:
    openai_server.script(Reply.error(503))
    msg = add_message(session, PITCHES["es"])
    drafter = Drafter(settings=llm_settings, chat_model=chat_model)
    text = "".join(drafter.stream(session=session, message=msg, label="sales_pitch"))
    assert drafter.last_result.method == "offline" and text == drafter.last_result.text
    assert text.startswith("Hola, Anna:")


def test_streaming_offline_yields_the_offline_draft(session: Session, settings) -> None:
    msg = add_message(session, PITCHES["en"])
    drafter = Drafter(settings=settings)
    assert list(drafter.stream(session=session, message=msg, label="genuine")) == []
    text = "".join(drafter.stream(session=session, message=msg, label="recruiting"))
    assert (
        text == drafter.last_result.text
        and drafter.last_result.template_name == "decline_recruiting"
    )


def test_privacy_mode_never_sends_the_body(
    session: Session, llm_settings, chat_model, openai_server
) -> None:
    llm_settings.llm.privacy_mode = True
    openai_server.script(
        "Hi Anna,\n\nThank you, but I'll pass on this offer for now.\n\nBest regards,\nAlex"
    )
    body = PITCHES["en"] + " See https://demo-booking.io/alex"
    msg = add_message(session, body, subject="Demo?")
    Drafter(settings=llm_settings, chat_model=chat_model).draft(
        session=session, message=msg, label="sales_pitch"
    )
    sent = openai_server.last_user_text()
    assert "30 more demos" not in sent and "Subject: Demo?" in sent
    assert "hxxps://demo-booking[.]io/alex" in sent and "body withheld" in sent


def test_links_reach_the_model_defanged(
    session: Session, llm_settings, chat_model, openai_server
) -> None:
    openai_server.script(
        "Hi Anna,\n\nThank you, but I'll pass on this offer for now.\n\nBest regards,\nAlex"
    )
    msg = add_message(session, PITCHES["en"] + " Book here: https://cal.growth-now.io/alex")
    Drafter(settings=llm_settings, chat_model=chat_model).draft(
        session=session, message=msg, label="sales_pitch"
    )
    sent = openai_server.last_user_text()
    assert "hxxps://cal[.]growth-now[.]io/alex" in sent and "https://cal.growth-now.io" not in sent


def test_form_letters_are_declined_offline(
    session: Session, llm_settings, chat_model, openai_server
) -> None:
    """The same template from a second sender costs no second model call."""
    openai_server.script(GOOD_DE)
    drafter = Drafter(settings=llm_settings, chat_model=chat_model)
    first = add_message(session, PITCHES["de"], sender_name="Anna Weber")
    assert drafter.draft(session=session, message=first, label="sales_pitch").method == "llm"
    second = add_message(session, PITCHES["de"].replace("Anna", "Jonas"), sender_name="Jonas Beck")
    assert second.template_hash == first.template_hash
    again = drafter.draft(session=session, message=second, label="sales_pitch")
    assert again.method == "offline" and again.lint_ok and "Jonas" in again.text
    assert openai_server.call_count == 1
