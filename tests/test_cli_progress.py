"""The CLI's progress bar: count, rate and ETA on a terminal; nothing when disabled or piped."""

from __future__ import annotations

import io
import time

from rich.console import Console

from responder.cli.progress import progress_bar


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=140), out


def test_bar_shows_count_rate_and_eta() -> None:
    console, out = _console(terminal=True)
    with progress_bar("Triage", console=console) as update:
        update(0, 400)
        time.sleep(0.05)
        update(200, 400)
        time.sleep(0.05)
        update(400, 400)
    text = out.getvalue()
    assert "Triage" in text
    assert "400/400" in text
    assert "msg/s" in text and "… msg/s" not in text.rsplit("400/400", 1)[-1]
    assert "ETA" in text


def test_no_bar_when_disabled_or_not_a_terminal() -> None:
    for console, out, enabled in (
        (*_console(terminal=True), False),
        (*_console(terminal=False), True),
    ):
        with progress_bar("Import", enabled=enabled, console=console) as update:
            update(10, 20)
        assert out.getvalue() == ""
