"""Who may use the app. On localhost nobody is asked for anything; bound to any other address
(or reached from another machine) the app asks for RESPONDER_UI_PASSWORD (environment or
Streamlit secrets) before any page renders, and refuses to show data when none is configured.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time

import streamlit as st

from ui.state import base_settings

log = logging.getLogger(__name__)

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "ip6-localhost"})
_AUTH_KEY = "_responder_authenticated"


def is_local(address: str | None) -> bool:
    """True for loopback names and addresses. Empty means "all interfaces": not local."""
    if not address:
        return False
    address = address.strip().lower()
    if address in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def _server_address() -> str | None:
    try:
        value = st.get_option("server.address")
    except Exception:  # noqa: BLE001 - option unknown in an unusual runtime
        return None
    return str(value) if value else None


def _client_ip() -> str | None:
    try:
        value = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context
        return None
    return value if isinstance(value, str) and value else None  # AppTest gives a mock


def needs_password() -> bool:
    """A password is required when the app is configured or bound to a non-loopback address, or
    when the browser talking to us is not on this machine."""
    configured = base_settings().ui.address
    server = _server_address()
    client = _client_ip()
    if not is_local(configured):
        return True
    if server is not None and not is_local(server):
        return True
    return client is not None and not is_local(client)


def check_password(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def gate() -> bool:
    """True when the visitor may see the app; otherwise renders the login form (or the refusal)
    and returns False."""
    if not needs_password() or st.session_state.get(_AUTH_KEY):
        return True
    secret = base_settings().ui.password
    if secret is None or not secret.get_secret_value():
        st.title("Responder")
        st.error(
            "This app is reachable from other machines, so it needs a password, and none is "
            "configured. Set RESPONDER_UI_PASSWORD in the environment or in "
            ".streamlit/secrets.toml, or listen on localhost only (RESPONDER_UI_ADDRESS=127.0.0.1).",
            icon=":material/lock:",
        )
        return False
    st.title("Responder")
    with st.form("login", clear_on_submit=True):
        given = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        if check_password(given, secret.get_secret_value()):
            st.session_state[_AUTH_KEY] = True
            st.rerun()
        time.sleep(1.0)  # slows down guessing
        log.warning("failed login to the app")
        st.error("Wrong password.")
    return False


def logout() -> None:
    st.session_state.pop(_AUTH_KEY, None)


def is_authenticated() -> bool:
    return bool(st.session_state.get(_AUTH_KEY))
