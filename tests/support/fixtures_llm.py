"""Pytest fixture for the fake OpenAI-compatible server (see tests/support/openai_server.py).

Registered for every test by one import line in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.openai_server import FakeOpenAIServer


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A started server on 127.0.0.1; `openai_server.base_url` is the `/v1` URL for clients."""
    with FakeOpenAIServer() as server:
        yield server
