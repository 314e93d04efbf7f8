"""`responder run`: start the Streamlit app and the worker as two processes; stop both together."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

from responder.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)


def _commands(settings: Settings) -> list[list[str]]:
    app_path = Path(PROJECT_ROOT) / "ui" / "app.py"
    ui = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.address",
        settings.ui.address,
        "--server.port",
        str(settings.ui.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # The app is a local tool: no "Deploy" button or developer menu (see .streamlit/config.toml).
        "--client.toolbarMode",
        "viewer",
    ]
    worker = [sys.executable, "-m", "responder", "worker"]
    return [worker, ui]


def run(settings: Settings) -> int:
    """Run worker and UI until one exits or we get SIGINT/SIGTERM; then stop the other."""
    procs = [subprocess.Popen(cmd) for cmd in _commands(settings)]
    log.info(
        "Responder is running at http://%s:%s (Ctrl-C stops it)",
        settings.ui.address,
        settings.ui.port,
    )
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    code = 0
    try:
        while not stopping:
            for proc in procs:
                rc = proc.poll()
                if rc is not None:
                    log.error("%s exited with %s; stopping", proc.args[2:4], rc)
                    stopping, code = True, rc or 1
            time.sleep(0.3)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return code
