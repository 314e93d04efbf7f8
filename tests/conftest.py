"""Shared fixtures. An autouse fixture isolates settings, paths and the database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from responder.settings import PROJECT_ROOT, Settings, get_settings, reset_settings_cache
from responder.store import db
from tests.support.fixtures_llm import openai_server  # noqa: F401
from tests.support.postgres import create_database, find_pg_bin, throwaway_cluster

USER_NAME = "Alex Morgan"
_SECRET_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data dir and SQLite file, the shipped config, no API keys."""
    for key in list(os.environ):
        if key.startswith("RESPONDER_") or key in _SECRET_ENV:
            monkeypatch.delenv(key, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("RESPONDER_DATA_DIR", str(data_dir))
    monkeypatch.setenv("RESPONDER_CONFIG", str(PROJECT_ROOT / "config" / "responder.toml"))
    # A user who has confirmed their profile; `unset_profile` gives the first-run state.
    monkeypatch.setenv("RESPONDER_PROFILE_NAME", USER_NAME)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    reset_settings_cache()
    db.reset_engine()
    yield data_dir
    db.reset_engine()
    reset_settings_cache()


@pytest.fixture
def unset_profile(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """First run: no name in the settings (as shipped)."""
    monkeypatch.delenv("RESPONDER_PROFILE_NAME", raising=False)
    reset_settings_cache()


@pytest.fixture
def settings(isolated: Path) -> Settings:
    return get_settings()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """The configured (per-test SQLite) database, migrated with Alembic."""
    db.upgrade(settings.database_url)
    engine = db.get_engine()
    yield engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    """A throw-away PostgreSQL cluster for the whole test session."""
    if find_pg_bin() is None:
        pytest.skip(
            "PostgreSQL is not installed here (no pg_ctl on PATH or in /usr/lib/postgresql)"
        )
    with throwaway_cluster() as url:
        yield url


@pytest.fixture
def pg_url(pg_cluster: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh empty PostgreSQL database, configured as RESPONDER_DATABASE_URL."""
    url = create_database(pg_cluster, "t_" + uuid.uuid4().hex[:12])
    monkeypatch.setenv("RESPONDER_DATABASE_URL", url)
    reset_settings_cache()
    db.reset_engine()
    return url
