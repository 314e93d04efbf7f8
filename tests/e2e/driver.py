"""`E2EApp`: the running app and a browser page on it, with the moves every journey needs."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from responder.settings import PROJECT_ROOT, Settings
from responder.store import db

ARTIFACTS = PROJECT_ROOT / "tests" / "e2e" / "artifacts"
RUN_TIMEOUT_MS = 180_000


class E2EApp:
    """The running app and a browser page on it, with the few moves every journey needs."""

    def __init__(self, *, base_url: str, data_dir: Path, page: Any) -> None:
        self.base_url = base_url
        self.data_dir = data_dir
        self.page = page
        self.dialogs: list[str] = []
        self._engine: Engine | None = None
        self._shots = 0
        page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog: Any) -> None:  # an alert() would mean injected script ran
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    @property
    def engine(self) -> Engine:
        """The app's own database (to pick ids and check effects)."""
        if self._engine is None:
            settings = Settings(data_dir=self.data_dir)
            self._engine = db.make_engine(settings.database_url, settings=settings)
        return self._engine

    def wait(self, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
        """Wait until the script run finished: Streamlit's "running" widget came and went and no
        element is still a loading skeleton."""
        with contextlib.suppress(Exception):  # a quick run may finish before we look
            self.page.wait_for_selector("[data-testid='stStatusWidget']", timeout=1500)
        self.page.wait_for_function(
            "() => !document.querySelector(\"[data-testid='stStatusWidget'], "
            "[data-testid='stSkeleton']\")",
            timeout=timeout_ms,
        )
        self.page.wait_for_timeout(250)

    def open(self, path: str = "") -> None:
        self.page.goto(f"{self.base_url}/{path.lstrip('/')}")
        self.page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
        self.page.wait_for_selector("h1", timeout=60_000)
        self.wait()

    def click(self, name: str) -> None:
        """Click the button whose label starts with `name` (a shortcut hint may follow it)."""
        pattern = re.compile("^(?:[a-z_]+)?" + re.escape(name) + r"(\s|$)")
        self.page.get_by_role("button", name=pattern).first.click()
        self.wait()

    def press(self, key: str) -> None:
        """A keyboard shortcut, with the focus outside any input."""
        self.page.locator("h1").first.click()
        self.page.keyboard.press(key)
        self.wait()

    def expect_text(self, text: str, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
        self.page.get_by_text(text, exact=False).first.wait_for(timeout=timeout_ms)

    def choose(self, label: str, option: str) -> None:
        """Pick `option` in the st.selectbox labelled `label`."""
        box = self.page.get_by_label(label, exact=True).first
        box.click()
        self.page.keyboard.type(option)
        self.page.get_by_role("option", name=option, exact=True).first.click()
        self.wait()

    def assert_no_exception(self) -> None:
        assert self.page.locator("[data-testid='stException']").count() == 0, self.page.content()[
            :2000
        ]

    def shot(self, name: str) -> Path:
        self._shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^a-z0-9_-]+", "-", name.lower())
        path = ARTIFACTS / f"{self._shots:02d}-{safe}.png"
        # The main area scrolls inside the page: grow the viewport to show all of it.
        height = self.page.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 1000"
        )
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": size["width"], "height": min(max(height, 800), 8000)})
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(path))
        self.page.set_viewport_size(size)
        return path

    def ensure_demo(self) -> None:
        """Load the demo inbox through the Import page unless messages are already there."""
        from sqlmodel import Session, func, select

        from responder.store.models import Message

        with Session(self.engine) as s:
            if s.exec(select(func.count()).select_from(Message)).one():
                return
        self.open("import")
        self.click("Load demo inbox")
        self.expect_text("Demo inbox")
