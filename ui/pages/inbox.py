"""Inbox: every inbound message, sorted and labelled; filters, search, and the message view."""

from __future__ import annotations

import streamlit as st

from responder.app import inbox
from responder.taxonomy import DISPLAY, LABELS
from ui import message_view, profile_panel
from ui.components import fmt_conf, fmt_dt, label_name, one_line, page_header
from ui.demo_box import demo_count, remove_controls
from ui.jobs import load_demo
from ui.state import current_settings, flash, read_session, show_flashes

STATUSES = ["open", "answered", "handled", "snoozed", "archived"]
OPEN_KEY = "inbox_open"


def _reset_page() -> None:
    st.session_state["inbox_page"] = 1


def _empty_state() -> None:
    st.info(
        "Your inbox is empty. Import your LinkedIn export (messages.csv or the .zip) or mail "
        "on the Import page, or load the demo inbox to look around first: it is marked as demo "
        "and removed in one click.",
        icon=":material/inbox:",
    )
    if st.button("Load demo inbox", key="inbox_demo", icon=":material/download:"):
        result = load_demo(current_settings())
        flash(f"Demo inbox loaded: {result.get('imported', 0)} messages imported and sorted.")
        st.rerun()


def _counts_row(counts: dict[str, int], review_count: int) -> None:
    cols = st.columns(len(LABELS) + 1)
    cols[0].metric("Needs review", review_count)
    for col, label in zip(cols[1:], LABELS, strict=True):
        col.metric(DISPLAY[label], counts.get(label, 0))


def _filters(counts: dict[str, int]) -> inbox.InboxFilter:
    options = list(LABELS) + ([inbox.UNLABELLED] if counts.get(inbox.UNLABELLED) else [])
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    labels = c1.multiselect(
        "Label",
        options,
        key="inbox_labels",
        format_func=lambda v: (
            f"{label_name(None if v == inbox.UNLABELLED else v)} ({counts.get(v, 0)})"
        ),
        on_change=_reset_page,
        placeholder="All labels",
    )
    statuses = c2.multiselect(
        "Status", STATUSES, key="inbox_status", on_change=_reset_page, placeholder="Any status"
    )
    sender = c3.text_input("Sender", key="inbox_sender", on_change=_reset_page)
    search = c4.text_input("Search subject and text", key="inbox_search", on_change=_reset_page)
    needs_review = st.toggle(
        "Only messages that need review", key="inbox_review", on_change=_reset_page
    )
    return inbox.InboxFilter(
        labels=labels, statuses=statuses, sender=sender, search=search, needs_review=needs_review
    )


def _table(page: inbox.InboxPage) -> int | None:
    """The page of rows as a table; returns the id of a row the user clicked, if any."""
    data = {
        "Label": [label_name(r.label) for r in page.rows],
        "Conf.": [fmt_conf(r.confidence) for r in page.rows],
        "Review": ["⚠" if r.needs_review else "" for r in page.rows],
        "From": [one_line(r.sender, limit=60) for r in page.rows],
        "Date": [fmt_dt(r.sent_at) for r in page.rows],
        "Status": [r.status for r in page.rows],
        "Draft": [r.draft_status or "" for r in page.rows],
        "Subject / text": [one_line(r.subject or r.snippet, limit=140) for r in page.rows],
    }
    event = st.dataframe(
        data,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="inbox_table",
    )
    selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if selected and selected[0] < len(page.rows):
        return page.rows[selected[0]].id
    return None


def _pager(page: inbox.InboxPage) -> None:
    c1, c2, c3 = st.columns([1, 4, 1])

    def go(delta: int) -> None:
        st.session_state["inbox_page"] = max(1, min(page.pages, page.page + delta))

    c1.button("Previous", on_click=go, args=(-1,), disabled=page.page <= 1, key="inbox_prev")
    c2.caption(f"Page {page.page} of {page.pages} · {page.total} message(s)")
    c3.button("Next", on_click=go, args=(1,), disabled=page.page >= page.pages, key="inbox_next")


def _open_selector(page: inbox.InboxPage, clicked: int | None) -> int | None:
    labels = {
        r.id: f"#{r.id} · {label_name(r.label)} · {one_line(r.sender, limit=40)} · "
        f"{one_line(r.subject or r.snippet, limit=70)}"
        for r in page.rows
    }
    if clicked is not None and clicked != st.session_state.get("_inbox_clicked"):
        st.session_state["_inbox_clicked"] = clicked
        st.session_state[OPEN_KEY] = clicked
    wanted = st.query_params.get("message")
    if wanted and wanted.isdigit() and OPEN_KEY not in st.session_state:
        st.session_state[OPEN_KEY] = int(wanted)
    options = list(labels)
    current = st.session_state.get(OPEN_KEY)
    if current is not None and current not in labels:
        options.insert(0, current)
    extra = {} if OPEN_KEY in st.session_state else {"index": None}
    return st.selectbox(
        "Open message",
        options,
        key=OPEN_KEY,
        **extra,
        format_func=lambda mid: labels.get(mid, f"#{mid}"),
        placeholder="Choose a message (or click a row)",
    )


def main() -> None:
    page_header("Inbox", "Every message, sorted and labelled. Open one to see why.")
    show_flashes()
    profile_panel.render()
    settings = current_settings()
    with read_session() as s:
        total = inbox.message_count(session=s)
        counts = inbox.label_counts(session=s)
        review_count = inbox.needs_review_count(session=s)
    if total == 0:
        _empty_state()
        return
    demo = demo_count()
    if demo:
        with st.expander(f"Demo inbox loaded ({demo} made-up messages)", icon=":material/science:"):
            st.caption("The demo messages are marked as demo; removing them leaves yours alone.")
            remove_controls(demo, key="inbox_demo")
    _counts_row(counts, review_count)
    flt = _filters(counts)
    with read_session() as s:
        page = inbox.list_messages(
            session=s,
            flt=flt,
            page=int(st.session_state.get("inbox_page", 1)),
            page_size=settings.ui.page_size,
        )
        if page.page > page.pages:  # the filters shrank the result
            st.session_state["inbox_page"] = page.pages
            page = inbox.list_messages(
                session=s, flt=flt, page=page.pages, page_size=settings.ui.page_size
            )
    if not page.rows:
        st.info("No message matches these filters.")
    clicked = _table(page)
    _pager(page)
    message_id = _open_selector(page, clicked)
    if message_id is not None:
        st.query_params["message"] = str(message_id)  # a reload or a shared link reopens it
        message_view.render(message_id=message_id, settings=settings)
    elif "message" in st.query_params:
        del st.query_params["message"]


main()
