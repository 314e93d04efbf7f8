"""Senders and campaigns: find a sender, see everything they sent, allow or block them; spot
campaigns (one template, many senders) and report or block them in one click.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from responder.app import senders
from responder.app.inbox import UNKNOWN_SENDER
from responder.errors import ResponderError
from ui.components import (
    fmt_conf,
    fmt_dt,
    label_name,
    md_escape,
    one_line,
    page_header,
    safe_text,
    show_error,
    show_text,
)
from ui.senders_campaigns import STATUS_ICON, campaigns_tab
from ui.state import (
    flash,
    read_session,
    session_scope,
    show_flashes,
)

OPEN_KEY = "senders_open"
STATUS_FILTERS = {
    "Everyone": None,
    "Allowed": "allowed",
    "Blocked": "blocked",
    "Neutral": "neutral",
}
PAGE_SIZE = 50


def _set_status(sender_id: int, status: str, name: str) -> None:
    try:
        with session_scope() as s:
            senders.set_status(session=s, sender_id=sender_id, status=status)
    except ResponderError as exc:
        show_error(exc)
        return
    word = {"allowed": "allowed", "blocked": "blocked", "neutral": "reset to neutral"}[status]
    flash(f"{md_escape(one_line(name, limit=60))} {word}.")  # names are untrusted: escaped
    st.rerun()


def _status_buttons(sender: dict[str, Any], key: str) -> None:
    c1, c2, c3 = st.columns(3)
    sid, name, status = (
        sender["id"],
        sender["name"] or sender.get("email") or UNKNOWN_SENDER,
        sender["status"],
    )
    if c1.button(
        "Allow", key=f"{key}_allow", disabled=status == "allowed", icon=":material/verified_user:"
    ):
        _set_status(sid, "allowed", name)
    if c2.button(
        "Block", key=f"{key}_block", disabled=status == "blocked", icon=":material/block:"
    ):
        _set_status(sid, "blocked", name)
    if c3.button("Neutral", key=f"{key}_neutral", disabled=status == "neutral"):
        _set_status(sid, "neutral", name)


# --- the list ---------------------------------------------------------------------------------------


def sender_list() -> None:
    c1, c2 = st.columns([3, 1])
    search = c1.text_input(
        "Search senders", key="senders_search", placeholder="Name, e-mail or profile URL"
    )
    which = c2.selectbox("Show", list(STATUS_FILTERS), key="senders_filter")
    page = st.session_state.get("senders_page", 0)
    with read_session() as s:
        rows, total = senders.list_senders(
            session=s,
            search=search,
            status=STATUS_FILTERS[which],
            limit=PAGE_SIZE,
            offset=page * PAGE_SIZE,
        )
    if not rows:
        st.info("No sender matches." if search or STATUS_FILTERS[which] else "Nobody wrote yet.")
        return
    frame = pd.DataFrame(
        {
            "Sender": [
                one_line(r.name or r.email or r.profile_url or UNKNOWN_SENDER, limit=60)
                for r in rows
            ],
            "Identity": [one_line(r.email or r.profile_url or "", limit=80) for r in rows],
            "Messages": [r.messages for r in rows],
            "Status": [STATUS_ICON.get(r.status, r.status) for r in rows],
            "Last seen": [fmt_dt(r.last_seen) for r in rows],
        }
    )
    event = st.dataframe(
        frame, hide_index=True, on_select="rerun", selection_mode="single-row", key="senders_table"
    )
    picked = event.selection.rows if event is not None else []
    if picked:
        st.session_state[OPEN_KEY] = rows[picked[0]].id
    pages = max(1, -(-total // PAGE_SIZE))
    st.caption(f"{total:,} senders · page {page + 1} of {pages}. Select a row to open a sender.")
    p1, p2, _ = st.columns([1, 1, 4])
    if p1.button("Previous", disabled=page == 0, key="senders_prev"):
        st.session_state["senders_page"] = page - 1
        st.rerun()
    if p2.button("Next", disabled=page + 1 >= pages, key="senders_next"):
        st.session_state["senders_page"] = page + 1
        st.rerun()
    options = {
        r.id: one_line(r.name or r.email or r.profile_url or UNKNOWN_SENDER, limit=60) for r in rows
    }
    current = st.session_state.get(OPEN_KEY)
    if current is not None and current not in options:
        options[current] = f"Sender {current}"
    extra: dict[str, Any] = {} if OPEN_KEY in st.session_state else {"index": None}
    st.selectbox(
        "Open sender",
        list(options),
        format_func=lambda i: options[i],
        key=OPEN_KEY,
        placeholder="Choose a sender",
        **extra,
    )


def add_form() -> None:
    with (
        st.expander("Add to the allow or block list by e-mail or profile URL"),
        st.form("senders_add", clear_on_submit=True),
    ):
        identity = st.text_input("E-mail address or LinkedIn profile URL", key="senders_add_id")
        status = st.radio(
            "List",
            ["blocked", "allowed"],
            horizontal=True,
            format_func=lambda v: "Block list" if v == "blocked" else "Allow list",
        )
        if st.form_submit_button("Add"):
            try:
                with session_scope() as s:
                    senders.add_to_list(session=s, identity=identity, status=status)
            except (ValueError, ResponderError) as exc:
                show_error(exc)
                return
            flash(
                f"{md_escape(safe_text(identity.strip()))} is on the {status.replace('ed', '')} list."
            )
            st.rerun()


# --- one sender -------------------------------------------------------------------------------------


def sender_page(sender_id: int) -> None:
    try:
        with read_session() as s:
            prof = senders.sender_profile(session=s, sender_id=sender_id)
    except ResponderError as exc:
        show_error(exc)
        return
    snd = prof.sender
    st.subheader("Sender")
    show_text(snd["name"] or snd.get("email") or UNKNOWN_SENDER)
    st.text(safe_text(" · ".join(x for x in (snd.get("email"), snd.get("profile_url")) if x)))
    if snd.get("headline"):
        show_text(snd["headline"], limit=300)
    st.text(
        f"Status: {snd['status']}  ·  first seen {fmt_dt(snd.get('first_seen'))}  ·  "
        f"last seen {fmt_dt(snd.get('last_seen'))}"
    )
    _status_buttons(snd, f"sender_{sender_id}")
    if prof.label_counts:
        st.text(
            "Labels: "
            + ", ".join(
                f"{label_name(k)} {v}"
                for k, v in sorted(prof.label_counts.items(), key=lambda kv: -kv[1])
            )
        )
    for ev in prof.events:
        if ev["kind"] == "block_suggested" and snd["status"] != "blocked":
            st.warning(
                "This sender keeps writing after being declined: consider blocking them.",
                icon=":material/block:",
            )
            break
    tabs = st.tabs(
        [
            f"Messages ({len(prof.messages)})",
            f"Drafts ({len(prof.drafts)})",
            f"Follow-ups ({len(prof.followups)})",
        ]
    )
    with tabs[0]:
        _messages(prof.messages, sender_id)
    with tabs[1]:
        _drafts(prof.drafts)
    with tabs[2]:
        _followups(prof.followups)


def _messages(messages: list[dict[str, Any]], sender_id: int) -> None:
    if not messages:
        st.caption("No messages.")
        return
    frame = pd.DataFrame(
        {
            "Sent": [fmt_dt(m["sent_at"]) for m in messages],
            "Label": [
                label_name(m["label"]) if m["direction"] == "in" else "(you)" for m in messages
            ],
            "Confidence": [fmt_conf(m["confidence"]) for m in messages],
            "Status": [m["status"] for m in messages],
            "Subject / start": [one_line(m["subject"] or m["body"], limit=90) for m in messages],
        }
    )
    st.dataframe(frame, hide_index=True)
    ids = [m["id"] for m in messages]
    chosen = st.selectbox(
        "Read a message",
        ids,
        index=None,
        key=f"sender_msg_{sender_id}",
        format_func=lambda i: (
            f"#{i} "
            + one_line(next(m["subject"] or m["body"] for m in messages if m["id"] == i), limit=60)
        ),
    )
    if chosen is not None:
        message = next(m for m in messages if m["id"] == chosen)
        show_text(message["body"], limit=5000)


def _drafts(drafts: list[dict[str, Any]]) -> None:
    if not drafts:
        st.caption("No drafts.")
        return
    frame = pd.DataFrame(
        {
            "Message": [f"#{d['message_id']}" for d in drafts],
            "Kind": [d["kind"] for d in drafts],
            "Status": [d["status"] + (" (auto)" if d["auto_approved"] else "") for d in drafts],
            "Created": [fmt_dt(d["created_at"]) for d in drafts],
            "Sent": [fmt_dt(d["sent_at"]) for d in drafts],
            "Text": [one_line(d["text"], limit=90) for d in drafts],
        }
    )
    st.dataframe(frame, hide_index=True)


def _followups(followups: list[dict[str, Any]]) -> None:
    if not followups:
        st.caption("No follow-ups.")
        return
    frame = pd.DataFrame(
        {
            "Message": [f"#{f['message_id']}" if f["message_id"] else "" for f in followups],
            "Kind": [f["kind"] for f in followups],
            "Due": [fmt_dt(f["due_at"]) for f in followups],
            "Status": [f["status"] for f in followups],
            "Note": [one_line(f["note"], limit=90) for f in followups],
        }
    )
    st.dataframe(frame, hide_index=True)


def main() -> None:
    page_header("Senders", "Everyone who wrote to you, your allow and block lists, and campaigns.")
    show_flashes()
    people, camps = st.tabs(["Senders", "Campaigns"])
    with people:
        add_form()
        sender_list()
        current = st.session_state.get(OPEN_KEY)
        if current is not None:
            st.divider()
            sender_page(int(current))
    with camps:
        campaigns_tab()


main()
