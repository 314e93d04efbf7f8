"""The demo workspace controls: load the demo inbox, or, once loaded, say so and remove it in one
click (with a confirmation that names what goes)."""

from __future__ import annotations

import streamlit as st

from responder.app.demo_data import demo_message_count, remove_demo
from responder.errors import ResponderError
from ui.components import show_error
from ui.jobs import load_demo
from ui.state import current_settings, flash, read_session, session_scope

CONFIRM_KEY = "demo_confirm_remove"


def demo_count() -> int:
    with read_session() as s:
        return demo_message_count(session=s)


def _remove() -> None:
    try:
        with session_scope() as s:
            removed = remove_demo(session=s)
    except ResponderError as exc:
        show_error(exc)
        return
    st.session_state.pop(CONFIRM_KEY, None)
    flash(
        f"Demo inbox removed: {removed.messages} messages, {removed.drafts} drafts and "
        f"{removed.senders} senders. Your own messages were not touched."
    )
    st.rerun()


def remove_controls(count: int, *, key: str) -> None:
    """'Remove demo inbox' with a confirmation step."""
    if not st.session_state.get(CONFIRM_KEY):
        if st.button("Remove demo inbox", key=f"{key}_remove", icon=":material/delete:"):
            st.session_state[CONFIRM_KEY] = True
            st.rerun()
        return
    st.warning(
        f"Remove the {count} demo messages with their drafts, follow-ups and made-up senders? "
        "Your own imported messages stay.",
        icon=":material/delete:",
    )
    c1, c2 = st.columns(2)
    if c1.button("Yes, remove the demo", key=f"{key}_remove_yes", type="primary"):
        _remove()
    if c2.button("Keep it", key=f"{key}_remove_no"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()


def demo_section(*, key: str) -> dict | None:
    """Load or remove the demo; returns the import summary when it was just loaded."""
    count = demo_count()
    if count:
        st.caption(
            f"The demo inbox is loaded: {count} made-up messages, marked as demo and kept apart "
            "from your own. Remove them in one click when you are done looking around."
        )
        remove_controls(count, key=key)
        return None
    st.caption(
        "About forty made-up messages covering all six labels, to look around safely. They are "
        "marked as demo and can be removed in one click."
    )
    if st.button("Load demo inbox", key=f"{key}_load", icon=":material/download:"):
        try:
            return load_demo(current_settings())
        except ResponderError as exc:
            show_error(exc)
    return None
