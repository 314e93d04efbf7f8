"""Stored versions: save, effective library, diff, rollback, reset to shipped, export."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from responder.errors import NotFoundError, PromptError
from responder.prompts.form import apply_form, form_of, join_variants, split_variants
from responder.prompts.library import SHIPPED_DIR, load_library, parse_template
from responder.prompts.versions import (
    activate,
    diff_versions,
    export_yaml,
    latest_draft,
    list_versions,
    reset_to_shipped,
    rollback,
    save_version,
)
from responder.store.models import PromptVersion

SHIPPED = (SHIPPED_DIR / "decline_sales.yaml").read_text(encoding="utf-8")


def edited(text: str) -> str:
    return SHIPPED.replace("I wish you every success.", text)


def test_save_creates_the_next_version_and_the_library_uses_it(session: Session) -> None:
    row = save_version(
        session=session, name="decline_sales", body_yaml=edited("Good luck."), author="alex",
        note="shorter",
    )  # fmt: skip
    session.commit()
    assert row.version == 2 and row.is_active and row.author == "alex" and row.note == "shorter"
    assert "version: 2" in row.body
    lib = load_library(session=session)
    tpl = lib.get("decline_sales")
    assert tpl.version == 2 and lib.sources["decline_sales"] == "db"
    assert "Good luck." in " ".join(tpl.offline_variants("en"))
    assert load_library().get("decline_sales").version == 1  # no session: shipped only
    third = save_version(session=session, name="decline_sales", body_yaml=edited("Cheers."))
    assert third.version == 3
    assert (
        " ".join(load_library(session=session).get("decline_sales").offline_variants("en")).count(
            "Cheers."
        )
        == 1
    )


def test_an_invalid_edit_is_refused_and_nothing_is_stored(session: Session) -> None:
    bad = SHIPPED.replace("I wish you every success.", "I wish {{ compnay }} success.")
    with pytest.raises(PromptError, match="variable 'compnay' is used but not declared"):
        save_version(session=session, name="decline_sales", body_yaml=bad)
    with pytest.raises(PromptError, match="name 'decline_sales' must be 'reply'"):
        save_version(session=session, name="reply", body_yaml=SHIPPED)
    assert session.exec(select(PromptVersion)).all() == []


def test_versions_diff_and_rollback(session: Session) -> None:
    save_version(session=session, name="decline_sales", body_yaml=edited("Good luck."), note="a")
    save_version(session=session, name="decline_sales", body_yaml=edited("Cheers."), note="b")
    session.commit()
    infos = list_versions(session=session, name="decline_sales")
    assert [(v.version, v.source, v.is_current) for v in infos] == [
        (1, "shipped", False),
        (2, "db", False),
        (3, "db", True),
    ]
    diff = diff_versions(session=session, name="decline_sales", old=2, new=3)
    assert "-      Good luck." in diff and "+      Cheers." in diff
    assert "--- decline_sales v2" in diff and "+++ decline_sales v3" in diff
    assert "-      I wish you every success." in diff_versions(
        session=session, name="decline_sales", old=1, new=2
    )
    assert diff_versions(session=session, name="decline_sales", old=3, new=3) == ""

    rollback(session=session, name="decline_sales", version=2)
    session.commit()
    tpl = load_library(session=session).get("decline_sales")
    assert tpl.version == 2 and "Good luck." in " ".join(tpl.offline_variants("en"))
    states = {
        v.version: (v.is_active, v.is_current)
        for v in list_versions(session=session, name="decline_sales")
    }
    assert states[3] == (False, False) and states[2] == (True, True)

    # A new edit after a rollback gets a fresh number; the rolled-back one stays in history.
    row = save_version(session=session, name="decline_sales", body_yaml=edited("Take care."))
    assert row.version == 4
    rollback(session=session, name="decline_sales", version=3)
    assert load_library(session=session).get("decline_sales").version == 3
    with pytest.raises(NotFoundError, match="no version 9"):
        rollback(session=session, name="decline_sales", version=9)


def test_reset_to_shipped_and_rollback_to_the_shipped_version(session: Session) -> None:
    save_version(session=session, name="decline_sales", body_yaml=edited("Good luck."))
    reset_to_shipped(session=session, name="decline_sales")
    lib = load_library(session=session)
    assert lib.sources["decline_sales"] == "shipped" and lib.get("decline_sales").version == 1
    save_version(session=session, name="decline_sales", body_yaml=edited("Cheers."))
    assert load_library(session=session).get("decline_sales").version == 3
    rollback(session=session, name="decline_sales", version=1)
    assert load_library(session=session).sources["decline_sales"] == "shipped"
    assert len(session.exec(select(PromptVersion)).all()) == 2  # history is kept


def test_export_writes_the_effective_yaml_which_loads_again(session: Session) -> None:
    assert export_yaml(session=session, name="decline_sales") == SHIPPED
    save_version(session=session, name="decline_sales", body_yaml=edited("Good luck."))
    text = export_yaml(session=session, name="decline_sales")
    assert "Good luck." in text and "version: 2" in text

    assert parse_template(text, file="exported", expected_name="decline_sales").version == 2


def test_an_invalid_stored_version_falls_back_to_the_shipped_file(session: Session) -> None:
    session.add(
        PromptVersion(name="decline_sales", version=5, body="name: decline_sales\nkind: [\n")
    )
    session.commit()
    lib = load_library(session=session)
    assert lib.sources["decline_sales"] == "shipped"
    assert lib.problems and "version 5" in lib.problems[0] and "shipped file" in lib.problems[0]


def test_a_template_created_in_the_app_cannot_be_reset(session: Session) -> None:
    body = SHIPPED.replace("name: decline_sales", "name: decline_short")
    row = save_version(session=session, name="decline_short", body_yaml=body)
    assert row.version == 1
    assert "decline_short" in load_library(session=session).names()
    with pytest.raises(PromptError, match="has no shipped file"):
        reset_to_shipped(session=session, name="decline_short")
    with pytest.raises(NotFoundError):
        list_versions(session=session, name="nothing_here")


@pytest.mark.postgres
def test_versions_on_postgresql(pg_url: str) -> None:
    from responder.store import db

    db.upgrade(pg_url)
    with Session(db.get_engine()) as s:
        save_version(session=s, name="decline_sales", body_yaml=edited("Good luck."), note="pg")
        save_version(session=s, name="decline_sales", body_yaml=edited("Cheers."))
        s.commit()
        rollback(session=s, name="decline_sales", version=2)
        s.commit()
    with Session(db.get_engine()) as s:
        lib = load_library(session=s)
        assert lib.get("decline_sales").version == 2 and "Good luck." in " ".join(
            lib.get("decline_sales").offline_variants("en")
        )
        assert [v.version for v in list_versions(session=s, name="decline_sales")] == [1, 2, 3]


def test_a_draft_version_is_used_by_nothing_until_activated(session: Session) -> None:
    row = save_version(
        session=session, name="decline_sales", body_yaml=edited("Good luck."), draft=True
    )
    session.commit()
    assert (row.version, row.is_active, row.is_draft) == (2, False, True)
    assert load_library(session=session).get("decline_sales").version == 1
    assert latest_draft(session=session, name="decline_sales").version == 2
    assert [
        (v.version, v.status) for v in list_versions(session=session, name="decline_sales")
    ] == [
        (1, "in use"),
        (2, "draft"),
    ]
    activate(session=session, name="decline_sales", version=2)
    session.commit()
    lib = load_library(session=session)
    assert (
        lib.get("decline_sales").version == 2
        and latest_draft(session=session, name="decline_sales") is None
    )
    statuses = [v.status for v in list_versions(session=session, name="decline_sales")]
    assert statuses == ["earlier", "in use"] and statuses.count("in use") == 1
    with pytest.raises(NotFoundError, match="no stored version 7"):
        activate(session=session, name="decline_sales", version=7)


def test_the_form_round_trips_and_adds_a_phrasing() -> None:
    form = form_of(SHIPPED)
    assert len(form.offline["en"]) == 3 and set(form.offline) == {"en", "de", "fr", "es"}
    boxed = (
        join_variants(form.offline["de"])
        + "\n---\n{{ greeting }}\n\nNein danke.\n\n{{ signature }}"
    )
    form.offline["de"] = split_variants(boxed)
    form.temperature = 0.7
    tpl = parse_template(apply_form(SHIPPED, form), file="form", expected_name="decline_sales")
    assert len(tpl.offline_variants("de")) == 3 and "Nein danke." in tpl.offline_variants("de")[2]
    assert tpl.model.temperature == 0.7
    assert tpl.offline_variants("en") == parse_template(SHIPPED, file="s").offline_variants("en")
