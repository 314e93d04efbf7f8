"""`responder run` starts Streamlit as a local tool: the port from the settings, no Deploy button."""

from __future__ import annotations

import tomllib

import pytest

from responder.cli.launcher import _commands
from responder.settings import PROJECT_ROOT, get_settings, reset_settings_cache


def test_ui_command_uses_the_port_and_hides_the_deploy_button(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RESPONDER_UI_PORT", "8642")
    reset_settings_cache()
    ui = _commands(get_settings())[1]
    assert ui[ui.index("--server.port") + 1] == "8642"
    assert ui[ui.index("--client.toolbarMode") + 1] == "viewer"


def test_streamlit_config_hides_the_deploy_button_too() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "viewer"
