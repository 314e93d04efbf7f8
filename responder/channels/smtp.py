"""E-mail replies over SMTP (STARTTLS, SSL or plain), threaded with In-Reply-To and References.

Credentials come from the environment through `Settings.mail` (RESPONDER_MAIL_SMTP_PASSWORD);
nothing here logs them. Certificates are verified with the system's trust store (or the file
named by SSL_CERT_FILE). Errors are sorted into permanent (5xx answers, refused recipients, bad
credentials, untrusted certificates: retrying will not help) and transient (network, 4xx).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from responder.errors import ResponderError
from responder.settings import Settings
from responder.store.claims import as_utc
from responder.store.models import Draft, Message, Sender

log = logging.getLogger(__name__)


class SendError(ResponderError):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def is_configured(settings: Settings) -> bool:
    mail = settings.mail
    return bool(mail.smtp_host and mail.from_address)


def new_message_id(settings: Settings) -> str:
    """A fresh Message-ID in the sender's domain, e.g. <1763...@example.com>."""
    domain = parseaddr(settings.mail.from_address)[1].rpartition("@")[2] or "responder.local"
    return make_msgid(domain=domain)


def recipient(*, message: Message, sender: Sender | None) -> str | None:
    """Where a reply goes: Reply-To, else the sender's address."""
    address = parseaddr(message.reply_to or "")[1] or (sender.email if sender else None)
    return address or None


def _subject(message: Message) -> str:
    subject = (message.subject or "").strip().replace("\r", " ").replace("\n", " ")
    if not subject:
        return "Re: your message"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def build_reply(
    *,
    message: Message,
    draft: Draft,
    sender: Sender | None,
    settings: Settings,
    message_id: str,
    now: datetime | None = None,
) -> EmailMessage:
    """The reply to `message` with `draft`'s text as plain text, threaded under the original."""
    to = recipient(message=message, sender=sender)
    if not to:
        raise SendError("The message has no address to reply to.", permanent=True)
    out = EmailMessage()
    out["From"] = formataddr((settings.profile.name, parseaddr(settings.mail.from_address)[1]))
    out["To"] = formataddr(((sender.name if sender else "") or "", to))
    out["Subject"] = _subject(message)
    out["Date"] = format_datetime(as_utc(now))
    out["Message-ID"] = message_id
    parent = (message.email_message_id or "").strip()
    if parent:
        if not parent.startswith("<"):
            parent = f"<{parent}>"
        out["In-Reply-To"] = parent
        refs = " ".join((message.email_references or "").split())
        out["References"] = f"{refs} {parent}".strip() if parent not in refs else refs
    out["Auto-Submitted"] = "auto-replied" if draft.auto_approved else "no"
    out.set_content(draft.text)
    return out


def _connect(settings: Settings) -> smtplib.SMTP:
    mail = settings.mail
    context = ssl.create_default_context()
    if mail.smtp_security == "ssl":
        return smtplib.SMTP_SSL(
            mail.smtp_host, mail.smtp_port, timeout=mail.timeout_s, context=context
        )
    smtp = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=mail.timeout_s)
    try:
        smtp.ehlo()
        if mail.smtp_security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(msg: EmailMessage, settings: Settings) -> None:
    """Hand `msg` to the SMTP server. Returns once the server accepted it (after DATA)."""
    mail = settings.mail
    try:
        smtp = _connect(settings)
        try:
            if mail.smtp_username:
                password = mail.smtp_password.get_secret_value() if mail.smtp_password else ""
                smtp.login(mail.smtp_username, password)
            smtp.send_message(msg)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"The server refused the recipient: {_codes(exc)}", permanent=True) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(
            "SMTP login failed: check RESPONDER_MAIL_SMTP_USERNAME and "
            "RESPONDER_MAIL_SMTP_PASSWORD.",
            permanent=True,
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"The SMTP server does not support this: {exc}", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        text = f"SMTP {exc.smtp_code}: {_decode(exc.smtp_error)}"
        raise SendError(text, permanent=500 <= exc.smtp_code < 600) from exc
    except ssl.SSLCertVerificationError as exc:
        raise SendError(
            f"The SMTP server's certificate is not trusted: {exc}", permanent=True
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"Could not reach the SMTP server: {exc}", permanent=False) from exc


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _codes(exc: smtplib.SMTPRecipientsRefused) -> str:
    return ", ".join(f"{code} {_decode(text)}" for code, text in exc.recipients.values())
