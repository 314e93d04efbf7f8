"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), recording every mail it accepts.

Security modes: "none" (plain), "starttls" (STARTTLS required, AUTH only after it) and "ssl"
(implicit TLS). TLS uses a throw-away self-signed certificate for 127.0.0.1 made with the
`openssl` command (Debian's base system); clients trust it through SSL_CERT_FILE.
Faults: `fail_next(code, n)` makes the next n DATA commands answer with that code.
"""

from __future__ import annotations

import asyncio
import email
import shutil
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME = "responder-test"
PASSWORD = "smtp-test-password-4711"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1/localhost (needs the openssl command)."""
    if shutil.which("openssl") is None:
        raise FileNotFoundError("the openssl command is not installed")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: Message
    tls: bool
    authenticated: bool


@dataclass
class Recorder:
    received: list[Received] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    #: Seconds each accepted mail takes (widens the window a crash test can hit).
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, code: int, times: int = 1) -> None:
        with self.lock:
            self.failures.extend([code] * times)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.failures:
                code = self.failures.pop(0)
                return f"{code} {'try again later' if code < 500 else 'rejected'}"
            self.received.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=email.message_from_bytes(envelope.original_content or envelope.content),
                    tls=session.ssl is not None
                    or server.transport.get_extra_info("ssl_object") is not None,
                    authenticated=bool(session.authenticated),
                )
            )
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(r.message["Message-ID"]) for r in self.received]


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (
        data.login.decode() == USERNAME and data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)


class SMTPServer:
    """Start with `start()`, stop with `stop()`; `settings_env()` gives RESPONDER_MAIL_* vars."""

    def __init__(self, *, security: str = "none", cert_dir: Path | None = None) -> None:
        self.security = security
        self.recorder = Recorder()
        self.port = free_port()
        self.cert: Path | None = None
        kwargs: dict[str, Any] = {}
        if security != "none":
            assert cert_dir is not None, "TLS needs a directory for the certificate"
            self.cert, key = make_cert(cert_dir)
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(self.cert, key)
            if security == "ssl":
                kwargs["ssl_context"] = ctx
            else:
                kwargs.update(tls_context=ctx, require_starttls=True)
            # With implicit TLS aiosmtpd does not see a STARTTLS upgrade: the whole connection
            # is encrypted already, so AUTH must not wait for one.
            kwargs.update(authenticator=_authenticator, auth_require_tls=security != "ssl")
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **kwargs)

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def settings_env(self) -> dict[str, str]:
        env = {
            "RESPONDER_MAIL_SMTP_HOST": "127.0.0.1",
            "RESPONDER_MAIL_SMTP_PORT": str(self.port),
            "RESPONDER_MAIL_SMTP_SECURITY": self.security,
            "RESPONDER_MAIL_FROM_ADDRESS": "alex@example.test",
            "RESPONDER_MAIL_TIMEOUT_S": "10",
        }
        if self.security != "none":
            env["RESPONDER_MAIL_SMTP_USERNAME"] = USERNAME
            env["RESPONDER_MAIL_SMTP_PASSWORD"] = PASSWORD
            env["SSL_CERT_FILE"] = str(self.cert)
        return env

    @property
    def received(self) -> list[Received]:
        return self.recorder.received
