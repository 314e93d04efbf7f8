"""Run `responder worker` as a real subprocess against the test's database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from responder.settings import PROJECT_ROOT

#: Fast ticks and "always business hours" so the real clock never makes a test wait.
FAST = {
    "RESPONDER_WORKER_TICK_SECONDS": "1",
    "RESPONDER_WORKER_HEARTBEAT_SECONDS": "1",
    "RESPONDER_POLICY_BUSINESS_DAYS": "[0,1,2,3,4,5,6]",
    "RESPONDER_POLICY_BUSINESS_HOURS_START": "0",
    "RESPONDER_POLICY_BUSINESS_HOURS_END": "24",
}


class Worker:
    def __init__(self, log_dir: Path, *, name: str | None = None, **env: str) -> None:
        full = {**os.environ, **FAST, **env}
        if "RESPONDER_FAULT_HOOK" not in env:
            full.pop("RESPONDER_FAULT_HOOK", None)
        cmd = [sys.executable, "-m", "responder", "worker"] + (["--name", name] if name else [])
        self.log = log_dir / f"worker-{name or 'default'}-{time.monotonic_ns()}.log"
        self._fh = self.log.open("wb")
        self.proc = subprocess.Popen(
            cmd, env=full, cwd=PROJECT_ROOT, stdout=self._fh, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._fh.close()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


def wait_for(check: Callable[[], Any], *, timeout: float = 60, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
