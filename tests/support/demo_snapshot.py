"""The demo inbox, imported and triaged once per test session, copied into each test that wants it.

Triage trains the offline model on first use (tens of seconds on a busy machine); doing that once
and copying the finished SQLite file and `models/` folder keeps every UI test quick while each
test still owns a private, real, migrated database.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from responder.settings import PROJECT_ROOT, Settings
from responder.store import db


@dataclass(frozen=True)
class DemoSnapshot:
    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "responder.store.db"

    @property
    def models(self) -> Path:
        return self.data_dir / "models"

    def copy_models_to(self, data_dir: Path) -> None:
        """Only the trained offline model (for tests that import the demo themselves). Nothing
        to copy when the classifier used a model shipped with the package instead."""
        if self.models.is_dir():
            shutil.copytree(self.models, data_dir / "models", dirs_exist_ok=True)

    def copy_to(self, data_dir: Path) -> None:
        """The triaged demo database and the model."""
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.database, data_dir / "responder.store.db")
        self.copy_models_to(data_dir)


def build_snapshot(data_dir: Path) -> DemoSnapshot:
    """Import and triage the demo inbox into `data_dir` with clean settings."""
    from responder.ingest.importer import load_demo_inbox
    from responder.triage.pipeline import triage_new

    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith(("RESPONDER_", "OPENAI_")):
                mp.delenv(key)
        mp.setenv("RESPONDER_CONFIG", str(PROJECT_ROOT / "config" / "responder.toml"))
        mp.setenv("RESPONDER_PROFILE_NAME", "Alex Morgan")  # a user who confirmed the profile
        settings = Settings(data_dir=data_dir)
        db.upgrade(settings.database_url)
        engine = db.make_engine(settings.database_url, settings=settings)
        try:
            load_demo_inbox(engine=engine, settings=settings)
            triage_new(engine=engine, settings=settings)
            with engine.connect() as conn:  # fold the WAL into the main file before copying
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()
    return DemoSnapshot(data_dir)
