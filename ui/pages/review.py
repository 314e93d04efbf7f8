"""Review: messages whose label needs checking, report notes, then one draft at a time (approve and go to the next, edit inline,
reject with one reason, regenerate), bulk approve per label, and approved LinkedIn replies to
copy, send by hand and mark sent."""

from __future__ import annotations

import streamlit as st

from responder.app import inbox
from responder.errors import ResponderError
from responder.taxonomy import DISPLAY, LABELS, REPORT_LABELS
from responder.triage import bulk
from ui import profile_panel, review_cards
from ui.components import label_name, page_header, show_error
from ui.label_check import label_check_section
from ui.state import current_settings, flash, read_session, session_scope, show_flashes

LABEL_KEY = "review_label"
CONFIRM_KEY = "review_bulk_confirm"
UNDO_KEY = "review_bulk_undo"
SKIPPED_KEY = "review_skipped"


def _reply_groups(queue: dict[str, list[inbox.ReviewItem]]) -> dict[str, list[inbox.ReviewItem]]:
    groups: dict[str, list[inbox.ReviewItem]] = {}
    for label in [*LABELS, inbox.UNLABELLED]:
        items = [i for i in queue.get(label, []) if not inbox.is_report_item(i)]
        if items:
            groups[label] = items
    return groups


def _report_section(queue: dict[str, list[inbox.ReviewItem]], *, expanded: bool) -> None:
    """Report notes, kept apart at the top (folded while replies wait, so approving stays quick)."""
    items = [i for label in LABELS for i in queue.get(label, []) if inbox.is_report_item(i)]
    if not items:
        return
    per_label = ", ".join(
        f"{DISPLAY[label]} {n}"
        for label in LABELS
        if (n := sum(1 for i in items if i.message.label == label))
    )
    with st.expander(
        f"Report notes: {len(items)} waiting ({per_label})",
        expanded=expanded,
        icon=":material/report:",
    ):
        st.caption(
            "Phishing, scam and harassment never get a reply. Copy the note, report the sender "
            "on LinkedIn, then mark it reported (this also blocks the sender)."
        )
        for item in items[:10]:
            review_cards.report_card(item)
        if len(items) > 10:
            st.caption(f"{len(items) - 10} more once you have handled these.")


def _pick_label(groups: dict[str, list[inbox.ReviewItem]]) -> str:
    labels = list(groups)
    if st.session_state.get(LABEL_KEY) not in labels:
        st.session_state[LABEL_KEY] = labels[0]
    return st.radio(
        "Label",
        labels,
        key=LABEL_KEY,
        horizontal=True,
        format_func=lambda v: (
            f"{label_name(None if v == inbox.UNLABELLED else v)} ({len(groups[v])})"
        ),
    )


def _current(items: list[inbox.ReviewItem]) -> tuple[inbox.ReviewItem | None, int]:
    skipped = set(st.session_state.get(SKIPPED_KEY, []))
    remaining = [i for i in items if i.draft.id not in skipped]
    if not remaining and skipped:  # went round once: start again from the top
        st.session_state[SKIPPED_KEY] = []
        remaining = items
    return (remaining[0] if remaining else None), len(remaining)


def _bulk(label: str, items: list[inbox.ReviewItem]) -> None:
    """Approve or reject all drafts of a label, after a confirmation that shows the count."""
    if label in REPORT_LABELS or label == inbox.UNLABELLED:
        return
    with read_session() as s:
        counts = {
            action: len(bulk.bulk_candidates(session=s, label=label, action=action))
            for action in ("approve", "reject")
        }
    asking = st.session_state.get(CONFIRM_KEY)
    if asking and asking[1] == label:
        _confirm(label, asking[0], counts[asking[0]])
        return
    c1, c2 = st.columns(2)
    if counts["approve"] and c1.button(
        f"Approve all {counts['approve']} lint-clean {DISPLAY[label]} drafts…",
        key=f"bulk_{label}",
        icon=":material/done_all:",
        help="Drafts whose check found problems are left for you. You can undo it.",
    ):
        st.session_state[CONFIRM_KEY] = ("approve", label)
        st.rerun()
    if counts["reject"] and c2.button(
        f"Reject all {counts['reject']} {DISPLAY[label]} drafts…",
        key=f"bulk_reject_{label}",
        icon=":material/remove_done:",
    ):
        st.session_state[CONFIRM_KEY] = ("reject", label)
        st.rerun()


