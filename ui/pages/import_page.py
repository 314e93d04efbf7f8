"""Import: the demo inbox, uploads (LinkedIn export, mail, JSONL/CSV) with progress and a summary,
a paste box for one message, and sorting of new messages. Large work runs in the worker."""

from __future__ import annotations

from typing import Any

import streamlit as st

from responder.app import imports
from responder.errors import ResponderError
from responder.ingest.paste import MAX_PASTE_CHARS
from responder.store import tasks
from ui import jobs
from ui.components import md_escape, page_header, safe_text, show_error
from ui.demo_box import demo_section
from ui.state import app_context, current_settings, read_session, show_flashes

FILE_TYPES = ["csv", "zip", "eml", "mbox", "jsonl", "txt"]
RESULT_KEY = "import_results"


def _where(line: object) -> str:
    return f"line {line}" if isinstance(line, int) else "whole file"


def show_summary(name: str, result: dict[str, Any]) -> None:
    """Imported / already there / left out on purpose (and why) / unreadable, with where; each
    record is counted once."""
    with st.container(border=True):
        st.text(f"{safe_text(name, limit=200)}")
        errors = result.get("errors") or []
        unreadable = len(errors) + int(result.get("errors_not_listed") or 0)
        left_out = result.get("skipped_on_purpose")
        if left_out is None:
            left_out = max(0, int(result.get("skipped", 0)) - unreadable)
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("Imported", result.get("imported", 0))
        c2.metric("Already there", result.get("duplicates", 0))
        c3.metric("Left out", left_out, help="System rows and unsent drafts: left out on purpose.")
        c4.metric("Errors", unreadable, help="Records that could not be read; listed below.")
        reasons = result.get("left_out_reasons") or {}
        if reasons:
            st.text("Left out: " + "; ".join(f"{safe_text(k)} ({v})" for k, v in reasons.items()))
        for warning in result.get("warnings") or []:
            st.text(f"Note: {safe_text(warning)}")
        if errors:
            st.dataframe(
                {
                    "File": [safe_text(str(e.get("file") or ""), limit=120) for e in errors],
                    "Where": [_where(e.get("line")) for e in errors],
                    "Reason": [safe_text(str(e.get("reason") or ""), limit=300) for e in errors],
                },
                hide_index=True,
                width="stretch",
            )
        triage = result.get("triage")
        if isinstance(triage, dict) and triage.get("triaged"):
            st.text(f"Sorted {triage['triaged']} new message(s).")


def _remember(name: str, result: dict[str, Any]) -> None:
    st.session_state.setdefault(RESULT_KEY, []).insert(0, (name, result))
    del st.session_state[RESULT_KEY][5:]


def _demo() -> None:
    st.subheader("Demo inbox")
    result = demo_section(key="import_demo")
    if result is not None:
        _remember("Demo inbox", result)
        st.rerun()  # show "loaded / remove" instead of the load button


def _upload() -> None:
    settings = current_settings()
    st.subheader("Upload")
    st.caption(
        "LinkedIn's messages.csv or the whole export .zip, .eml / .mbox mail, JSONL or CSV with a "
        f"text column. Up to {settings.policy.max_upload_mb} MB. Importing the same file again "
        "adds nothing twice."
    )
    files = st.file_uploader(
        "Files", type=FILE_TYPES, accept_multiple_files=True, key="import_files"
    )
    if not files or not st.button("Import", type="primary", key="import_go"):
        return
    limit = settings.policy.max_upload_mb * 1024 * 1024
    for upload in files:
        name = upload.name
        if upload.size > limit:
            show_error(f"{name}: larger than {settings.policy.max_upload_mb} MB; not imported.")
            continue
        try:
            outcome = jobs.import_upload(settings=settings, name=name, data=upload.getvalue())
        except ResponderError as exc:
            show_error(exc)
            continue
        if outcome.result is not None:
            _remember(name, outcome.result)
        else:
            st.info(
                f"Import #{outcome.task_id} runs in the background (the worker does it). You can "
                "go on working; progress shows below and in the sidebar.",
                icon=":material/hourglass_top:",
            )


def _paste() -> None:
    st.subheader("Paste one message")
    with st.form("paste_form", clear_on_submit=True):
        sender = st.text_input(
            "From (who wrote it)",
            placeholder="Jane Doe, jane@example.com or a LinkedIn profile link",
            help='Leave empty when the text starts with a "From:" line; without either the '
            "message is shown from an unknown sender.",
        )
        text = st.text_area(
            "Message",
            height=180,
            max_chars=MAX_PASTE_CHARS,
            placeholder="Subject: Quick question\n\nHello …",
            help=f'Optional "From:", "Subject:" and "Date:" lines at the top. At most '
            f"{MAX_PASTE_CHARS:,} characters: one message, not a whole mailbox (import files "
            "for that).",
        )
        submitted = st.form_submit_button("Add message")
    if submitted and text.strip():
        try:
            result = imports.import_pasted(
                ctx=app_context(), settings=current_settings(), text=text, sender=sender
            )
        except ResponderError as exc:
            show_error(exc)
            return
        _remember("Pasted message", result)


def _triage() -> None:
    waiting = jobs.untriaged_count()
    if waiting == 0:
        return
    st.subheader("Sort new messages")
    st.caption(f"{waiting} message(s) are not sorted yet.")
    if st.button("Sort them now", key="triage_go"):
        outcome = jobs.triage_or_enqueue(current_settings())
        if outcome.task_id is not None:
            st.info(f"Sorting runs in the background as task #{outcome.task_id}.")
        elif outcome.result is not None:
            _remember("Sorting", {"imported": 0, "triage": outcome.result})


@st.fragment(run_every=1.5)
def _tasks() -> None:
    """Background imports and sorting, refreshed while the page is open."""
    with read_session() as s:
        recent = [t for t in tasks.recent(session=s, limit=8) if t.kind in {"import", "triage"}]
    if not recent:
        return
    st.subheader("Background work")
    queued = [t for t in recent if t.status == "queued"]
    if queued and jobs.worker_alive() is False:
        st.warning(
            "The worker is not running, so queued work waits. Start it with `responder worker` "
            "(or `make run`), or run the work here and keep this page open.",
            icon=":material/hourglass_disabled:",
        )
        if st.button("Run queued work here", key="run_here"):
            with st.spinner("Working…"):
                counts = jobs.run_queued_here(current_settings())
            st.toast(", ".join(f"{n} {status}" for status, n in counts.items()) or "nothing to do")
    for task in recent:
        fraction = tasks.fraction(task)
        text = md_escape(
            safe_text(f"#{task.id} {task.kind}: {task.message or task.status}", limit=160)
        )
        if task.status in tasks.ACTIVE_STATES:
            st.progress(fraction or 0.0, text=text)
        elif task.status == "failed":
            st.error(f"#{task.id} {task.kind} failed.", icon=":material/error:")
            st.text(safe_text(task.message or "", limit=600))
        elif task.result:
            show_summary(f"#{task.id} {task.kind} (done)", task.result)


def main() -> None:
    page_header("Import", "Bring messages in; they are sorted and drafted as they arrive.")
    show_flashes()
    results = st.container()
    _demo()
    _upload()
    _paste()
    _triage()
    _tasks()
    with results:  # filled last so an action's summary shows in this same run
        for name, result in st.session_state.get(RESULT_KEY, []):
            show_summary(name, result)


main()
