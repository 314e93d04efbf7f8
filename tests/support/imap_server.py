"""A throw-away dovecot IMAP server on 127.0.0.1 for tests (Debian's dovecot-imapd).

Config, mail and state live in a temporary directory; one static test user with a fixed password;
plain IMAP on a free loopback port (no TLS: the tests exercise polling, not certificates).
As root, mail is stored as the `dovecot` system user (dovecot refuses root for mail).
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER = "tester"
PASSWORD = "imap-test-password-0815"


def find_dovecot() -> str | None:
    return DOVECOT if os.access(DOVECOT, os.X_OK) else shutil.which("dovecot")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class IMAPServer:
    port: int
    root: Path

    def settings_env(self, folder: str = "INBOX") -> dict[str, str]:
        return {
            "RESPONDER_MAIL_IMAP_HOST": "127.0.0.1",
            "RESPONDER_MAIL_IMAP_PORT": str(self.port),
            "RESPONDER_MAIL_IMAP_SSL": "false",
            "RESPONDER_MAIL_IMAP_USERNAME": USER,
            "RESPONDER_MAIL_IMAP_PASSWORD": PASSWORD,
            "RESPONDER_MAIL_IMAP_FOLDER": folder,
            "RESPONDER_MAIL_TIMEOUT_S": "10",
        }

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4]:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(USER, PASSWORD)
        try:
            yield conn
        finally:
            conn.logout()

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.client() as conn:
            typ, data = conn.append(folder, None, None, raw)
            assert typ == "OK", data


def _config(root: Path, port: int, uid: int, gid: int, user: str) -> str:
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {user}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service pop3-login {{
  chroot =
}}
"""


@contextlib.contextmanager
def dovecot_server() -> Iterator[IMAPServer]:
    binary = find_dovecot()
    if binary is None:
        raise FileNotFoundError("dovecot is not installed (Debian package dovecot-imapd)")
    user = "dovecot" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    entry = pwd.getpwnam(user)
    root = Path(tempfile.mkdtemp(prefix="responder-imap-"))
    os.chmod(root, 0o755)
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    for sub in ("mail", "home", "state"):
        os.chown(root / sub, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, port, entry.pw_uid, entry.pw_gid, user), encoding="utf-8")
    proc = subprocess.Popen(
        [binary, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_ready(port, proc, root)
        yield IMAPServer(port=port, root=root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(port: int, proc: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            log = (
                (root / "dovecot.log").read_text(errors="replace")
                if (root / "dovecot.log").exists()
                else ""
            )
            raise RuntimeError(f"dovecot exited with {proc.returncode}: {out}\n{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dovecot did not start within 30 s")
