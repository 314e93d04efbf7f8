"""`responder doctor`: check configuration, database, migrations, worker, LLM and mail servers,
and say what to do about each problem."""

from __future__ import annotations

import imaplib
import logging
import smtplib
import ssl
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from responder.app.llm_check import test_connection
from responder.settings import Settings
from responder.store import db
from responder.store.models import WorkerHeartbeat

log = logging.getLogger(__name__)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    #: "skip" checks are not configured and not a problem.
    skipped: bool = False

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def run_checks(settings: Settings) -> list[Check]:
    checks = [_check_database(settings)]
    if checks[0].ok:
        checks.append(_check_migrations(settings))
    else:
        checks.append(Check("migrations", False, "skipped: no database", "fix the database first"))
    if checks[-1].ok:
        checks.append(_check_worker(settings))
    else:
        checks.append(
            Check(
                "worker",
                False,
                "skipped: the schema is not up to date",
                "run `responder db upgrade` first",
            )
        )
    checks += [_check_llm(settings), _check_smtp(settings), _check_imap(settings)]
    return checks


def _check_database(settings: Settings) -> Check:
    engine = db.make_engine(settings.database_url, settings=settings)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return Check("database", True, f"connected ({engine.dialect.name})")
    except Exception as exc:  # noqa: BLE001 - any failure is reported to the user
        return Check(
            "database",
            False,
            f"cannot connect: {exc.__class__.__name__}: {exc}",
            "check RESPONDER_DATABASE_URL (or unset it to use SQLite in the data dir)",
        )
    finally:
        engine.dispose()


def _check_migrations(settings: Settings) -> Check:
    try:
        current = db.current_revision(settings.database_url)
    except Exception as exc:  # noqa: BLE001
        return Check(
            "migrations", False, f"cannot read the revision: {exc}", "fix the database first"
        )
    head = db.head_revision()
    if current == head:
        return Check("migrations", True, f"at {head}")
    return Check(
        "migrations",
        False,
        f"database at {current}, newest is {head}",
        "run `responder db upgrade` (make run does it for you)",
    )


def _check_worker(settings: Settings) -> Check:
    from sqlmodel import Session, select

    engine = db.make_engine(settings.database_url, settings=settings)
    try:
        with Session(engine) as s:
            beats = list(s.exec(select(WorkerHeartbeat)))
    except Exception as exc:  # noqa: BLE001
        return Check(
            "worker",
            False,
            f"cannot read heartbeats: {exc.__class__.__name__}",
            "fix the database first",
        )
    finally:
        engine.dispose()
    if not beats:
        return Check(
            "worker",
            False,
            "no worker has ever run against this database",
            "start it with `responder worker` (make run starts it)",
        )
    latest = max(b.last_seen for b in beats)
    age = (datetime.now(UTC) - latest).total_seconds()
    limit = max(3 * settings.worker.heartbeat_seconds, 60)
    if age <= limit:
        return Check("worker", True, f"alive (last heartbeat {age:.0f} s ago)")
    return Check(
        "worker",
        False,
        f"last heartbeat {age / 60:.0f} min ago",
        "start it with `responder worker` (make run starts it)",
    )


def _check_llm(settings: Settings) -> Check:
    if not settings.llm.enabled:
        return Check("llm", True, "offline provider (no model configured)", skipped=True)

    result = test_connection(settings)
    if result.get("error"):
        return Check(
            "llm",
            False,
            f"{settings.llm.model} at "
            f"{settings.llm.effective_base_url() or 'api.openai.com'}: {result['error']}",
            "check RESPONDER_LLM_MODEL, OPENAI_BASE_URL and the API key, or set "
            "RESPONDER_LLM_PROVIDER=offline",
        )
    so = (
        "works"
        if result.get("structured_output_ok")
        else "does NOT work (set "
        "RESPONDER_LLM_STRUCTURED_OUTPUT_METHOD=json_mode or function_calling)"
    )
    return Check(
        "llm",
        True,
        f"{result.get('model')} answered in {result.get('latency_ms')} ms; structured output {so}",
    )


def _check_smtp(settings: Settings) -> Check:
    mail = settings.mail
    if not mail.smtp_host:
        return Check("smtp", True, "not configured (e-mail replies stay in the app)", skipped=True)
    try:
        if mail.smtp_security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                mail.smtp_host,
                mail.smtp_port,
                timeout=mail.timeout_s,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=mail.timeout_s)
            if mail.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
        with client:
            if mail.smtp_username and mail.smtp_password:
                client.login(mail.smtp_username, mail.smtp_password.get_secret_value())
            client.noop()
        return Check("smtp", True, f"{mail.smtp_host}:{mail.smtp_port} accepts us")
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        return Check(
            "smtp",
            False,
            f"{mail.smtp_host}:{mail.smtp_port}: {exc}",
            "check RESPONDER_MAIL_SMTP_HOST/PORT/SECURITY and the credentials",
        )


def _check_imap(settings: Settings) -> Check:
    mail = settings.mail
    if not mail.imap_host:
        return Check("imap", True, "not configured", skipped=True)
    try:
        cls = imaplib.IMAP4_SSL if mail.imap_ssl else imaplib.IMAP4
        with cls(mail.imap_host, mail.imap_port, timeout=mail.timeout_s) as client:
            if mail.imap_username and mail.imap_password:
                client.login(mail.imap_username, mail.imap_password.get_secret_value())
                typ, _ = client.select(mail.imap_folder, readonly=True)
                if typ != "OK":
                    return Check(
                        "imap",
                        False,
                        f"folder {mail.imap_folder!r} not found",
                        "set RESPONDER_MAIL_IMAP_FOLDER",
                    )
        return Check("imap", True, f"{mail.imap_host}:{mail.imap_port} folder {mail.imap_folder}")
    except (OSError, imaplib.IMAP4.error) as exc:
        return Check(
            "imap",
            False,
            f"{mail.imap_host}:{mail.imap_port}: {exc}",
            "check RESPONDER_MAIL_IMAP_HOST/PORT/SSL and the credentials",
        )
