"""The Review page's "Check the label" queue: one message at a time with the reason it waits, one
key keeps the suggested label (K) or picks another (1-6)."""

from __future__ import annotations

import logging

import streamlit as st

from responder.app import inbox
from responder.app.review_queue import LabelCheck, label_check_queue
from responder.errors import ResponderError
from responder.triage.labels import decide_label
from ui.components import fmt_conf, fmt_dt, label_md, label_name, show_error, show_text
from ui.state import current_settings, drafter, flash, read_session, session_scope

log = logging.getLogger(__name__)
SKIPPED_KEY = "label_check_skipped"


def _decide(check: LabelCheck, label: str) -> None:
    settings = current_settings()
    try:
        with session_scope() as s:
            decide_label(
                session=s,
                message_id=check.message.id,  # type: ignore[arg-type]
                label=label,
                settings=settings,
                drafter=drafter(settings),
            )
    except (ResponderError, ValueError) as exc:
        show_error(exc)
        return
    kept = label == check.suggested
    flash(f"Label {'kept' if kept else 'set'}: {label_name(label)}.")
    st.rerun()


def _card(check: LabelCheck, remaining: int) -> None:
    m = check.message
    with st.container(border=True):
        c1, c2, c3 = st.columns([2, 3, 2])
        c1.markdown(label_md(m.label))
        with c2:
            show_text(inbox.sender_display(check.sender), limit=120)
        c3.caption(f"{fmt_dt(m.sent_at)} · confidence {fmt_conf(m.confidence)}")
        for reason in check.reasons:
            st.warning(reason, icon=":material/help:")
        if m.subject:
            show_text(m.subject, limit=200)
        with st.container(border=False, height=160):
            show_text(m.body)
        suggested = check.suggested
        if suggested is not None and st.button(
            f"Keep {label_name(suggested)}",
            key=f"label_keep_{m.id}",
            type="primary",
            shortcut="K",
            icon=":material/check:",
        ):
            _decide(check, suggested)
        st.caption("Or pick the right label (keys 1-6):")
        cols = st.columns(len(check.alternatives) or 1)
        for i, (col, label) in enumerate(zip(cols, check.alternatives, strict=False)):
            if col.button(label_name(label), key=f"label_pick_{m.id}_{label}", shortcut=str(i + 1)):
                _decide(check, label)
        if remaining > 1 and st.button("Later", key=f"label_skip_{m.id}", shortcut="L"):
            st.session_state.setdefault(SKIPPED_KEY, []).append(m.id)
            st.rerun()


def label_check_section(*, expanded: bool) -> int:
    """The queue, folded while drafts wait; returns how many messages it holds."""
    with read_session() as s:
        queue = label_check_queue(session=s, settings=current_settings())
    if not queue:
        return 0
    skipped = set(st.session_state.get(SKIPPED_KEY, []))
    remaining = [c for c in queue if c.message.id not in skipped]
    if not remaining:
        st.session_state[SKIPPED_KEY] = []
        remaining = queue
    with st.expander(
        f"Check the label: {len(queue)} message(s) need review",
        expanded=expanded,
        icon=":material/help:",
    ):
        st.caption(
            "Responder was not sure about these, or held back an automatic answer. "
            "K keeps the suggested label; 1-6 pick another (the draft follows the label)."
        )
        _card(remaining[0], len(remaining))
    return len(queue)
