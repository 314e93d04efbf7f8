"""The app context: settings (base + the user's stored preferences), the engine and the chat model,
built in one place for the UI, the CLI and the worker.

    ctx = AppContext.open()                      # engine for the configured database
    settings = ctx.settings()                    # base settings with stored preferences applied
    with ctx.session_scope() as s: ...           # one unit of work, committed on success
    model = ctx.chat_model(settings, purpose="draft")  # None when offline

The UI caches one context per database URL (`ui/state.py`, `st.cache_resource`); the worker and the
CLI call `runtime_settings()` per unit of work so preference changes apply at the next job tick.
`responder.llm.build_chat_model` stays the only code that builds a chat model.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from responder.llm import build_chat_model
from responder.settings import Settings, get_settings
from responder.store import db
from responder.store.preferences import effective_settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)


def settings_from_store(*, engine: Engine, base: Settings) -> Settings:
    """`base` with the stored preferences applied; `base` itself when the store cannot be read
    (e.g. not migrated yet)."""
    try:
        with Session(engine) as session:
            return effective_settings(session=session, base=base)
    except SQLAlchemyError as exc:
        log.warning("preferences not readable, using configured settings: %s", exc)
        return base


@dataclass
class AppContext:
    """Settings, engine and chat model for one database."""

    base: Settings
    engine: Engine

    @classmethod
    def open(cls, base: Settings | None = None, *, migrate: bool = False) -> AppContext:
        """A context for `base` (default: the configured settings). With `migrate`, the database
        is brought to the newest schema first (the app does this once per server process)."""
        base = base or get_settings()
        if migrate:
            db.upgrade(base.database_url)
        return cls(base=base, engine=db.make_engine(base.database_url, settings=base))

    def settings(self) -> Settings:
        """The settings every unit of work uses: base settings with the stored preferences."""
        return settings_from_store(engine=self.engine, base=self.base)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on error; objects stay usable after."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except Exception:
                session.rollback()
                raise

    def read_session(self) -> Session:
        """A session for reads (use as a context manager); objects stay usable after it closes."""
        return Session(self.engine, expire_on_commit=False)

    def chat_model(
        self, settings: Settings | None = None, *, purpose: str = "draft"
    ) -> BaseChatModel | None:
        """The configured chat model for `purpose`, or None offline (raises ConfigError when it
        cannot be built, e.g. no key for OpenAI)."""
        return build_chat_model(settings or self.settings(), purpose=purpose)


def runtime_settings(engine: Engine | None = None) -> Settings:
    """What a worker job or CLI command uses for one unit of work: the configured settings with
    the user's preferences applied (one small SELECT; changes apply at the next job tick)."""
    return settings_from_store(engine=engine or db.get_engine(), base=get_settings())
