"""Sending one e-mail: a local SMTP server when ``USINE_SMTP`` is set, else Amazon SES.

- ``USINE_SMTP=host:port``: plain SMTP (``smtplib``, no TLS, no login), for ``make run``
  (scripts/run_local.py saves what it receives under ``.data/mail/``) and the tests (a
  real aiosmtpd server reads the message back: tests/api/smtp_fixture.py).
- Otherwise Amazon SES (API v2 ``SendEmail``) in the function's region, from
  ``USINE_MAIL_FROM``: the template allows ``ses:SendEmail`` on that identity only.

The environment is read at each call, never at import (chalice's test client sets it
for the duration of a request only). boto3 and smtplib are imported on first use (a
cold start of a request that sends nothing loads neither).

A message whose recipient or subject holds a line break (header injection), or more than
one recipient, is refused before anything is sent. Any failure raises :class:`MailError`
with a code; the caller decides what it means (a stored allocation stays stored).

Logs: one line per message, ``{"mail": <kind>, "status": "sent"|"failed", "error":
<code>}``: never an address, a subject (it may carry a name) or a body (it carries a
token).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("usine.mail")

SMTP_TIMEOUT = 5.0  # seconds, connect and each command
# Like tables.CLIENT_CONFIG: one call takes at most 2 x (1 s + 3 s) plus one backoff.
SES_CLIENT_CONFIG = {"connect_timeout": 1, "read_timeout": 3,
                     "retries": {"mode": "standard", "total_max_attempts": 2}}

_ses_clients: dict[str | None, Any] = {}


class MailError(Exception):
    """A message was not sent; ``code`` says why (no address, no content)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Message:
    """One plain-text e-mail to one recipient. ``kind`` names it in the logs."""

    to: str
    subject: str
    text: str
    kind: str = "mail"


def sender() -> str:
    """``USINE_MAIL_FROM``: the address messages come from (SES: a verified identity)."""
    value = os.environ.get("USINE_MAIL_FROM", "").strip()
    if not value:
        raise MailError("mail_from_missing")
    return value


def smtp_target() -> tuple[str, int] | None:
    """``USINE_SMTP=host:port`` -> ``(host, port)``; unset -> None (Amazon SES)."""
    value = os.environ.get("USINE_SMTP", "").strip()
    if not value:
        return None
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise MailError("smtp_misconfigured")
    return host.strip("[]"), int(port)


def build(message: Message, from_address: str) -> Any:
    """The MIME message to send (plain text, UTF-8). A header value with CR or LF, or a
    sender or recipient that is not exactly one address, raises
    ``MailError("invalid_header")``: nothing is sent."""
    from email.header import Header
    from email.message import EmailMessage
    from email.mime.text import MIMEText
    from email.policy import SMTP
    from email.utils import formataddr, formatdate, make_msgid

    check = EmailMessage(policy=SMTP)  # its policy refuses a line break in a header too
    try:
        for name, value in (("From", from_address), ("To", message.to),
                            ("Subject", message.subject)):
            if "\r" in value or "\n" in value:
                raise ValueError("line break in a header")
            check[name] = value
        addresses = {}
        for name in ("From", "To"):
            found = check[name].addresses
            if len(found) != 1 or not found[0].username or not found[0].domain:
                raise ValueError("not exactly one address")
            addresses[name] = found[0]
    except (ValueError, TypeError, IndexError) as exc:
        raise MailError("invalid_header") from exc
    # Built with the compat32 classes: their encoded words fold without the extra space
    # that EmailMessage's folder leaves where an ASCII word meets an encoded one.
    email = MIMEText(message.text, "plain", "utf-8")  # RTL text needs nothing more
    for name, address in addresses.items():
        email[name] = formataddr((address.display_name, address.addr_spec), "utf-8")
    email["Subject"] = Header(message.subject, "utf-8")
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = make_msgid(domain=addresses["From"].domain)
    return email


def send(message: Message) -> None:
    """Send ``message`` (SMTP when ``USINE_SMTP`` is set, else SES); MailError if not."""
    try:
        from_address = sender()
        email = build(message, from_address)
        target = smtp_target()
        if target is not None:
            _send_smtp(target, email)
        else:
            _send_ses(from_address, message)
    except MailError as err:
        log.warning("mail not sent", extra={"mail": message.kind, "status": "failed",
                                            "error": err.code})
        raise
    log.info("mail sent", extra={"mail": message.kind, "status": "sent"})


def _send_smtp(target: tuple[str, int], email: Any) -> None:
    import smtplib

    host, port = target
    try:
        with smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT) as smtp:
            refused = smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError("smtp_recipient_refused") from exc
    except smtplib.SMTPException as exc:
        raise MailError("smtp_refused") from exc
    except OSError as exc:  # refused, unreachable, timed out
        raise MailError("smtp_unreachable") from exc
    if refused:
        raise MailError("smtp_recipient_refused")


def ses_client(region: str | None = None) -> Any:
    """A cached SES v2 client for ``region`` (default: the environment's, as boto3 reads
    it: ``AWS_REGION`` on Lambda, else ``AWS_DEFAULT_REGION``)."""
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    client = _ses_clients.get(region)
    if client is None:
        import boto3.session
        from botocore.config import Config

        config = Config(**{k: (dict(v) if isinstance(v, dict) else v)
                           for k, v in SES_CLIENT_CONFIG.items()})
        client = boto3.session.Session(region_name=region).client("sesv2", config=config)
        _ses_clients[region] = client
    return client


def _send_ses(from_address: str, message: Message) -> None:
    # Simple content: SES builds the MIME message (UTF-8) from the checked values.
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        ses_client().send_email(
            FromEmailAddress=from_address,
            Destination={"ToAddresses": [message.to]},
            Content={"Simple": {
                "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"}},
            }},
        )
    except ClientError as exc:
        code = (exc.response.get("Error") or {}).get("Code") or "ClientError"
        raise MailError(f"ses_{code}") from exc
    except BotoCoreError as exc:  # no endpoint, no credentials, timed out
        raise MailError("ses_unreachable") from exc
