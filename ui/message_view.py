"""The message view (Inbox): the text as inert plain text, why it got its label, its draft, its
thread, and the controls to relabel it and allow or block the sender."""

from __future__ import annotations

import logging

import streamlit as st

from responder.app import inbox, review_queue
from responder.app.linkedin_links import profile_link
from responder.errors import ResponderError
from responder.settings import Settings
from responder.taxonomy import DISPLAY, LABELS, REPORT_LABELS
from responder.triage import apply, review
from ui.components import (
    fmt_conf,
    fmt_dt,
    label_md,
    label_name,
    safe_text,
    show_code,
    show_error,
    show_json,
    show_text,
)
from ui.state import current_settings, drafter, flash, read_session, session_scope

log = logging.getLogger(__name__)
THREAD_BODY_CHARS = 3000


def _header(detail: inbox.MessageDetail) -> None:
    m = detail.message
    st.subheader(f"Message #{m.id}")
    c1, c2, c3, c4 = st.columns(4)
    c1.markdown(label_md(m.label))
    c2.metric("Confidence", fmt_conf(m.confidence))
    c3.metric("Status", m.status)
    c4.metric("Received", m.sent_at.strftime("%d %b %Y") if m.sent_at else "—")
    if m.needs_review and m.status == "open" and m.direction == "in":
        with read_session() as s:
            reasons = review_queue.reasons_for(session=s, message=m, settings=current_settings())
        for reason in reasons:
            st.warning(reason, icon=":material/help:")
        st.caption('Check the label on the Review page (queue "Check the label").')


def _sender(detail: inbox.MessageDetail) -> None:
    sender = detail.sender
    st.markdown("**From**")
    if sender is None:
        st.text("(unknown sender)")
        return
    show_text(sender.name or sender.email or sender.key)
    # A genuine contact's LinkedIn profile is a button; otherwise the URL stays defanged text.
    profile = profile_link(sender) if detail.message.label not in REPORT_LABELS else None
    extra = [v for v in (sender.headline, sender.email) if v]
    if sender.profile_url and profile is None:
        extra.append(sender.profile_url)
    for value in extra:
        show_text(value)
    if profile:
        st.link_button(
            "Open on LinkedIn",
            profile,
            icon=":material/open_in_new:",
            key=f"profile_link_{detail.message.id}",
            help="The sender's LinkedIn profile",
        )
    conversation = inbox.conversation_link(detail.conversation)
    if conversation:
        st.link_button(
            "Open the conversation on LinkedIn",
            conversation,
            icon=":material/forum:",
            key=f"conversation_link_{detail.message.id}",
        )
    st.caption(f"Sender status: {sender.status}")


def _body(detail: inbox.MessageDetail) -> None:
    m = detail.message
    if m.subject:
        st.markdown("**Subject**")
        show_text(m.subject)
    st.markdown("**Message** (plain text; links defanged and not clickable)")
    with st.container(border=True, height=360):
        show_text(m.body)


def _why(detail: inbox.MessageDetail) -> None:
    c = detail.classification
    st.markdown("**Why this label**")
    if c is None:
        st.text("Not classified yet: it is sorted on the next triage run.")
        return
    for reason in c.reasons or []:
        show_text(f"• {reason}")
    method = c.method + (f" ({c.model})" if c.model else "")
    st.caption(f"By {safe_text(method)} on {fmt_dt(c.created_at)}")
    if c.signals:
        with st.expander("Signals"):
            show_json(c.signals)
    if detail.corrections:
        last = detail.corrections[0]
        st.caption(
            f"You relabelled it from {label_name(last.old_label)} to {label_name(last.new_label)}."
        )


def _relabel(detail: inbox.MessageDetail, settings: Settings) -> None:
    m = detail.message
    current = LABELS.index(m.label) if m.label in LABELS else 0
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    new = c1.selectbox(
        "Correct label",
        LABELS,
        index=current,
        format_func=lambda v: DISPLAY[v],
        key=f"relabel_{m.id}",
    )
    if c2.button("Relabel", key=f"relabel_btn_{m.id}", disabled=new == m.label):
        try:
            with session_scope() as s:
                apply.relabel(
                    session=s,
                    message_id=m.id,  # type: ignore[arg-type]
                    new_label=new,
                    settings=settings,
                    drafter=drafter(settings),
                )
        except (ResponderError, ValueError) as exc:
            show_error(exc)
            return
        flash(f"Relabelled as {DISPLAY[new]}; the draft was redone for it.")
        st.rerun()


def _sender_controls(detail: inbox.MessageDetail) -> None:
    sender = detail.sender
    if sender is None or sender.id is None:
        return
    c1, c2, c3 = st.columns(3)
    choices = [("allowed", "Allow sender", c1), ("blocked", "Block sender", c2)]
    choices.append(("neutral", "Neither allow nor block", c3))
    for status, text, col in choices:
        if col.button(
            text, key=f"sender_{status}_{detail.message.id}", disabled=sender.status == status
        ):
            with session_scope() as s:
                review.set_sender_status(session=s, sender_id=sender.id, status=status)
            flash(f"Sender is now {status}.")
            st.rerun()


def _draft(detail: inbox.MessageDetail, settings: Settings) -> None:
    d = detail.draft
    st.markdown("**Draft**")
    if d is None:
        if detail.message.label in REPORT_LABELS:
            st.text("No reply is ever drafted for this label.")
            return
        st.text("No draft for this message.")
        if st.button("Draft a reply", key=f"draft_reply_{detail.message.id}"):
            try:
                with session_scope() as s:
                    apply.regenerate(
                        session=s,
                        message_id=detail.message.id,  # type: ignore[arg-type]
                        settings=settings,
                        drafter=drafter(settings),
                        kind="reply",
                    )
            except ResponderError as exc:
                show_error(exc)
                return
            flash("Reply drafted: it waits on the Review page.")
            st.rerun()
        return
    st.caption(f"{d.kind} · {d.status}" + (" · edited" if d.edited else ""))
    show_code(d.text)
    if d.status == "pending":
        st.caption("Approve, edit or reject it on the Review page.")


def _thread(detail: inbox.MessageDetail) -> None:
    conv = detail.conversation
    if conv is None or conv.id is None:
        return
    with read_session() as s:
        thread = inbox.conversation_thread(session=s, conversation_id=conv.id)
    if len(thread) <= 1:
        return
    with st.expander(f"Conversation ({len(thread)} messages)"):
        for message, sender in thread:
            who = "You" if message.direction == "out" else (sender.name if sender else "?")
            marker = "→" if message.direction == "out" else "←"
            st.text(f"{marker} {safe_text(who, limit=80)} · {fmt_dt(message.sent_at)}")
            show_text(message.body, limit=THREAD_BODY_CHARS)


def render(*, message_id: int, settings: Settings) -> None:
    try:
        with read_session() as s:
            detail = inbox.message_detail(session=s, message_id=message_id)
    except ResponderError as exc:
        show_error(exc)
        return
    st.divider()
    _header(detail)
    left, right = st.columns([3, 2])
    with left:
        _sender(detail)
        _body(detail)
        _thread(detail)
    with right:
        _why(detail)
        _relabel(detail, settings)
        _sender_controls(detail)
        _draft(detail, settings)
