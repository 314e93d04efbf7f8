"""AppTest for the Import page: demo, upload with summary (errors with file and line, re-import
adds nothing), large uploads handed to the worker, task progress, pasted text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from responder.app import imports
from responder.ingest.paste import MAX_PASTE_CHARS
from responder.settings import PROJECT_ROOT, Settings
from responder.store import tasks
from responder.store.events import recent_problems
from responder.store.models import Event, Message, Sender, Task

PAGE = str(PROJECT_ROOT / "ui" / "pages" / "import_page.py")
HEADER = ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
          "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS"]  # fmt: skip
ME = ("Alex Morgan", "https://www.linkedin.com/in/alex-morgan")


def _csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for conv, frm, date, content in rows:
        url = "https://www.linkedin.com/in/" + frm.lower().replace(" ", "-")
        w.writerow([conv, frm, frm, url, ME[0], ME[1], date, "", content, "INBOX", ""])
    return buf.getvalue().encode()


EXPORT = _csv(
    [
        ("c-1", "Pat Seller", "2026-05-01 10:00:00 UTC", "Quick call about lead generation?"),
        ("c-2", "Sam Friend", "2026-05-02 11:00:00 UTC", "Lunch on Friday? It's been ages."),
        ("c-3", "Bad Date", "yesterday-ish", "This row has a date nobody can read."),
        ("c-4", "Rita Recruit", "2026-05-03 12:00:00 UTC", "Open to a new role? Great package."),
    ]
)


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120)


def _messages(engine: Engine) -> list[Message]:
    with Session(engine) as s:
        return list(s.exec(select(Message)))


def _metrics(at: AppTest) -> list[dict[str, str]]:
    values = [(m.label, m.value) for m in at.metric]
    return [dict(values[i : i + 4]) for i in range(0, len(values), 4)]


def _keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def test_load_demo(trained: Settings, engine: Engine) -> None:
    at = _app().run()
    at.button(key="import_demo_load").click().run()
    assert not at.exception
    imported = len(_messages(engine))
    assert imported >= 40
    assert _metrics(at)[0]["Imported"] == str(imported)
    assert all(m.label for m in _messages(engine) if m.direction == "in")
    # once loaded, the demo says so and is removed in one click (after a confirmation)
    assert "import_demo_load" not in _keys(at)
    at.button(key="import_demo_remove").click().run()
    assert any("Remove the" in w.value for w in at.warning)
    assert len(_messages(engine)) == imported  # nothing goes before the confirmation
    at.button(key="import_demo_remove_yes").click().run()
    assert not at.exception
    assert _messages(engine) == []
    assert any("Demo inbox removed" in x.value for x in at.success)
    assert "import_demo_load" in _keys(at)  # it can be loaded again


def test_upload_summary_errors_and_reimport(trained: Settings, engine: Engine) -> None:
    at = _app().run()
    at.file_uploader(key="import_files").set_value(("messages.csv", EXPORT, "text/csv")).run()
    at.button(key="import_go").click().run()
    assert not at.exception
    summary = _metrics(at)[0]
    assert (summary["Imported"], summary["Already there"], summary["Errors"]) == ("3", "0", "1")
    errors = at.dataframe[0].value
    assert list(errors["Where"]) == ["line 4"]  # header is line 1
    assert errors["File"][0] == "messages.csv"  # the user's name, not the stored copy's
    assert "date" in errors["Reason"][0].lower()
    assert summary["Left out"] == "0"  # the broken row is counted once, under Errors
    stored = _messages(engine)
    assert len(stored) == 3 and all(m.label for m in stored)
    uploads = list((engine_settings_dir(trained) / "uploads").iterdir())
    assert len(uploads) == 1 and uploads[0].name.endswith("messages.csv")
    at.button(key="import_go").click().run()
    again = _metrics(at)[0]  # newest summary first
    assert (again["Imported"], again["Already there"]) == ("0", "3")
    assert len(_messages(engine)) == 3


def engine_settings_dir(settings: Settings) -> Path:
    return settings.data_dir


def test_large_upload_goes_to_the_worker(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "INLINE_MAX_BYTES", 100)
    at = _app().run()
    at.file_uploader(key="import_files").set_value(("big.csv", EXPORT, "text/csv")).run()
    at.button(key="import_go").click().run()
    assert not at.exception
    with Session(engine) as s:
        task = s.exec(select(Task)).one()
    assert task.kind == "import" and task.status == "queued"
    assert Path(task.params["path"]).read_bytes() == EXPORT
    assert Path(task.params["path"]).parent == settings.data_dir / "uploads"
    assert any("runs in the background" in i.value for i in at.info)
    assert _messages(engine) == []  # nothing imported inline


def test_too_large_upload_is_refused(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from responder.settings import reset_settings_cache

    monkeypatch.setenv("RESPONDER_POLICY_MAX_UPLOAD_MB", "1")
    reset_settings_cache()
    big = EXPORT + b"x" * (1024 * 1024)
    at = _app().run()
    at.file_uploader(key="import_files").set_value(("huge.csv", big, "text/csv")).run()
    at.button(key="import_go").click().run()
    assert any("larger than 1 MB" in e.value for e in at.error)
    assert _messages(engine) == []
    assert not (settings.data_dir / "uploads").exists()


def test_background_tasks_show_progress_and_results(engine: Engine) -> None:
    with Session(engine) as s:
        running = tasks.enqueue(session=s, kind="import", params={"path": "/x"}).id
        done = tasks.enqueue(session=s, kind="triage").id
        failed = tasks.enqueue(session=s, kind="import").id
        s.commit()
        tasks.claim_next(session=s, worker="w")
        s.commit()
    tasks.set_progress(
        engine=engine, task_id=running, done=250, total=1000, message="import: 250 of 1000"
    )
    with Session(engine) as s:
        result = {"imported": 7, "duplicates": 2, "skipped": 1,
                  "errors": [{"file": "a.csv", "line": 9, "reason": "bad date"}]}  # fmt: skip
        tasks.finish(session=s, task_id=done, result=result)
        tasks.fail(session=s, task_id=failed, error="import failed: no such file")
        s.commit()
    at = _app().run()
    assert not at.exception
    bars = at.get("progress")
    assert len(bars) == 1 and bars[0].value == 25
    assert any(f"#{failed} import failed" in e.value for e in at.error)
    summary = _metrics(at)[0]
    assert (summary["Imported"], summary["Already there"]) == ("7", "2")
    assert (summary["Left out"], summary["Errors"]) == ("0", "1")  # one broken row, counted once
    assert list(at.dataframe[0].value["Where"]) == ["line 9"]


def test_paste_one_message(trained: Settings, engine: Engine) -> None:
    at = _app().run()
    at.text_area[0].set_value(
        "From: Dana Vendor <dana@vendor.example>\nSubject: Boost your sales\n\n"
        "We help companies like yours get 10x more leads with our outsourced SDR team."
    )
    at.button[1].click().run()  # "Add message" (form submit)
    assert not at.exception
    stored = _messages(engine)
    assert len(stored) == 1
    assert stored[0].subject == "Boost your sales" and stored[0].label is not None
    assert _metrics(at)[0]["Imported"] == "1"


def test_sort_new_messages(trained: Settings, engine: Engine) -> None:
    from responder.ingest.importer import import_text

    import_text(engine=engine, text="Hi Alex, are you free for coffee next week?", settings=trained)
    with Session(engine) as s:
        assert s.exec(select(func.count()).where(Message.label == None)).one() == 1  # noqa: E711
    at = _app().run()
    at.button(key="triage_go").click().run()
    assert not at.exception
    assert all(m.label for m in _messages(engine))


def test_queued_import_runs_here_when_no_worker(
    trained: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "INLINE_MAX_BYTES", 100)
    at = _app().run()
    at.file_uploader(key="import_files").set_value(("big.csv", EXPORT, "text/csv")).run()
    at.button(key="import_go").click().run()
    assert any("worker is not running" in w.value for w in at.warning)
    at.button(key="run_here").click().run()
    assert not at.exception
    with Session(engine) as s:
        task = s.exec(select(Task)).one()
    assert task.status == "done" and task.claimed_by.startswith("app:")
    assert task.result["imported"] == 3
    stored = _messages(engine)
    assert len(stored) == 3 and all(m.label for m in stored)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "Connections.csv",
            b'Notes:\n"When exporting your connection data..."\n\n'
            b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
            b"Ann,Lee,https://www.linkedin.com/in/ann,,Acme,CTO,01 Jan 2026\n",
            "looks like LinkedIn's Connections.csv, not messages.csv",
        ),
        (
            "Invitations.csv",
            b"From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
            b"Ann,Me,1/2/26,Hi,INCOMING,x,y\n",
            "looks like LinkedIn's Invitations.csv",
        ),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "a PNG image"),
    ],
)
def test_wrong_files_are_named_in_the_users_words(
    trained: Settings, engine: Engine, name: str, data: bytes, expected: str
) -> None:
    at = _app().run()
    at.file_uploader(key="import_files").set_value((name, data, "text/csv")).run()
    at.button(key="import_go").click().run()
    assert not at.exception
    reason = at.dataframe[0].value["Reason"][0]
    assert expected in reason and reason.startswith(name)  # the user's file name
    assert "\\x" not in reason and "IHDR" not in reason  # no raw bytes
    assert list(at.dataframe[0].value["Where"]) == ["whole file"]
    assert _messages(engine) == []
    with Session(engine) as s:
        events = s.exec(select(Event).where(Event.kind == "import")).all()
    assert [e.level for e in events] == ["error"]


def test_successful_import_is_no_problem(trained: Settings, engine: Engine) -> None:
    at = _app().run()
    at.file_uploader(key="import_files").set_value(("messages.csv", EXPORT, "text/csv")).run()
    at.button(key="import_go").click().run()
    with Session(engine) as s:
        (event,) = s.exec(select(Event).where(Event.kind == "import")).all()
        assert event.level == "info" and "messages.csv" in event.detail
        assert recent_problems(session=s) == []


def test_paste_limit_and_sender(trained: Settings, engine: Engine) -> None:
    at = _app().run()
    assert at.text_area[0].max_chars == MAX_PASTE_CHARS
    at.text_input[0].set_value("Jane Doe <jane@example.com>")
    at.text_area[0].set_value("Could we talk about the board seat next week?")
    next(b for b in at.button if b.label == "Add message").click().run()
    assert not at.exception
    with Session(engine) as s:
        (message,) = s.exec(select(Message)).all()
        sender = s.get(Sender, message.sender_id)
    assert (sender.name, sender.email) == ("Jane Doe", "jane@example.com")
