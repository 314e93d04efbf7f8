"""The Campaigns tab of the Senders page: one template sent by many senders, with "report all"
and "block all senders"."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from responder.app import campaigns
from responder.app.dashboard import data_version
from responder.errors import ResponderError
from ui.components import fmt_dt, label_name, one_line, show_error, show_text
from ui.state import current_settings, flash, read_session, session_scope

STATUS_ICON = {"allowed": "✓ allowed", "blocked": "⛔ blocked", "neutral": ""}


@st.cache_data(ttl=60, show_spinner="Looking for campaigns…", max_entries=8)
def load_campaigns(url: str, version: tuple[Any, ...]) -> list[campaigns.Campaign]:
    """All-time campaigns (a GROUP BY over every inbound message), cached per data version."""
    del url, version
    with read_session() as s:
        return campaigns.list_campaigns(session=s, limit=50)


def campaigns_tab() -> None:
    st.caption(
        "A campaign is the same message template sent by several different senders: "
        "a strong sign of fake or rented profiles."
    )
    with read_session() as s:
        version = data_version(session=s)
    camps = load_campaigns(current_settings().database_url, version)
    if not camps:
        st.info("No campaigns found: no template was sent by more than one sender.")
        return
    frame = pd.DataFrame(
        {
            "Example subject": [one_line(c.example_subject, limit=60) for c in camps],
            "Senders": [c.senders for c in camps],
            "Messages": [c.messages for c in camps],
            "Mostly": [label_name(c.top_label) for c in camps],
            "Blocked": [c.blocked_senders for c in camps],
            "Last seen": [fmt_dt(c.last_seen) for c in camps],
        }
    )
    st.dataframe(frame, hide_index=True)
    names = {
        c.template_hash: f"{one_line(c.example_subject, limit=50) or '(no subject)'} — "
        f"{c.senders} senders"
        for c in camps
    }
    chosen = st.selectbox(
        "Open campaign",
        list(names),
        format_func=lambda h: names[h],
        index=None,
        key="campaign_open",
        placeholder="Choose a campaign",
    )
    if chosen:
        campaign_detail(chosen)


def campaign_detail(template_hash: str) -> None:
    with read_session() as s:
        rows = campaigns.campaign_messages(session=s, template_hash=template_hash)
    frame = pd.DataFrame(
        {
            "Sender": [one_line(r["sender_name"], limit=50) for r in rows],
            "Status": [STATUS_ICON.get(r["sender_status"], r["sender_status"]) for r in rows],
            "Sent": [fmt_dt(r["sent_at"]) for r in rows],
            "Label": [label_name(r["label"]) for r in rows],
            "Start": [one_line(r["subject"] or r["body"], limit=80) for r in rows],
        }
    )
    st.dataframe(frame, hide_index=True)
    if rows:
        st.text("The message, as the first sender wrote it:")
        show_text(rows[-1]["body"], limit=3000)
    c1, c2 = st.columns(2)
    if c1.button(
        "Report all",
        key="campaign_report",
        type="primary",
        icon=":material/report:",
        help="A report note for every message of the campaign (nothing is sent).",
    ):
        _campaign_action("report", template_hash)
    if c2.button(
        "Block all senders",
        key="campaign_block",
        icon=":material/block:",
        help="Senders on your allow list are left alone.",
    ):
        _campaign_action("block", template_hash)


def _campaign_action(action: str, template_hash: str) -> None:
    try:
        with session_scope() as s:
            if action == "report":
                r = campaigns.report_campaign(
                    session=s, template_hash=template_hash, settings=current_settings()
                )
            else:
                r = campaigns.block_campaign(session=s, template_hash=template_hash)
    except ResponderError as exc:
        show_error(exc)
        return
    if action == "report":
        msg = f"{r.notes_created} report notes written (Review page)"
        if r.already_noted:
            msg += f", {r.already_noted} already had one"
        if r.marked_for_report:
            msg += f", {r.marked_for_report} marked for you to report"
    else:
        msg = f"{r.blocked} senders blocked"
        if r.already_blocked:
            msg += f", {r.already_blocked} already blocked"
        if r.skipped_allowed:
            msg += f", {r.skipped_allowed} on your allow list left alone"
    flash(msg + ".")
    st.rerun()
