"""First run: no invented name signs a draft; the export's owner is suggested; confirming the
profile and regenerating brings pending drafts up to date (edited drafts are kept)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from responder.app.profile_setup import (
    confirm_profile,
    export_owner_name,
    pending_to_regenerate,
    profile_setup,
    regenerate_pending,
)
from responder.drafts.drafter import build_drafter
from responder.drafts.lint import UNSIGNED_PROBLEM
from responder.errors import ConfigError
from responder.ingest.importer import import_path
from responder.settings import get_settings
from responder.store.models import Draft
from responder.triage.review import bulk_approve, edit_draft
from tests.support.owner_export import OWNER, draft_pitches, write_export


@pytest.fixture
def imported(unset_profile: None, engine: Engine, tmp_path: Path) -> Engine:
    summary = import_path(engine=engine, path=write_export(tmp_path), settings=get_settings())
    assert summary.imported == 4 and not summary.fatal
    return engine


def test_the_shipped_profile_has_no_name(unset_profile: None) -> None:
    profile = get_settings().profile
    assert profile.name == "" and profile.signature == ""


def test_the_export_owner_is_suggested_but_not_used_before_confirmation(
    imported: Engine,
) -> None:
    with Session(imported) as s:
        assert export_owner_name(session=s) == OWNER[0]
        setup = profile_setup(session=s, settings=get_settings())
        assert setup.needed and setup.name == OWNER[0] and setup.name_source == "LinkedIn export"
        assert setup.signature == "Best regards,\nJordan"
        drafts = draft_pitches(s)
        assert len(drafts) == 2
        for draft in drafts:
            assert "Jordan" not in draft.text.split("\n\n")[-1]
            assert "Alex" not in draft.text
            assert not draft.lint_ok and UNSIGNED_PROBLEM in draft.lint_problems
        # Bulk approve sends nothing unsigned.
        assert bulk_approve(session=s, label="sales_pitch") == 0


def test_confirming_and_regenerating_signs_pending_drafts_and_keeps_edits(
    imported: Engine,
) -> None:
    with Session(imported, expire_on_commit=False) as s:
        first, second = draft_pitches(s)
        edit_draft(session=s, draft_id=second.id, text=second.text + "\n\nJ.")
        s.commit()
        settings = confirm_profile(
            session=s,
            base=get_settings(),
            name="  Jordan   Rivera ",
            signature="Cheers,\nJordan",
            language="en",
            never_buy=["SEO services", " "],
        )
        s.commit()
        assert settings.profile.name == "Jordan Rivera"
        assert settings.profile.never_buy == ["SEO services"]
        assert not profile_setup(session=s, settings=settings).needed

        ids, kept = pending_to_regenerate(session=s)
        assert ids == [first.id] and kept == 1
        done, kept = regenerate_pending(session=s, drafter=build_drafter(settings=settings))
        s.commit()
        assert (done, kept) == (1, 1)
        pending = list(s.exec(select(Draft).where(Draft.status == "pending")))
        fresh = next(d for d in pending if d.message_id == first.message_id)
        assert fresh.text.endswith("Cheers,\nJordan") and fresh.lint_ok
        assert s.get(Draft, first.id).status == "superseded"
        assert s.get(Draft, second.id).status == "pending"  # edited: kept
        assert bulk_approve(session=s, label="sales_pitch", settings=settings) == 1


def test_a_name_is_required(unset_profile: None, session: Session) -> None:
    with pytest.raises(ConfigError, match="name"):
        confirm_profile(
            session=session, base=get_settings(), name=" ", signature="", language="en",
            never_buy=[],
        )  # fmt: skip


def test_template_change_regenerates_only_that_templates_drafts(
    imported: Engine,
) -> None:
    with Session(imported, expire_on_commit=False) as s:
        drafts = draft_pitches(s)
        assert pending_to_regenerate(session=s, template_name="decline_recruiting") == ([], 0)
        ids, kept = pending_to_regenerate(session=s, template_name="decline_sales")
        assert sorted(ids) == sorted(d.id for d in drafts) and kept == 0
