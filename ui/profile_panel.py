"""First run: a panel at the top of the working pages (Inbox, Review, Import, Settings, Prompts)
until the profile has a name, and the "regenerate N pending drafts" offer after a profile or
template change. The logic is in `responder.app.profile_setup`; this module only renders it.

Pages call `render()` themselves (not ui/app.py): Streamlit's AppTest reruns only the page script
of an `st.navigation` app, so a panel drawn by app.py could not be tested past its first run."""

from __future__ import annotations

import streamlit as st

from responder.app.profile_setup import (
    confirm_profile,
    pending_to_regenerate,
    profile_setup,
    regenerate_pending,
)
from responder.errors import ConfigError
from ui.components import show_error
from ui.state import (
    base_settings,
    current_settings,
    drafter,
    flash,
    read_session,
    session_scope,
)

LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "pl"]
#: Session-state key of the pending regenerate offer: None (profile) or a template name.
OFFER_KEY = "_regenerate_offer"
LATER_KEY = "_first_run_later"


def first_run_panel() -> None:
    """Ask once who the user is (name suggested from the LinkedIn export)."""
    if st.session_state.get(LATER_KEY):
        return
    settings = current_settings()
    with read_session() as s:
        setup = profile_setup(session=s, settings=settings)
    if not setup.needed:
        return
    with st.container(border=True, key="first_run"):
        st.subheader("Welcome: who are you?")
        st.caption(
            "Drafts are signed with your name. Until you confirm it here, drafts carry no "
            "signature and wait for you in Review (bulk approve skips them)."
            + (
                " The name below is the owner of your LinkedIn export."
                if setup.name_source == "LinkedIn export"
                else ""
            )  # fmt: skip
        )
        with st.form("first_run_form"):
            name = st.text_input("Your name", setup.name, key="first_run_name")
            signature = st.text_area(
                "Signature", setup.signature, height=80, key="first_run_signature"
            )
            langs = LANGUAGES if setup.language in LANGUAGES else [setup.language, *LANGUAGES]
            language = st.selectbox(
                "Your language", langs, index=langs.index(setup.language), key="first_run_lang"
            )
            never_buy = st.text_area(
                "What you never buy (one per line; named in firm declines)",
                "\n".join(setup.never_buy),
                key="first_run_never_buy",
            )
            confirm = st.form_submit_button("Confirm profile", type="primary")
        if st.button("Later", key="first_run_later"):
            st.session_state[LATER_KEY] = True
            st.rerun()
    if confirm:
        try:
            with session_scope() as s:
                confirm_profile(
                    session=s,
                    base=base_settings(),
                    name=name,
                    signature=signature,
                    language=language,
                    never_buy=never_buy.splitlines(),
                )
        except ConfigError as exc:
            show_error(exc)
            return
        flash("Profile confirmed: drafts are now signed with your name.")
        offer_regenerate(None)
        st.rerun()


def offer_regenerate(template_name: str | None) -> None:
    """Show the regenerate offer after the next rerun (None: after a profile change)."""
    st.session_state[OFFER_KEY] = {"template": template_name}


def regenerate_offer() -> None:
    """'Regenerate N pending drafts' (edited drafts are kept) when a change made them stale."""
    offer = st.session_state.get(OFFER_KEY)
    if offer is None:
        return
    template = offer.get("template")
    with read_session() as s:
        ids, kept = pending_to_regenerate(session=s, template_name=template)
    if not ids:
        st.session_state.pop(OFFER_KEY, None)
        if kept:
            st.info(f"{kept} pending draft(s) you edited keep your text.")
        return
    what = f"the '{template}' template" if template else "your profile"
    with st.container(border=True, key="regenerate_offer"):
        st.write(
            f"{len(ids)} pending draft(s) were written before you changed {what}."
            + (f" {kept} draft(s) you edited are kept as they are." if kept else "")
        )
        c1, c2 = st.columns([2, 1])
        if c1.button(
            f"Regenerate {len(ids)} pending draft(s)", key="regenerate_pending", type="primary"
        ):
            settings = current_settings()
            with session_scope() as s:
                done, kept = regenerate_pending(
                    session=s, drafter=drafter(settings), template_name=template
                )
            st.session_state.pop(OFFER_KEY, None)
            flash(
                f"Regenerated {done} pending draft(s)"
                + (f"; kept {kept} you edited." if kept else ".")
            )
            st.rerun()
        if c2.button("Keep them", key="regenerate_dismiss"):
            st.session_state.pop(OFFER_KEY, None)
            st.rerun()


def render() -> None:
    """The first-run panel and the regenerate offer, for the top of a page."""
    first_run_panel()
    regenerate_offer()
