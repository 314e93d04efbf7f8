"""Real-browser tests: `streamlit run ui/app.py` on 127.0.0.1 (a free port, a temporary data
dir) driven by Playwright through Debian's chromium. No browser download, no internet.

One app server and one browser serve the whole e2e session; the `e2e` fixture is the helper every
journey file uses (open a page, click, wait for the script to finish, screenshot). Journey files
run in name order and share the server's state, so a later file can rely on the demo inbox that
`test_journey.py` loaded (or call `e2e.ensure_demo()`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from responder.settings import PROJECT_ROOT
from tests.e2e.driver import E2EApp
from tests.support.demo_snapshot import build_snapshot

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not start in {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`streamlit run ui/app.py` on 127.0.0.1 with a fresh data dir (only the offline model is
    pre-trained, so "Load demo inbox" sorts in seconds)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed (/usr/bin/chromium); apt-get install chromium"
        )
    pytest.importorskip("playwright.sync_api")
    root = tmp_path_factory.mktemp("e2e")
    snapshot = build_snapshot(root / "snapshot")
    data_dir = root / "data"
    data_dir.mkdir()
    snapshot.copy_models_to(data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RESPONDER_", "OPENAI_"))}
    env.update(
        RESPONDER_DATA_DIR=str(data_dir),
        RESPONDER_CONFIG=str(PROJECT_ROOT / "config" / "responder.toml"),
        PYTHONUNBUFFERED="1",
    )
    port = _free_port()
    log = root / "streamlit.log"
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "ui" / "app.py"),
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--server.runOnSave", "false",
           "--client.toolbarMode", "viewer"]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url, data_dir
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser(app_server: tuple[str, Path]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def e2e(app_server: tuple[str, Path], browser: Any) -> Iterator[E2EApp]:
    url, data_dir = app_server
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    app = E2EApp(base_url=url, data_dir=data_dir, page=page)
    try:
        yield app
    finally:
        if app._engine is not None:
            app._engine.dispose()
        context.close()
