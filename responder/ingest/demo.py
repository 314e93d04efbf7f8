"""The shipped demo inbox: `responder/data/demo/messages.csv`, a LinkedIn export written by this
team (43 inbound messages covering all six labels, a conversation the owner replied in, a
repeat pitcher, German, French and Spanish messages, multi-line, HTML and mojibake content, a
system row and a draft row). `labels.json` holds the intended label of each inbound message,
keyed by "CONVERSATION ID|DATE", so tests and the classifier team can check the demo is
labelled sensibly (`demo_labels()` maps it to message source ids).

The demo is imported with source "demo" so it never mixes with a real export and can be told
apart (and removed) later; its owner is fixed (Alex Morgan) whatever the user's settings say.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Engine

from responder.ingest.base import ImportSummary, ParsedMessage
from responder.ingest.linkedin_export import Owner, file_opener, parse_export
from responder.ingest.store import Owner as StoreOwner
from responder.ingest.store import record_import_event, store_messages
from responder.settings import Settings

DEMO_SOURCE = "demo"
DEMO_OWNER_NAME = "Alex Morgan"
DEMO_OWNER_URL = "https://www.linkedin.com/in/alex-morgan-demo"


def demo_dir() -> Path:
    return Path(str(resources.files("responder") / "data" / "demo"))


def demo_messages() -> list[ParsedMessage]:
    """The demo inbox as parsed messages (system and draft rows left out)."""
    owner = Owner(DEMO_OWNER_URL, DEMO_OWNER_NAME)
    path = demo_dir() / "messages.csv"
    items = parse_export(file_opener(path), file=path.name, owner=owner, source=DEMO_SOURCE)
    return [m for m in items if isinstance(m, ParsedMessage)]


@lru_cache(maxsize=1)
def demo_labels() -> dict[str, str]:
    """source_id of each inbound demo message -> its intended label."""
    data = json.loads((demo_dir() / "labels.json").read_text(encoding="utf-8"))
    by_key: dict[str, str] = data["labels"]
    out: dict[str, str] = {}
    for m in demo_messages():
        raw = json.loads(m.raw)
        key = f"{raw['CONVERSATION ID']}|{raw['DATE']}"
        if key in by_key:
            out[m.source_id] = by_key[key]
    return out


def load_demo(*, engine: Engine, settings: Settings, progress=None) -> ImportSummary:  # type: ignore[no-untyped-def]
    """Import the demo inbox (idempotent: loading it twice adds nothing)."""

    path = demo_dir() / "messages.csv"
    summary = ImportSummary(files=["demo inbox"], format="linkedin")
    items = parse_export(
        file_opener(path),
        file=path.name,
        owner=Owner(DEMO_OWNER_URL, DEMO_OWNER_NAME),
        source=DEMO_SOURCE,
    )
    store_messages(
        engine=engine,
        items=items,
        owner=StoreOwner(linkedin_url=DEMO_OWNER_URL),
        summary=summary,
        progress=progress,
    )
    record_import_event(engine, summary)
    return summary
