"""Follow-ups: reminders that are due, snoozed messages, escalations, the outbox, and whether
the worker that acts on all of them is alive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from responder.app.followup_board import followup_board
from responder.app.inbox import sender_display
from responder.channels.outbox import RETRYABLE_STATES, outbox_items, retry_delivery
from responder.errors import ResponderError
from responder.followups.business_hours import SNOOZE_CHOICES, snooze_until
from responder.followups.rules import snooze, unsnooze, user_tz
from responder.settings import Settings
from responder.worker.scheduler import worker_status
from ui.components import fmt_dt, label_name, one_line, page_header, show_error
from ui.state import (
    current_settings,
    flash,
    read_session,
    session_scope,
    show_flashes,
)


def _ago(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "never"
    seconds = int((now - value).total_seconds())
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 5400:
        return f"{seconds // 60} min ago"
    if seconds < 172800:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


# --- worker ------------------------------------------------------------------------------------------


def worker_section(settings: Settings) -> None:
    now = datetime.now(UTC)
    with read_session() as s:
        status = worker_status(session=s, now=now, settings=settings)
    c1, c2 = st.columns(2)
    c1.metric("Worker", "running" if status["alive"] else "not running")
    c2.metric("Last heartbeat", _ago(status["last_seen"], now))
    if not status["alive"]:
        st.warning(
            "The worker is not running: reminders, sending and the IMAP poll wait until it "
            "is. `make run` starts it with the app; on its own: `responder worker`.",
            icon=":material/warning:",
        )
    if status["jobs"]:
        frame = pd.DataFrame(
            {
                "Job": [j["job_id"] for j in status["jobs"]],
                "Last run": [fmt_dt(j["last_started_at"]) for j in status["jobs"]],
                "Ago": [_ago(j["last_started_at"], now) for j in status["jobs"]],
                "Result": [j["last_status"] or "" for j in status["jobs"]],
                "Runs": [j["runs"] for j in status["jobs"]],
                "Last error": [one_line(j["last_error"], limit=120) for j in status["jobs"]],
            }
        )
        st.dataframe(frame, hide_index=True)
    else:
        st.caption("No job has run yet.")


# --- reminders and snooze ----------------------------------------------------------------------------


def _rows_frame(rows: list[dict[str, Any]], when: str, when_key: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Message": [f"#{r['message_id']}" for r in rows],
            "From": [one_line(r["sender"], limit=50) for r in rows],
            "Subject / start": [one_line(r["subject"], limit=80) for r in rows],
            "Label": [label_name(r["label"]) for r in rows],
            "Arrived": [fmt_dt(r["sent_at"]) for r in rows],
            when: [fmt_dt(r[when_key]) for r in rows],
        }
    )


def _snooze_control(rows: list[dict[str, Any]], settings: Settings) -> None:
    options = {
        r["message_id"]: f"#{r['message_id']} {one_line(r['sender'], limit=40)}: "
        f"{one_line(r['subject'], limit=50)}"
        for r in rows
    }
    if not options:
        return
    c1, c2, c3 = st.columns([3, 2, 2])
    mid = c1.selectbox(
        "Snooze a message",
        list(options),
        format_func=lambda i: options[i],
        index=None,
        key="fu_snooze_msg",
        placeholder="Choose a message",
    )
    choice = c2.selectbox("Until", list(SNOOZE_CHOICES), key="fu_snooze_choice")
    picked = None
    if choice == "Pick a date":
        picked = c3.date_input(
            "Date", datetime.now(UTC).date() + timedelta(days=1), key="fu_snooze_date"
        )
    if st.button("Snooze", key="fu_snooze", disabled=mid is None, icon=":material/snooze:"):
        now = datetime.now(UTC)
        try:
            until = snooze_until(choice, settings, now, picked)
            with session_scope() as s:
                snooze(session=s, message_id=mid, until=until, now=now)
        except (ResponderError, ValueError) as exc:
            show_error(exc)
            return
        local = until.astimezone(user_tz(settings))
        flash(f"Message #{mid} snoozed until {local:%a %d %b %H:%M}.")
        st.rerun()


def reminders_section(board: Any, settings: Settings) -> None:
    st.subheader(f"Due reminders ({len(board.due)})")
    if board.due:
        st.caption("Genuine messages still without your reply.")
        st.dataframe(_rows_frame(board.due, "Due", "due_at"), hide_index=True)
    else:
        st.caption("Nothing is waiting for a reply.")
    st.caption(
        f"Reminders come {settings.policy.reminder_days} days after a genuine message that "
        f"you have not answered. Messages older than {board.horizon_days} days get no reminder "
        "(so an imported archive does not flood you)."
    )
    if board.too_old:
        st.info(
            f"{board.too_old} genuine message(s) older than {board.horizon_days} days are still "
            "open without a reminder: find them in the Inbox (label Genuine, newest first).",
            icon=":material/history:",
        )
    if board.upcoming:
        with st.expander(f"Upcoming reminders ({len(board.upcoming)})"):
            st.dataframe(_rows_frame(board.upcoming, "Due", "due_at"), hide_index=True)
    _snooze_control([*board.due, *board.upcoming], settings)


def snoozed_section(board: Any) -> None:
    st.subheader(f"Snoozed ({len(board.snoozed)})")
    if not board.snoozed:
        st.caption("No snoozed messages.")
        return
    st.dataframe(_rows_frame(board.snoozed, "Back on", "due_at"), hide_index=True)
    options = {
        r["message_id"]: f"#{r['message_id']} {one_line(r['sender'], limit=40)}"
        for r in board.snoozed
    }
    mid = st.selectbox(
        "Bring back now",
        list(options),
        format_func=lambda i: options[i],
        index=None,
        key="fu_wake_msg",
        placeholder="Choose a message",
    )
    if st.button("Unsnooze", key="fu_wake", disabled=mid is None):
        with session_scope() as s:
            unsnooze(session=s, message_id=mid)
        flash(f"Message #{mid} is back in your inbox.")
        st.rerun()


def escalations_section(board: Any) -> None:
    st.subheader("Escalations")
    if not board.escalations:
        st.caption("No sender wrote again after a decline.")
        return
    frame = pd.DataFrame(
        {
            "When": [fmt_dt(r["due_at"]) for r in board.escalations],
            "From": [one_line(r["sender"], limit=50) for r in board.escalations],
            "Message": [f"#{r['message_id']}" for r in board.escalations],
            "What happened": [one_line(r["note"], limit=100) for r in board.escalations],
        }
    )
    st.dataframe(frame, hide_index=True)


# --- outbox --------------------------------------------------------------------------------------------


def _next_try(delivery: Any) -> str:
    """When the worker tries next; nothing for replies only a person can send (LinkedIn) or
    that are done."""
    if delivery.state == "manual":
        return "you send it (LinkedIn)"
    return fmt_dt(delivery.next_attempt_at) if delivery.state == "approved" else ""


def outbox_section() -> None:
    with read_session() as s:
        items = outbox_items(session=s, limit=200)
    st.subheader(f"Outbox ({len(items)})")
    if not items:
        st.caption("No approved replies yet.")
        return
    frame = pd.DataFrame(
        {
            "#": [i.delivery.id for i in items],
            "To": [one_line(sender_display(i.sender), limit=40) for i in items],
            "Channel": [i.delivery.channel for i in items],
            "State": [i.delivery.state for i in items],
            "Attempts": [i.delivery.attempts for i in items],
            "Next try": [_next_try(i.delivery) for i in items],
            "Last error": [one_line(i.delivery.last_error, limit=100) for i in items],
            "Reply": [one_line(i.draft.text, limit=80) for i in items],
        }
    )
    st.dataframe(frame, hide_index=True)
    retryable = {
        i.delivery.id: f"#{i.delivery.id} to "
        f"{one_line(i.sender.name if i.sender else '', limit=40)} ({i.delivery.state})"
        for i in items
        if i.delivery.state in RETRYABLE_STATES
    }
    if not retryable:
        return
    st.warning(f"{len(retryable)} replies could not be sent.", icon=":material/error:")
    did = st.selectbox(
        "Retry", list(retryable), format_func=lambda i: retryable[i], key="fu_retry_id"
    )
    if st.button("Send again", key="fu_retry", icon=":material/refresh:"):
        try:
            with session_scope() as s:
                retry_delivery(session=s, delivery_id=did)
        except ResponderError as exc:
            show_error(exc)
            return
        flash(f"Outbox item #{did} will be sent again by the worker.")
        st.rerun()


def main() -> None:
    page_header("Follow-ups", "Reminders, snoozed messages, escalations and the outbox.")
    show_flashes()
    settings = current_settings()
    with read_session() as s:
        board = followup_board(session=s, settings=settings)
    worker_section(settings)
    st.divider()
    reminders_section(board, settings)
    snoozed_section(board)
    escalations_section(board)
    st.divider()
    outbox_section()


main()
