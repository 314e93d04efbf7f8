"""The sidebar on every page: worker heartbeat, running tasks with progress, what waits."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from responder.app import inbox
from responder.store import tasks
from responder.store.events import recent_problems
from responder.worker.scheduler import worker_status
from ui import access
from ui.components import fmt_dt, md_escape, safe_text
from ui.state import read_session

log = logging.getLogger(__name__)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _ago(value: datetime | None) -> str:
    if value is None:
        return "never"
    seconds = int((datetime.now(UTC) - value).total_seconds())
    if seconds < 90:
        return f"{max(seconds, 0)} s ago"
    if seconds < 5400:
        return f"{seconds // 60} min ago"
    return fmt_dt(value)


def worker_box() -> None:

    try:
        with read_session() as s:
            status = worker_status(session=s)
    except Exception as exc:  # noqa: BLE001 - the sidebar must never break a page
        log.warning("worker status unavailable: %s", exc)
        st.caption("Worker status unavailable.")
        return
    last_seen = _get(status, "last_seen")
    if _get(status, "alive"):
        st.success(f"Worker running (seen {_ago(last_seen)})", icon=":material/check_circle:")
    else:
        st.warning(
            f"Worker not running (last seen {_ago(last_seen)}). Start it with `responder worker` "
            "or `make run`: follow-ups, sending and long tasks wait for it.",
            icon=":material/warning:",
        )
    jobs = _get(status, "jobs") or []
    if jobs:
        with st.expander("Scheduled jobs"):
            for job in jobs:
                name = _get(job, "job_id") or _get(job, "id") or "job"
                state = _get(job, "last_status") or "—"
                when = _ago(_get(job, "last_finished_at") or _get(job, "last_started_at"))
                st.text(f"{name}: {state}, {when}")


@st.fragment(run_every=2)
def tasks_box() -> None:
    """Running tasks with their progress; refreshes itself every 2 s while shown."""
    with read_session() as s:
        running = tasks.active(session=s)
    for task in running:
        fraction = tasks.fraction(task)
        text = md_escape(
            safe_text(f"{task.kind} #{task.id}: {task.message or task.status}", limit=120)
        )
        if fraction is None:
            st.progress(0.0, text=text)
        else:
            st.progress(fraction, text=text)


def problems_box() -> None:
    """Warnings and errors of the last day (LLM fallbacks, failed triage or sends) as plain text."""

    with read_session() as s:
        problems = recent_problems(session=s)
    if not problems:
        return
    with st.expander(f"Recent problems ({len(problems)})", icon=":material/error:"):
        for event in problems:
            st.text(safe_text(f"{fmt_dt(event.at)} {event.kind}: {event.detail}", limit=300))


def counts_box() -> None:
    with read_session() as s:
        pending = sum(inbox.pending_counts(session=s).values())
        review = inbox.needs_review_count(session=s)
    st.caption(f"{pending} draft(s) waiting · {review} message(s) need review")


def render() -> None:
    with st.sidebar:
        try:
            counts_box()
            worker_box()
            problems_box()
            with read_session() as s:
                any_active = bool(tasks.active(session=s))
            if any_active:
                tasks_box()
        except Exception as exc:  # noqa: BLE001 - a broken sidebar must not hide the page
            log.exception("sidebar failed")
            st.caption(f"Sidebar unavailable: {type(exc).__name__}")
        problem = st.session_state.get("_llm_problem")
        if problem:
            st.warning(
                "Language model unavailable, offline templates are used: " + md_escape(problem),
                icon=":material/cloud_off:",
            )
        if access.is_authenticated() and st.button("Log out", icon=":material/logout:"):
            access.logout()
            st.rerun()
