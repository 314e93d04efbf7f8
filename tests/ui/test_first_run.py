"""AppTest for the first-run panel (on the Inbox page): the export owner's name is suggested, confirming
stores the profile, and the offer regenerates the pending drafts written before."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from responder.ingest.importer import import_path
from responder.settings import PROJECT_ROOT, get_settings
from responder.store.models import Draft
from responder.store.preferences import load_preferences
from tests.support.owner_export import OWNER, draft_pitches, write_export

PAGE = str(PROJECT_ROOT / "ui" / "pages" / "inbox.py")


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120)


def test_first_run_confirms_the_export_owner_and_regenerates(
    unset_profile: None, engine: Engine, tmp_path: Path
) -> None:
    import_path(engine=engine, path=write_export(tmp_path), settings=get_settings())
    with Session(engine, expire_on_commit=False) as s:
        drafts = draft_pitches(s)
    assert all("Jordan" not in d.text for d in drafts)

    at = _app().run()
    assert not at.exception
    assert at.text_input(key="first_run_name").value == OWNER[0]
    assert at.text_area(key="first_run_signature").value == "Best regards,\nJordan"
    at.text_area(key="first_run_signature").set_value("Cheers,\nJordan")
    at.button(key="FormSubmitter:first_run_form-Confirm profile").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]

    with Session(engine) as s:
        prefs = load_preferences(session=s)
    assert prefs["profile.name"] == OWNER[0]
    assert prefs["profile.signature"] == "Cheers,\nJordan"
    assert not [t for t in at.text_input if t.key == "first_run_name"]  # asked once

    at.button(key="regenerate_pending").click().run()
    assert not at.exception
    assert any("Regenerated 2 pending draft(s)" in s.value for s in at.success)
    with Session(engine) as s:
        pending = list(s.exec(select(Draft).where(Draft.status == "pending")))
    assert len(pending) == 2
    assert all(d.text.endswith("Cheers,\nJordan") and d.lint_ok for d in pending)


def test_no_panel_once_the_profile_has_a_name(engine: Engine) -> None:
    at = _app().run()
    assert not at.exception
    assert not [t for t in at.text_input if t.key == "first_run_name"]
