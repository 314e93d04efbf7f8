"""One triage worker in a process of its own, for the two-worker PostgreSQL benchmark.

    python -m bench.triage_child URL DATA_DIR

Loads the model and warms up, prints "ready", waits for a line on stdin (so that two workers
start together and process start-up is not timed), triages until nothing is new, and prints one
JSON object: {"start": epoch seconds, "end": ..., "triaged": n}.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from bench.common import make_settings
from responder.classify.classifier import build_classifier
from responder.drafts.drafter import build_drafter
from responder.store.db import make_engine
from responder.triage.pipeline import triage_new


def main(argv: list[str] | None = None) -> int:
    url, data_dir = (argv or sys.argv[1:])[:2]
    logging.basicConfig(level=logging.WARNING)
    settings = make_settings(Path(data_dir), url)
    engine = make_engine(url, settings=settings)
    classifier = build_classifier(settings=settings)
    classifier.classify_text(text="warm up")
    drafter = build_drafter(settings=settings)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    start = time.time()
    summary = triage_new(engine=engine, settings=settings, classifier=classifier, drafter=drafter)
    end = time.time()
    engine.dispose()
    sys.stdout.write(json.dumps({"start": start, "end": end, "triaged": summary.triaged}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
