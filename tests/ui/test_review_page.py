"""AppTest for the Review page: approve and next, edit then approve, reject with a reason,
regenerate, bulk approve, report notes, lint blocking, and copy / mark sent, checked in the DB."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from responder.app.inbox import conversation_link
from responder.prompts.form import apply_form, form_of
from responder.prompts.library import SHIPPED_DIR
from responder.prompts.versions import save_version
from responder.settings import PROJECT_ROOT
from responder.store.models import Conversation, Delivery, Draft, Message, Sender
from responder.taxonomy import REPORT_LABELS

PAGE = str(PROJECT_ROOT / "ui" / "pages" / "review.py")


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120)


def _focused(at: AppTest) -> int:
    """The id of the draft in focus (its approve button is the only primary 'approve_' key)."""
    keys = [b.key for b in at.button if (b.key or "").startswith("approve_")]
    assert len(keys) == 1, keys
    return int(keys[0].split("_")[1])


def _draft(engine: Engine, draft_id: int) -> Draft:
    with Session(engine) as s:
        return s.get(Draft, draft_id)


def test_approve_and_next(demo_engine: Engine) -> None:
    at = _app().run()
    assert not at.exception
    first = _focused(at)
    at.button(key=f"approve_{first}").click().run()
    assert not at.exception
    approved = _draft(demo_engine, first)
    assert approved.status == "approved" and approved.approved_at is not None
    with Session(demo_engine) as s:
        delivery = s.exec(select(Delivery).where(Delivery.draft_id == first)).one()
    assert delivery.channel == "linkedin" and delivery.state == "manual"
    second = _focused(at)
    assert second != first  # the next one came up
    assert at.button(key=f"sent_{first}")  # ready to send, below


def test_edit_then_approve_and_mark_sent(demo_engine: Engine) -> None:
    at = _app().run()
    first = _focused(at)
    at.text_area(key=f"draft_text_{first}").set_value("Thanks, but no thanks.\nAlex").run()
    assert at.button(key=f"approve_{first}").label == "Save & approve"
    at.button(key=f"approve_{first}").click().run()
    draft = _draft(demo_engine, first)
    assert (draft.status, draft.text, draft.edited) == (
        "approved",
        "Thanks, but no thanks.\nAlex",
        True,
    )
    assert any(c.value == "Thanks, but no thanks.\nAlex" for c in at.code)  # copy box
    links = [el for el in at.main if getattr(el, "type", "") == "link_button"]
    assert links and all(
        el.proto.url.startswith("https://www.linkedin.com/messaging/thread/") for el in links
    )
    at.button(key=f"sent_{first}").click().run()
    assert not at.exception
    draft = _draft(demo_engine, first)
    with Session(demo_engine) as s:
        message = s.get(Message, draft.message_id)
    assert draft.status == "sent" and draft.sent_at is not None
    assert message.status == "answered"


def test_reject_with_reason_and_skip(demo_engine: Engine) -> None:
    at = _app().run()
    first = _focused(at)
    at.button(key=f"skip_{first}").click().run()
    second = _focused(at)
    assert second != first and _draft(demo_engine, first).status == "pending"
    at.selectbox(key=f"reason_{second}").set_value("Tone is off").run()
    at.button(key=f"reject_{second}").click().run()
    rejected = _draft(demo_engine, second)
    assert (rejected.status, rejected.reject_reason) == ("rejected", "Tone is off")


def test_regenerate_writes_a_new_draft(demo_engine: Engine) -> None:
    at = _app().run()
    first = _focused(at)
    old = _draft(demo_engine, first)
    at.button(key=f"regen_{first}").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        drafts = s.exec(select(Draft).where(Draft.message_id == old.message_id)).all()
    assert _draft(demo_engine, first).status == "superseded"
    live = [d for d in drafts if d.status == "pending"]
    assert len(live) == 1 and live[0].id != first and live[0].text
    if old.template_name in ("decline_sales", "decline_recruiting"):  # several phrasings
        assert live[0].text != old.text
        assert any("New draft written." in s.value for s in at.success)


def test_regenerate_says_when_there_is_no_other_phrasing(demo_engine: Engine) -> None:
    at = _app().run()
    first = _focused(at)
    old = _draft(demo_engine, first)
    # The template with only its first phrasing per language, active: the same text comes back.
    body = (SHIPPED_DIR / f"{old.template_name}.yaml").read_text()
    form = form_of(body)
    form.offline = {lang: texts[:1] for lang, texts in form.offline.items()}
    with Session(demo_engine) as s:
        save_version(session=s, name=old.template_name, body_yaml=apply_form(body, form))
        s.commit()
    at.button(key=f"regen_{first}").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        pending = s.exec(
            select(Draft).where(Draft.message_id == old.message_id, Draft.status == "pending")
        ).one()
    assert pending.id != first and pending.text == old.text
    assert any("No other phrasing" in i.value for i in at.info)
    assert not any("New draft written." in s.value for s in at.success)


def test_bulk_approve_one_label_only(demo_engine: Engine) -> None:
    at = _app().run()
    label = at.radio(key="review_label").value
    with Session(demo_engine) as s:
        before = s.exec(
            select(Draft, Message)
            .join(Message, col(Message.id) == Draft.message_id)
            .where(Draft.status == "pending")
        ).all()
    clean = [d.id for d, m in before if m.label == label and d.lint_ok]
    assert clean
    at.button(key=f"bulk_{label}").click().run()
    # a confirmation with the count comes first; nothing changed yet
    assert any(f"Approve {len(clean)} " in w.value for w in at.warning)
    assert at.button(key="bulk_yes").label == f"Yes, approve {len(clean)}"
    with Session(demo_engine) as s:
        assert all(s.get(Draft, i).status == "pending" for i in clean)
    at.button(key="bulk_yes").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        for d, m in before:
            status = s.get(Draft, d.id).status
            if d.id in clean:
                assert status == "approved"
            else:
                assert status == "pending", (m.label, d.kind)
    assert not {b.key for b in at.button} & {f"bulk_{r}" for r in REPORT_LABELS}
    assert any(f"Approved {len(clean)} " in x.value for x in at.success)
    # Undo puts them back to waiting (none was sent), deliveries gone
    at.button(key="bulk_undo").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        assert all(s.get(Draft, i).status == "pending" for i in clean)
        assert s.exec(select(Delivery).where(col(Delivery.draft_id).in_(clean))).all() == []
    assert any(f"Undone: {len(clean)} draft(s)" in i.value for i in at.info)


def test_bulk_reject_cancel_then_confirm(demo_engine: Engine) -> None:
    at = _app().run()
    label = at.radio(key="review_label").value
    at.button(key=f"bulk_reject_{label}").click().run()
    at.button(key="bulk_no").click().run()
    assert "bulk_yes" not in {b.key for b in at.button}
    at.button(key=f"bulk_reject_{label}").click().run()
    at.button(key="bulk_yes").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        rejected = s.exec(select(Draft).where(Draft.status == "rejected")).all()
    assert rejected and all(d.reject_reason == "bulk reject" for d in rejected)


def test_report_note_mark_reported_and_block(demo_engine: Engine) -> None:
    at = _app().run()
    keys = [
        b.key for b in at.button if (b.key or "").startswith("reported_") and "keep" not in b.key
    ]
    assert keys, "the demo has report notes"
    note_id = int(keys[0].split("_")[1])
    assert any(e.label.startswith("Report notes:") for e in at.expander)
    at.button(key=keys[0]).click().run()
    assert not at.exception
    note = _draft(demo_engine, note_id)
    with Session(demo_engine) as s:
        message = s.get(Message, note.message_id)
        sender = s.get(Sender, message.sender_id)
        delivery = s.exec(select(Delivery).where(Delivery.draft_id == note_id)).first()
    assert note.kind == "report_note" and note.status == "sent"
    assert message.status == "handled" and sender.status == "blocked"
    assert delivery is None  # a note is never sent anywhere


def test_lint_failure_blocks_approve_until_edited(demo_engine: Engine) -> None:
    at = _app().run()
    first = _focused(at)
    with Session(demo_engine) as s:
        d = s.get(Draft, first)
        d.lint_ok = False
        d.lint_problems = ["mentions a link: evil.example.com"]
        s.add(d)
        s.commit()
    at = _app().run()
    button = at.button(key=f"approve_{first}")
    assert button.disabled
    assert any("evil[.]example[.]com" in t.value for t in at.text)
    at.text_area(key=f"draft_text_{first}").set_value("No thank you.\nAlex").run()
    assert not at.button(key=f"approve_{first}").disabled
    at.button(key=f"approve_{first}").click().run()
    assert _draft(demo_engine, first).status == "approved"


def test_regenerate_streams_from_the_model(
    demo_engine: Engine,
    openai_server,
    monkeypatch,  # noqa: ANN001
) -> None:
    from responder.settings import reset_settings_cache

    text = "Thank you for thinking of me, but this is not something I need.\n\nBest regards,\nAlex"
    openai_server.script(text)
    monkeypatch.setenv("RESPONDER_LLM_PROVIDER", "openai")
    monkeypatch.setenv("RESPONDER_LLM_BASE_URL", openai_server.base_url)
    reset_settings_cache()
    at = _app().run()
    first = _focused(at)
    message_id = _draft(demo_engine, first).message_id
    at.button(key=f"regen_{first}").click().run()
    assert not at.exception
    assert openai_server.last_request()["stream"] is True  # the text was streamed
    with Session(demo_engine) as s:
        live = s.exec(
            select(Draft).where(Draft.message_id == message_id, Draft.status == "pending")
        ).one()
    assert live.id != first and live.method == "llm" and live.text == text
    assert _draft(demo_engine, first).status == "superseded"


def _flagged(engine: Engine) -> list[Message]:
    with Session(engine) as s:
        return list(
            s.exec(
                select(Message).where(
                    Message.needs_review == True,  # noqa: E712
                    Message.status == "open",
                    Message.direction == "in",
                )
            )
        )


def test_check_the_label_queue_keeps_the_suggested_label(demo_engine: Engine) -> None:
    flagged = _flagged(demo_engine)
    assert flagged, "the demo has a message that needs review"
    at = _app().run()
    assert not at.exception
    queue = [e for e in at.expander if e.label.startswith("Check the label:")]
    assert queue and f"{len(flagged)} message(s) need review" in queue[0].label
    keep = [b for b in at.button if (b.key or "").startswith("label_keep_")]
    assert len(keep) == 1
    message_id = int(keep[0].key.rsplit("_", 1)[1])
    reasons = [w.value for w in at.warning]
    assert not any("Low confidence" in r for r in reasons)  # a reason in words instead
    assert any(
        "You replied in this thread" in r or "Unsure between" in r or "below your review" in r
        for r in reasons
    ), reasons
    label_before = next(m.label for m in flagged if m.id == message_id)
    keep[0].click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        message = s.get(Message, message_id)
    assert message.needs_review is False and message.label == label_before
    assert len(_flagged(demo_engine)) == len(flagged) - 1


def test_check_the_label_queue_picks_another_label(demo_engine: Engine) -> None:
    at = _app().run()
    keep = [b for b in at.button if (b.key or "").startswith("label_keep_")]
    message_id = int(keep[0].key.rsplit("_", 1)[1])
    picks = [b for b in at.button if (b.key or "").startswith(f"label_pick_{message_id}_")]
    assert len(picks) == 5  # every other label
    new_label = picks[0].key.split(f"label_pick_{message_id}_", 1)[1]
    picks[0].click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        message = s.get(Message, message_id)
    assert message.label == new_label and message.needs_review is False


def test_a_report_note_opens_the_conversation_on_linkedin(demo_engine: Engine) -> None:
    at = _app().run()
    keys = [
        b.key for b in at.button if (b.key or "").startswith("reported_") and "keep" not in b.key
    ]
    with Session(demo_engine) as s:
        expected = set()
        for key in keys:
            message = s.get(Message, _draft(demo_engine, int(key.split("_")[1])).message_id)
            conv = s.get(Conversation, message.conversation_id) if message.conversation_id else None
            if conversation_link(conv):
                expected.add(conversation_link(conv))
    assert expected, "the demo has report notes in LinkedIn conversations"
    buttons = {
        el.proto.url
        for el in at.main
        if getattr(el, "type", "") == "link_button"
        and el.proto.label == "Open the conversation on LinkedIn"
    }
    assert buttons == expected
    assert all(url.startswith("https://www.linkedin.com/messaging/thread/") for url in buttons)
