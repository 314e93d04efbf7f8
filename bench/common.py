"""What every benchmark shares: the run configuration, settings, databases, statistics."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from responder.settings import Settings

log = logging.getLogger("bench")
ROOT = Path(__file__).resolve().parent.parent
SEED = 20261125


@dataclass
class BenchConfig:
    """Sizes and repetitions. `full()` is `make bench`; `quick()` is a fast check."""

    workdir: Path
    runs: int = 3
    import_n: int = 100_000
    naive_import_n: int = 5_000
    classify_n: int = 5_000
    latency_n: int = 3_000
    triage_n: int = 10_000
    llm_n: int = 2_000
    ui_n: int = 100_000
    postgres: bool = True
    seed: int = SEED
    #: Stop repeating a measurement once its runs took this long (at least one run is made).
    budget_s: float = 150.0
    #: Shared across benchmarks of one run (the PostgreSQL cluster URL, generated files).
    cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def full(cls, workdir: Path) -> BenchConfig:
        return cls(workdir=workdir)

    @classmethod
    def quick(cls, workdir: Path) -> BenchConfig:
        return cls(
            workdir=workdir,
            runs=1,
            import_n=5_000,
            naive_import_n=500,
            classify_n=1_000,
            latency_n=500,
            triage_n=500,
            llm_n=400,
            ui_n=5_000,
        )

    def tiny(self) -> BenchConfig:
        """Smallest sizes that still exercise every path (the smoke test)."""
        return replace(
            self,
            runs=1,
            import_n=200,
            naive_import_n=50,
            classify_n=200,
            latency_n=100,
            triage_n=200,
            llm_n=60,
            ui_n=200,
            postgres=False,
        )


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 3,000 latencies is the 2,970th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


def repeat(fn: Callable[[], Any], *, runs: int, budget_s: float, what: str) -> list[Any]:
    """Call `fn` up to `runs` times; stop early once the calls took more than `budget_s` in
    total, so a slow machine still finishes (notes report the number of runs actually made)."""
    out: list[Any] = []
    start = time.perf_counter()
    for i in range(runs):
        out.append(fn())
        spent = time.perf_counter() - start
        if i + 1 < runs and spent > budget_s:
            log.warning(
                "%s: %d of %d runs (%.0fs > budget %.0fs)", what, i + 1, runs, spent, budget_s
            )
            break
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def make_settings(workdir: Path, database_url: str = "", **llm: Any) -> Settings:
    """Settings for a benchmark: its own data dir, the given database, offline unless told."""
    data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, database_url=database_url)
    settings.llm.provider = "offline"
    for key, value in llm.items():
        setattr(settings.llm, key, value)
    return settings


def sqlite_url(workdir: Path, name: str) -> str:
    path = workdir / f"{name}-{uuid.uuid4().hex[:8]}.db"
    return f"sqlite:///{path}"


def fresh_database(cfg: BenchConfig, name: str, *, postgres: bool = False) -> str:
    """The URL of a new, migrated, empty database (SQLite file, or a database on the cluster)."""
    from responder.store import db

    if postgres:
        from tests.support.postgres import create_database

        url = create_database(cfg.cache["pg_url"], f"{name}_{uuid.uuid4().hex[:8]}")
    else:
        url = sqlite_url(cfg.workdir, name)
    db.upgrade(url)
    return url


def drop_database(url: str) -> None:
    """Delete a SQLite file (and its WAL) or drop a PostgreSQL database."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{parsed.database}{suffix}")
        return
    import psycopg

    with psycopg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def postgres_unavailable_reason() -> str | None:
    """None when a throw-away PostgreSQL cluster can be started here, else why not."""
    from tests.support.postgres import find_pg_bin

    if find_pg_bin() is None:
        return "no PostgreSQL binaries (pg_ctl) on this machine"
    return None


@contextlib.contextmanager
def postgres_cluster(cfg: BenchConfig) -> Iterator[str | None]:
    """Start one cluster for the whole run (stored in cfg.cache["pg_url"]); None if impossible."""
    if not cfg.postgres or postgres_unavailable_reason():
        yield None
        return
    from tests.support.postgres import throwaway_cluster

    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway_cluster())
        except Exception as exc:  # noqa: BLE001 - the PostgreSQL entries record why
            log.warning("PostgreSQL cluster could not be started: %s", exc)
            cfg.cache["pg_error"] = f"PostgreSQL cluster could not be started: {exc}"
            yield None
            return
        cfg.cache["pg_url"] = url
        try:
            yield url
        finally:
            cfg.cache.pop("pg_url", None)


def pg_skip_reason(cfg: BenchConfig) -> str | None:
    if not cfg.postgres:
        return "PostgreSQL variants disabled for this run"
    if "pg_url" not in cfg.cache:
        return (
            postgres_unavailable_reason()
            or cfg.cache.get("pg_error")
            or "PostgreSQL cluster was not started for this benchmark"
        )
    return None


def import_inbox(cfg: BenchConfig, url: str, messages: list[Any], name: str) -> int:
    """Load generated inbox messages into a migrated database through the real import path."""
    from bench.gen_inbox import write_linkedin_csv
    from responder.ingest.importer import import_path
    from responder.store.db import make_engine

    path = write_linkedin_csv(messages, cfg.workdir / "inbox" / f"{name}.csv")
    settings = make_settings(cfg.workdir, url)
    engine = make_engine(url, settings=settings)
    try:
        summary = import_path(engine=engine, path=path, settings=settings)
    finally:
        engine.dispose()
    if summary.imported != len(messages):
        log.warning("inbox %s: %d of %d messages imported", name, summary.imported, len(messages))
    return int(summary.imported)
