"""Prompt editing in a real browser (after the main journey, on the demo inbox): Save as draft
keeps the version in use, Preview shows the draft version's text, Activate puts it in use at once
(banner, selector, history), and the pending drafts it makes stale can be regenerated."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from responder.store.models import Draft, PromptVersion
from tests.e2e.driver import E2EApp

MARKER = "P.S. Written by the activated draft version."


def _pending_declines(e2e: E2EApp) -> list[Draft]:
    with Session(e2e.engine) as s:
        return list(
            s.exec(
                select(Draft)
                .where(Draft.status == "pending", Draft.template_name == "decline_sales")
                .order_by(col(Draft.id))
            )
        )


def test_save_as_draft_preview_activate_and_regenerate(e2e: E2EApp) -> None:
    e2e.open()  # the app migrates its database on first use
    e2e.ensure_demo()
    e2e.open("prompts")
    editor = e2e.page.get_by_label(re.compile("^Template \\(YAML")).first
    editor.wait_for()
    original = editor.input_value()
    edited = original.replace(
        "\n      I wish you every success.\n",
        f"\n      I wish you every success.\n      {MARKER}\n",
    )
    assert edited != original
    editor.fill(edited)
    editor.press("Control+Enter")
    e2e.wait()
    e2e.expect_text("Valid. Not saved yet.")
    e2e.click("Save as draft")
    e2e.expect_text("saved but not live")
    with Session(e2e.engine) as s:
        row = s.exec(select(PromptVersion).where(PromptVersion.name == "decline_sales")).one()
        assert row.is_draft and not row.is_active
    e2e.shot("prompt-saved-as-draft")

    e2e.page.get_by_role("tab", name="Preview").click()
    e2e.wait()
    e2e.page.locator("[data-testid='stCode']", has_text=MARKER).first.wait_for(state="visible")
    e2e.shot("prompt-draft-preview")

    stale = [d for d in _pending_declines(e2e) if not d.edited]
    e2e.page.get_by_role("tab", name="Edit").click()
    e2e.wait()
    e2e.click(f"Activate v{row.version}")
    e2e.expect_text(f"In use: v{row.version} (edited in the app)")
    e2e.shot("prompt-activated")
    selector = e2e.page.locator("[data-testid='stSelectbox']").first.evaluate(
        "el => el.innerText + ' ' + Array.from(el.querySelectorAll('input'))"
        ".map(i => i.value).join(' ')"
    )
    assert f"v{row.version} (edited)" in selector, selector  # the selector says it at once
    with Session(e2e.engine) as s:
        assert s.get(PromptVersion, row.id).is_active
    e2e.page.get_by_role("tab", name="History").click()
    e2e.wait()
    e2e.assert_no_exception()
    e2e.shot("prompt-activated-history")

    if stale:  # the demo's pending declines were written with the previous version
        e2e.click(f"Regenerate {len(stale)} pending draft(s)")
        e2e.expect_text("Regenerated")
        fresh = _pending_declines(e2e)
        assert fresh and not {d.id for d in stale} & {d.id for d in fresh}
        # rewritten with the activated version (the next phrasing of each, so the marker,
        # added to the first English phrasing only, need not be in every one)
        assert all(d.template_version == row.version for d in fresh if not d.edited)
        e2e.shot("prompt-regenerated")
    e2e.assert_no_exception()