def _confirm(label: str, action: str, count: int) -> None:
    verb = "Approve" if action == "approve" else "Reject"
    st.warning(
        f"{verb} {count} {DISPLAY[label]} draft(s) at once? You can undo this until a reply is "
        "sent (an e-mail leaves after two minutes; a LinkedIn reply when you mark it sent).",
        icon=":material/done_all:",
    )
    c1, c2 = st.columns(2)
    if c1.button(f"Yes, {verb.lower()} {count}", key="bulk_yes", type="primary"):
        st.session_state.pop(CONFIRM_KEY, None)
        try:
            with session_scope() as s:
                result = bulk.bulk_decide(
                    session=s,
                    label=label,
                    action=action,  # type: ignore[arg-type]
                    settings=current_settings(),
                    expected=count,
                )
        except ResponderError as exc:
            show_error(exc)
            return
        st.session_state[UNDO_KEY] = (result.action, result.label, result.draft_ids)
        st.rerun()
    if c2.button("Cancel", key="bulk_no"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()


def _undo_banner() -> None:
    """After a bulk action: what it did, and Undo."""
    last = st.session_state.get(UNDO_KEY)
    if not last:
        return
    action, label, ids = last
    done = "Approved" if action == "approve" else "Rejected"
    c1, c2, c3 = st.columns([4, 1, 1], vertical_alignment="center")
    c1.success(
        f"{done} {len(ids)} {DISPLAY.get(label, label)} draft(s).", icon=":material/done_all:"
    )
    if c2.button("Undo", key="bulk_undo", icon=":material/undo:"):
        with session_scope() as s:
            undone = bulk.undo_bulk(session=s, draft_ids=ids, action=action)
        st.session_state.pop(UNDO_KEY, None)
        text = f"Undone: {undone.restored} draft(s) back to waiting for you."
        if undone.kept:
            text += f" {undone.kept} already sent (or changed since) stay as they are."
        flash(text, "info")
        st.rerun()
    if c3.button("Dismiss", key="bulk_undo_dismiss"):
        st.session_state.pop(UNDO_KEY, None)
        st.rerun()


def _queue_section(queue: dict[str, list[inbox.ReviewItem]]) -> None:
    groups = _reply_groups(queue)
    st.subheader("Drafts to approve")
    if not groups:
        st.success("Nothing waiting for approval.", icon=":material/task_alt:")
        return
    label = _pick_label(groups)
    items = groups[label]
    current, remaining = _current(items)
    if current is None:
        return
    st.caption(
        f"{remaining} waiting in {label_name(label)}. Shortcuts: A approve & next, "
        "J skip, X reject, G regenerate."
    )
    review_cards.focus_card(current, skipped_key=SKIPPED_KEY)
    others = [i for i in items if i.draft.id != current.draft.id]
    if others:
        review_cards.others_table(others)
    _bulk(label, items)


def _ready_section() -> None:
    with read_session() as s:
        ready = inbox.ready_to_send(session=s)
    if not ready:
        return
    st.subheader(f"Ready to send on LinkedIn ({len(ready)})")
    st.caption(
        "LinkedIn has no messaging API: copy the reply, open the conversation, send, mark sent."
    )
    for item in ready:
        review_cards.ready_card(item)


def main() -> None:
    page_header("Review", "Approve in seconds: one draft at a time, the next one comes up.")
    show_flashes()
    _undo_banner()
    profile_panel.render()
    with read_session() as s:
        queue = inbox.review_queue(session=s)
    replies = _reply_groups(queue)
    label_check_section(expanded=not replies)
    _report_section(queue, expanded=not replies)
    _queue_section(queue)
    _ready_section()


main()
