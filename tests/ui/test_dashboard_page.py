"""AppTest for the Dashboard page."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from responder.settings import PROJECT_ROOT
from responder.store.models import Sender
from tests.support.app_seed import seed_views

PAGE = str(PROJECT_ROOT / "ui" / "pages" / "dashboard.py")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    import streamlit as st

    st.cache_data.clear()


def _chart_specs(at: AppTest) -> list[dict]:
    """Each Vega-Lite chart's spec, with its datasets decoded from Arrow into row dicts."""
    import pyarrow as pa

    specs = []
    for el in at.main:
        if getattr(el, "type", None) != "vega_lite_chart":
            continue
        spec = json.loads(el.proto.spec)
        spec["datasets"] = {
            d.name: pa.ipc.open_stream(d.data.data).read_pandas().to_dict("records")
            for d in el.proto.datasets
        }
        specs.append(spec)
    return specs


def test_empty_store(engine: Engine) -> None:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert "No messages" in at.info[0].value
    assert not _chart_specs(at)


def test_dashboard_renders_numbers_chart_and_tables(engine: Engine) -> None:
    with Session(engine) as s:
        seed_views(s, now=datetime.now(UTC))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.segmented_control(key="dash_window").set_value("12 weeks").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Received"] == "11"
    assert metrics["Handled without you"] == "10%"
    assert metrics["Needs review"] == "1"
    assert metrics["Overdue follow-ups"] == "1"
    assert metrics["Time saved (est.)"] == "2 min"
    assert "2 minutes" in at.metric[-1].help

    specs = _chart_specs(at)
    assert len(specs) == 1
    spec = specs[0]
    y_axis = spec["encoding"]["y"]["axis"]
    assert (y_axis["tickMinStep"], y_axis["format"]) == (1, "d")  # whole messages on the axis
    colour = spec["encoding"]["color"]["scale"]
    assert colour["domain"][:3] == ["Genuine", "Sales pitch", "Recruiting"]
    assert len(colour["range"]) == len(colour["domain"]) == 7  # fixed colours, all labels
    rows = next(iter(spec["datasets"].values()))
    assert sum(r["count"] for r in rows) == 11

    senders, campaigns = at.dataframe[0].value, at.dataframe[1].value
    assert list(senders["Sender"])[:3] == ["Pat Pitcher", "Gina Genuine", "Rita Recruiter"]
    # sender names are data in a table cell, never markup
    assert "Phil <b>Phish</b>" in list(senders["Sender"])
    assert list(campaigns["Senders"]) == [3]


def test_period_switch_and_cache_refresh(engine: Engine) -> None:
    with Session(engine) as s:
        seed_views(s, now=datetime.now(UTC))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    # the default, "All", covers every message, the 13-week-old one too
    assert {m.label: m.value for m in at.metric}["Received"] == "12"
    at.segmented_control(key="dash_window").set_value("12 weeks").run()
    assert {m.label: m.value for m in at.metric}["Received"] == "11"
    at.segmented_control(key="dash_window").set_value("52 weeks").run()
    assert {m.label: m.value for m in at.metric}["Received"] == "12"  # the 13-week-old one
    # a change of the data invalidates the cached figures at once (new data version)
    with Session(engine) as s:
        pat = s.get(Sender, 1)
        assert pat is not None
        from responder.triage.review import set_sender_status

        set_sender_status(session=s, sender_id=pat.id, status="blocked")  # type: ignore[arg-type]
        s.commit()
    at.run()
    assert list(at.dataframe[0].value["Status"])[0] == "blocked"
