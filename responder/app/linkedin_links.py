"""The only links the app makes clickable: LinkedIn profiles and conversations.

A link is shown as an "Open on LinkedIn" button only when its parsed host is exactly
`linkedin.com` or `www.linkedin.com` (https or http, no user name, password or port) and its path
is a profile (`/in/<id>`) or a conversation (`/messaging/...`). The button's target is rebuilt
from those parts (https, www host, quoted path, no query or fragment), never the raw string.
Every other link (message bodies included) stays defanged and unclickable.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

from responder.store.models import Sender

LINKEDIN_HOSTS = frozenset({"linkedin.com", "www.linkedin.com"})
_PROFILE = re.compile(r"^/in/([^/\s]{1,100})/?$")
_MESSAGING = re.compile(r"^/messaging/((?:thread|compose)/[^/\s]{1,200}|[a-z]*)/?$")


def linkedin_link(url: str | None) -> str | None:
    """The safe https URL for a LinkedIn profile or conversation link, else None."""
    text = (url or "").strip()
    if not text or any(c.isspace() or ord(c) < 32 for c in text):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if (
        parts.scheme.lower() not in {"http", "https"}
        or host not in LINKEDIN_HOSTS
        or parts.netloc.lower() not in LINKEDIN_HOSTS  # no user info, no port, no odd casing
        or port is not None
    ):
        return None
    path = unquote(parts.path)
    profile = _PROFILE.match(path)
    if profile:
        return f"https://www.linkedin.com/in/{quote(profile.group(1), safe='-_.~')}/"
    messaging = _MESSAGING.match(path)
    if messaging:
        tail = messaging.group(1)
        return "https://www.linkedin.com/messaging/" + (
            quote(tail, safe="/-_.~=") + "/" if tail else ""
        )
    return None


def profile_link(sender: Sender | None) -> str | None:
    """The sender's LinkedIn profile as a safe link, or None."""
    return linkedin_link(sender.profile_url) if sender is not None else None
