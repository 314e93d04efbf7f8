"""Dashboard: what arrived, what Responder handled, what waits for you.

The aggregates come from `responder.app.dashboard.build_dashboard` and are cached for a short time
keyed on `data_version` (a cheap fingerprint of the store), so a rerun with unchanged data costs
one small query even with 100,000 messages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from responder.app.dashboard import UNTRIAGED, build_dashboard, data_version
from responder.taxonomy import DISPLAY, LABELS
from ui.components import one_line, page_header
from ui.state import current_settings, read_session

#: Fixed label colours (Tableau 10 mid tones: legible on the light and the dark theme).
LABEL_HEX = {
    "genuine": "#59a14f",
    "sales_pitch": "#f28e2b",
    "recruiting": "#4e79a7",
    "phishing": "#e15759",
    "scam": "#ff9da7",
    "harassment": "#b07aa1",
    UNTRIAGED: "#bab0ac",
}
LABEL_NAMES = {**DISPLAY, UNTRIAGED: "Not triaged yet"}
#: Period choices; "All" (the default) spans every week with messages, so an older export shows
#: all of its messages.
WINDOWS: dict[str, int | None] = {
    "All": None,
    "4 weeks": 4,
    "12 weeks": 12,
    "26 weeks": 26,
    "52 weeks": 52,
}
DEFAULT_WINDOW = "All"
CACHE_TTL_S = 30


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Counting…", max_entries=16)
def load_dashboard(
    url: str, version: tuple[Any, ...], weeks: int | None, minutes: float
) -> dict[str, Any]:
    """The dashboard as plain data. `url`, `version` and `minutes` are only cache keys."""
    del url, version, minutes
    settings = current_settings()
    with read_session() as s:
        data = build_dashboard(session=s, settings=settings, weeks=weeks).to_dict()
    data["computed_at"] = datetime.now(UTC)
    return data


def weekly_chart(weekly: list[dict[str, Any]]) -> alt.Chart:
    """Stacked bars of messages per week, one fixed colour per label."""
    frame = pd.DataFrame(weekly)
    frame["Label"] = frame["label"].map(lambda v: LABEL_NAMES.get(v, v))
    frame["Week"] = pd.to_datetime(frame["week"])
    order = [*LABELS, UNTRIAGED]
    domain = [LABEL_NAMES[label] for label in order]
    colours = [LABEL_HEX[label] for label in order]
    return (
        alt.Chart(frame, title="Messages per week by label")
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(Week):O", title="Week starting", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(count):Q", title="Messages", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "Label:N", scale=alt.Scale(domain=domain, range=colours), title="Label"
            ),
            order=alt.Order("Label:N"),
            tooltip=[
                alt.Tooltip("yearmonthdate(Week):T", title="Week"),
                "Label:N",
                alt.Tooltip("sum(count):Q", title="Messages"),
            ],
        )
    )


def _metrics(h: dict[str, Any], weeks: int) -> None:
    cols = st.columns(6)
    cols[0].metric("Received", f"{h['received']:,}", help=f"Inbound messages, last {weeks} weeks")
    cols[1].metric(
        "Handled without you",
        f"{h['share_without_you']:.0%}",
        help=f"{h['handled_without_you']:,} of {h['triaged']:,} triaged messages were answered "
        "or noted by the auto-approve policy.",
    )
    cols[2].metric("Handled by you", f"{h['handled_by_you']:,}")
    cols[3].metric(
        "Needs review",
        f"{h['waiting_for_review']:,}",
        help="Messages whose label you should check (the Review page's 'Check the label' "
        f"queue); {h['pending_drafts']:,} draft(s) also wait for your approval.",
    )
    cols[4].metric("Overdue follow-ups", f"{h['overdue_followups']:,}")
    minutes = h["minutes_saved"]
    saved = f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"
    cols[5].metric("Time saved (est.)", saved, help=h["assumption"])
    st.caption(
        f"{h['one_click_approvals']:,} drafts were approved in one click, unedited. "
        + h["assumption"]
    )


def _senders_table(senders: list[dict[str, Any]]) -> None:
    st.subheader("Top senders")
    if not senders:
        st.caption("Nobody wrote in this period.")
        return
    frame = pd.DataFrame(
        {
            "Sender": [one_line(s["name"], limit=60) for s in senders],
            "Messages": [s["messages"] for s in senders],
            "Mostly": [LABEL_NAMES.get(s["top_label"], s["top_label"]) for s in senders],
            "Status": [s["status"] for s in senders],
        }
    )
    st.dataframe(frame, hide_index=True)


def _campaigns_table(campaigns: list[dict[str, Any]]) -> None:
    st.subheader("Top campaigns")
    if not campaigns:
        st.caption("No template was sent by several senders in this period.")
        return
    frame = pd.DataFrame(
        {
            "Example subject": [one_line(c["example_subject"], limit=60) for c in campaigns],
            "Senders": [c["senders"] for c in campaigns],
            "Messages": [c["messages"] for c in campaigns],
            "Mostly": [LABEL_NAMES.get(c["top_label"], c["top_label"]) for c in campaigns],
            "Blocked": [c["blocked_senders"] for c in campaigns],
        }
    )
    st.dataframe(frame, hide_index=True)
    st.caption(
        "The same text from several senders is a strong sign of fake profiles: "
        "report or block a campaign on the Senders page."
    )


def main() -> None:
    page_header("Dashboard", "What arrived, what Responder handled, and what waits for you.")
    choice = st.segmented_control(
        "Period", list(WINDOWS), default=DEFAULT_WINDOW, key="dash_window"
    )
    weeks = WINDOWS.get(choice or DEFAULT_WINDOW)
    settings = current_settings()
    with read_session() as s:
        version = data_version(session=s)
    data = load_dashboard(
        settings.database_url, version, weeks, settings.policy.minutes_saved_per_message
    )
    h = data["handling"]
    if h["received"] == 0 and not data["weekly"]:
        st.info("No messages in this period yet. Import messages or load the demo inbox.")
        return
    _metrics(h, data["weeks"])
    if data["computed_at"] - data["end"] > timedelta(days=1):
        st.caption(
            f"Nothing arrived recently, so the period ends at the newest message "
            f"({data['end']:%d %b %Y})."
        )
    st.altair_chart(weekly_chart(data["weekly"]), theme="streamlit", width="stretch")
    left, right = st.columns(2)
    with left:
        _senders_table(data["senders"])
    with right:
        _campaigns_table(data["campaigns"])
    st.caption(
        f"Weeks start on Monday (UTC). Figures are cached for up to {CACHE_TTL_S} seconds; "
        f"computed {data['computed_at']:%H:%M:%S} UTC."
    )


main()
