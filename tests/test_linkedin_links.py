"""Only LinkedIn profiles and conversations become buttons; every other link stays defanged."""

from __future__ import annotations

import pytest

from responder.app.linkedin_links import linkedin_link, profile_link
from responder.store.models import Sender


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.linkedin.com/in/anna-weber", "https://www.linkedin.com/in/anna-weber/"),
        ("http://linkedin.com/in/anna/", "https://www.linkedin.com/in/anna/"),
        ("https://WWW.LINKEDIN.COM/in/anna", "https://www.linkedin.com/in/anna/"),
        ("https://www.linkedin.com/in/anna?trk=<script>#x", "https://www.linkedin.com/in/anna/"),
        ("https://www.linkedin.com/messaging/thread/2-abc==/",
         "https://www.linkedin.com/messaging/thread/2-abc==/"),
        ("https://www.linkedin.com.evil.example/in/anna", None),
        ("https://evil.example/in/anna", None),
        ("https://linkedin.com@evil.example/in/anna", None),
        ("https://user@www.linkedin.com/in/anna", None),
        ("https://www.linkedin.com:8443/in/anna", None),
        ("https://lnkd.in/abc", None),
        ("https://de.linkedin.com/in/anna", None),  # exactly linkedin.com or www.linkedin.com
        ("https://www.linkedin.com/feed/", None),
        ("https://www.linkedin.com/in/anna/detail/contact-info", None),
        ("https://www.linkedin.com/in/%2F..%2Fx", None),
        ("javascript:alert(1)//www.linkedin.com/in/a", None),
        ("ftp://www.linkedin.com/in/anna", None),
        ("https://www.linkedin.com/in/an na", None),
        ("", None),
        (None, None),
    ],
)  # fmt: skip
def test_only_linkedin_profiles_and_conversations(url: str | None, expected: str | None) -> None:
    assert linkedin_link(url) == expected


def test_profile_link_of_a_sender() -> None:
    assert profile_link(Sender(key="k", profile_url="https://www.linkedin.com/in/sam")) == (
        "https://www.linkedin.com/in/sam/"
    )
    assert profile_link(Sender(key="k", profile_url="https://evil.example/in/sam")) is None
    assert profile_link(None) is None
