"""Offline classification on one core, in its own process.

    python -m bench.classify_child --workdir DIR --n N --runs R --seed S

The parent starts this with OMP/BLAS thread counts set to 1; here the process also pins itself
to one CPU (`sched_setaffinity`), so whatever the model uses internally runs on one core.
Prints one JSON object with, per run, the time to classify a fresh generated inbox:
- `classify_texts` in batches of 200 (the model alone, no store);
- `classify_text` one message at a time, with each message's latency (first `--latency-n`);
- `classify_batch` on the stored messages in batches of 200 (the triage path, with the store's
  relationship and template look-ups; reading the rows is not timed).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any


def _pin_one_core() -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _text_run(classifier: Any, inbox: list[Any]) -> dict[str, Any]:
    latencies = []
    start = time.perf_counter()
    for m in inbox:
        t0 = time.perf_counter()
        classifier.classify_text(text=m.body, subject=m.subject or None, sender_name=m.sender_name)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    return {"seconds": total, "latencies": latencies}


def _texts_run(classifier: Any, inbox: list[Any], size: int = 200) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for the whole inbox."""
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(inbox), size):
        chunk = inbox[i : i + size]
        classifier.classify_texts([(m.body, m.subject or None, m.sender_name) for m in chunk])
    return time.perf_counter() - start, time.process_time() - cpu


def _batch_run(classifier: Any, engine: Any, ids: list[int], size: int = 200) -> float:
    from sqlmodel import Session, col, select

    from responder.store.models import Message

    elapsed = 0.0
    with Session(engine) as session:
        for i in range(0, len(ids), size):
            chunk = ids[i : i + size]
            messages = list(session.exec(select(Message).where(col(Message.id).in_(chunk))))
            t0 = time.perf_counter()
            classifier.classify_batch(session=session, messages=messages)
            elapsed += time.perf_counter() - t0
            session.rollback()  # classify only: nothing it may have added is kept
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.classify_child")
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--url", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--latency-n", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--budget", type=float, default=1e9, help="stop repeating after this")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    cpu = _pin_one_core()

    from sqlmodel import Session, col, select

    from bench.common import make_settings
    from bench.gen_inbox import generate_inbox
    from responder.classify.classifier import build_classifier
    from responder.store.db import make_engine
    from responder.store.models import Message

    settings = make_settings(args.workdir, args.url)
    engine = make_engine(args.url, settings=settings)
    inbox = generate_inbox(args.n, pitch_share=0.4, seed=args.seed)
    classifier = build_classifier(settings=settings)
    for m in inbox[:50]:  # warm-up: model load, regex compilation, caches of the first call
        classifier.classify_text(text=m.body, subject=m.subject or None, sender_name=m.sender_name)
    with Session(engine) as s:
        ids = list(
            s.exec(select(Message.id).where(Message.direction == "in").order_by(col(Message.id)))
        )
    runs = []
    start = time.perf_counter()
    for run in range(args.runs):
        if runs and time.perf_counter() - start > args.budget:
            break
        # A fresh inbox per run: a classifier that caches by text gets no free second run.
        fresh = inbox if run == 0 else generate_inbox(args.n, pitch_share=0.4, seed=args.seed + run)
        texts_s, texts_cpu = _texts_run(classifier, fresh)
        single = _text_run(classifier, fresh[: args.latency_n])
        batch_s = _batch_run(classifier, engine, ids) if ids else None
        runs.append(
            {"texts_seconds": texts_s, "texts_cpu_seconds": texts_cpu, "texts_n": len(fresh), "single_seconds": single["seconds"],
             "latencies": single["latencies"], "batch_seconds": batch_s, "batch_n": len(ids)}
        )  # fmt: skip
    sys.stdout.write(json.dumps({"cpu": cpu, "runs": runs}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
