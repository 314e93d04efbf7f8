"""The sidebar shows recent problems (e.g. LLM fallbacks) as inert text."""

from __future__ import annotations

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from responder.settings import PROJECT_ROOT
from responder.store.models import Event


def test_recent_problems_in_sidebar(engine) -> None:
    with Session(engine) as s:
        s.add(
            Event(
                level="warning",
                kind="llm_fallback",
                detail="LLM failed (see https://evil.example/x); offline result used.",
            )
        )
        s.add(Event(level="info", kind="import", detail="all good"))
        s.commit()
    at = AppTest.from_file(str(PROJECT_ROOT / "ui" / "app.py"), default_timeout=60).run()
    assert not at.exception
    labels = [e.label for e in at.sidebar.expander]
    assert "Recent problems (1)" in labels
    texts = [t.value for t in at.sidebar.text]
    assert any("llm_fallback" in t and "hxxps://evil[.]example/x" in t for t in texts)
    assert not any("all good" in t for t in texts)
