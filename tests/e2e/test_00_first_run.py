"""First run in a real browser (runs before the main journey, on the empty app): the profile has
no name, so the app asks once who the user is; after Confirm it never asks again and drafts are
signed with that name."""

from __future__ import annotations

from sqlmodel import Session

from responder.store.preferences import load_preferences
from tests.e2e.driver import E2EApp

NAME = "Jordan Rivera"


def test_00_first_run_asks_for_the_profile_once(e2e: E2EApp) -> None:
    e2e.open()
    e2e.expect_text("Welcome: who are you?")
    e2e.expect_text("Until you confirm it here, drafts carry no signature")
    e2e.assert_no_exception()
    e2e.shot("first-run-profile")
    e2e.page.get_by_label("Your name", exact=True).first.fill(NAME)
    e2e.page.get_by_label("Signature", exact=True).first.fill("Best regards,\nJordan")
    e2e.click("Confirm profile")
    e2e.expect_text("Profile confirmed")
    with Session(e2e.engine) as s:
        prefs = load_preferences(session=s)
    assert prefs["profile.name"] == NAME and prefs["profile.signature"] == "Best regards,\nJordan"
    assert e2e.page.get_by_text("Welcome: who are you?").count() == 0
    e2e.open("review")  # another page: not asked again
    assert e2e.page.get_by_text("Welcome: who are you?").count() == 0
    e2e.assert_no_exception()
    e2e.shot("first-run-confirmed")
