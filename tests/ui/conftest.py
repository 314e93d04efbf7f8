"""Fixtures for the AppTests of the pages: a fresh Streamlit cache per test, and the demo inbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy.engine import Engine

from responder.settings import Settings
from responder.store import db
from tests.support.demo_snapshot import DemoSnapshot, build_snapshot


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches() -> Iterator[None]:
    """Cached engines and data belong to one test's database."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> DemoSnapshot:
    return build_snapshot(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture
def demo_engine(demo_snapshot: DemoSnapshot, settings: Settings, isolated: Path) -> Engine:
    """This test's database holds the demo inbox, imported and triaged."""
    demo_snapshot.copy_to(settings.data_dir)
    db.upgrade(settings.database_url)
    return db.get_engine()


@pytest.fixture
def trained(demo_snapshot: DemoSnapshot, settings: Settings) -> Settings:
    """An empty database, but the offline model is already trained (triage is quick)."""
    demo_snapshot.copy_models_to(settings.data_dir)
    return settings
