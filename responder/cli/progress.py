"""A progress bar with rate and ETA for the long CLI commands (`import`, `triage`).

`progress_bar(label)` yields a callback with the core's progress signature `(done, total)`; the
bar goes to stderr (stdout stays clean for `--json`) and only when stderr is a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

Callback = Callable[[int, int | None], None]


class RateColumn(ProgressColumn):
    """Messages per second over the last few updates."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} msg/s" if speed else "… msg/s", style="progress.data.speed")


def make_progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


@contextmanager
def progress_bar(
    label: str, *, enabled: bool = True, console: Console | None = None
) -> Iterator[Callback]:
    """A `(done, total)` callback that drives a bar labelled `label` while the block runs."""
    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda done, total: None
        return
    with make_progress(console) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
