"""The cards of the Review page: a report note, the draft in focus, the waiting list, a reply that
is ready to send. Message text and drafts are shown as plain text only."""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from responder.app import inbox
from responder.app.draft_stream import regenerate_streaming
from responder.errors import ResponderError
from responder.triage import review
from ui.components import (
    fmt_conf,
    fmt_dt,
    label_md,
    one_line,
    safe_text,
    show_code,
    show_error,
    show_text,
)
from ui.state import current_settings, drafter, flash, read_session, session_scope

log = logging.getLogger(__name__)

REJECT_REASONS = [
    "Wrong label",
    "Not worth a reply",
    "Tone is off",
    "Wrong facts or language",
    "I will answer myself",
]
REPORT_HOWTO = """
1. Open the conversation on LinkedIn (or the sender's profile).
2. Click **More** (…) → **Report** and choose the reason named in the note.
3. Paste the evidence from the note if LinkedIn asks for details.
4. Come back and click **Mark reported & block**.

Never click links in the message; they are shown defanged here on purpose.
"""


def _who(item: inbox.ReviewItem) -> str:
    if item.sender is None:
        return "(unknown sender)"
    return inbox.sender_display(item.sender)


def _meta(item: inbox.ReviewItem) -> None:
    m = item.message
    c1, c2, c3 = st.columns([2, 3, 2])
    c1.markdown(label_md(m.label))
    with c2:
        show_text(_who(item), limit=120)
    c3.caption(f"{fmt_dt(m.sent_at)} · confidence {fmt_conf(m.confidence)}")
    if m.subject:
        show_text(m.subject, limit=200)


def _act(fn: Any, done: str, **kwargs: Any) -> None:
    """Run one review action in its own transaction, then rerun with a message."""
    try:
        with session_scope() as s:
            fn(session=s, **kwargs)
    except ResponderError as exc:
        show_error(exc)
        return
    flash(done)
    st.rerun()


def report_card(item: inbox.ReviewItem) -> None:
    d = item.draft
    with st.container(border=True):
        _meta(item)
        with st.expander("The message (plain text, links defanged)"):
            show_text(item.message.body)
        st.markdown("**Report note** (copy button at the top right)")
        show_code(d.text)
        url = inbox.conversation_link(item.conversation)
        if url:  # step 1 of the note: built from the export's thread id, never the message text
            st.link_button(
                "Open the conversation on LinkedIn",
                url,
                icon=":material/open_in_new:",
                key=f"report_conversation_{d.id}",
            )
        with st.expander("How to report on LinkedIn"):
            st.markdown(REPORT_HOWTO)
        c1, c2, c3 = st.columns(3)
        if c1.button("Mark reported & block", key=f"reported_{d.id}", type="primary"):
            _act(
                review.mark_reported, "Marked reported; sender blocked.", draft_id=d.id, block=True
            )
        if c2.button("Reported, don't block", key=f"reported_keep_{d.id}"):
            _act(review.mark_reported, "Marked reported.", draft_id=d.id, block=False)
        if c3.button("Dismiss note", key=f"dismiss_{d.id}"):
            _act(review.reject_draft, "Note dismissed.", draft_id=d.id, reason="dismissed")


def _text_key(draft_id: int | None) -> str:
    return f"draft_text_{draft_id}"


def _lint_box(item: inbox.ReviewItem, edited: bool) -> None:
    d = item.draft
    if d.lint_ok:
        return
    st.warning(
        "The draft check found problems"
        + (" (approving is possible once you edit it)." if not edited else "."),
        icon=":material/rule:",
    )
    for problem in d.lint_problems or []:
        show_text(f"• {problem}")


def focus_card(item: inbox.ReviewItem, *, skipped_key: str) -> None:
    """The draft in focus: one click (or A) approves it and brings up the next."""
    d = item.draft
    with st.container(border=True):
        _meta(item)
        with st.container(border=False, height=180):
            show_text(item.message.body)
        key = _text_key(d.id)
        text = st.text_area("Draft (edit inline)", value=d.text, key=key, height=220)
        edited = text != d.text
        _lint_box(item, edited)
        blocked = not d.lint_ok and not edited
        c1, c2, c3, c4, c5 = st.columns([2, 1, 2, 1, 1.4], vertical_alignment="bottom")
        if c1.button(
            "Save & approve" if edited else "Approve & next",
            key=f"approve_{d.id}",
            type="primary",
            disabled=blocked,
            shortcut="A",
            help="Edit the draft first: its check failed." if blocked else None,
        ):
            _act(
                review.approve_draft,
                "Approved." + (" It is in 'Ready to send' below." if _manual(item) else ""),
                draft_id=d.id,
                text=text if edited else None,
                settings=current_settings(),
            )
        if c2.button("Skip", key=f"skip_{d.id}", shortcut="J"):
            st.session_state.setdefault(skipped_key, []).append(d.id)
            st.rerun()
        reason = c3.selectbox("Reason", REJECT_REASONS, key=f"reason_{d.id}")
        if c4.button("Reject", key=f"reject_{d.id}", shortcut="X"):
            _act(review.reject_draft, "Rejected.", draft_id=d.id, reason=reason)
        if c5.button("Regenerate", key=f"regen_{d.id}", shortcut="G"):
            regenerate(item)


def _manual(item: inbox.ReviewItem) -> bool:
    with read_session() as s:
        return review.channel_for(session=s, message=item.message) == "linkedin"


def regenerate(item: inbox.ReviewItem) -> None:
    """A fresh draft for the message; the model's text streams into a plain-text box."""

    settings = current_settings()
    box = st.empty()
    shown = ""

    def on_chunk(chunk: str) -> None:
        nonlocal shown
        shown += chunk
        box.code(safe_text(shown) or " ", language=None, wrap_lines=True)

    try:
        with session_scope() as s:
            new = regenerate_streaming(
                session=s,
                message_id=item.message.id,  # type: ignore[arg-type]
                settings=settings,
                drafter=drafter(settings),
                kind=item.draft.kind,
                on_chunk=on_chunk,
            )
            same = new is not None and new.text.strip() == item.draft.text.strip()
    except ResponderError as exc:
        show_error(exc)
        return
    if same:
        flash(
            "No other phrasing: the template has only this text for this language. Edit the "
            "draft, or add a phrasing on the Prompts page.",
            "info",
        )
    else:
        flash("New draft written.")
    st.rerun()


def others_table(items: list[inbox.ReviewItem]) -> None:
    with st.expander(f"Also waiting here ({len(items)})"):
        st.dataframe(
            {
                "From": [one_line(_who(i), limit=60) for i in items],
                "Date": [fmt_dt(i.message.sent_at) for i in items],
                "Subject / text": [
                    one_line(i.message.subject or i.message.body, limit=120) for i in items
                ],
                "Check": ["ok" if i.draft.lint_ok else "problems" for i in items],
            },
            hide_index=True,
            width="stretch",
        )


def ready_card(item: inbox.ReviewItem) -> None:
    d = item.draft
    with st.container(border=True):
        c1, c2 = st.columns([3, 2])
        with c1:
            show_text(_who(item), limit=120)
        c2.caption(f"approved {fmt_dt(d.approved_at)}")
        # Exactly the approved text (what gets pasted); a code box is inert and has a copy button.
        st.code(d.text, language=None, wrap_lines=True)
        url = inbox.conversation_link(item.conversation)
        b1, b2 = st.columns(2)
        if url:
            b1.link_button("Open conversation on LinkedIn", url, icon=":material/open_in_new:")
        else:
            b1.caption("No LinkedIn conversation id: find the thread by the sender's name.")
        if b2.button("Mark sent", key=f"sent_{d.id}", type="primary"):
            _act(review.mark_sent, "Marked sent.", draft_id=d.id)
