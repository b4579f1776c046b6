"""Sending e-mail over SMTP (SOCIALDESK_SMTP_* settings): reports, and invitations to a workspace."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.reports.files import ReportFile

TIMEOUT_SECONDS = 30


def check_configured() -> None:
    if not get_settings().smtp_host:
        raise ValidationFailed("E-mail is not set up: set SOCIALDESK_SMTP_HOST (and SOCIALDESK_SMTP_PORT, "
                               "SOCIALDESK_SMTP_USERNAME, SOCIALDESK_SMTP_PASSWORD, SOCIALDESK_SMTP_FROM).")


def send(recipients: list[str], subject: str, body: str, attachment: ReportFile | None = None, *,
         sender_name: str | None = None) -> None:
    """`sender_name`: the display name of the From address (white-label: the workspace's sender name)."""
    from socialdesk.agency.white_label import from_header

    check_configured()
    settings = get_settings()
    assert settings.smtp_host is not None
    message = EmailMessage()
    message["From"] = from_header(sender_name)
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    if attachment is not None:
        main, _, sub = attachment.content_type.split(";")[0].partition("/")
        message.add_attachment(attachment.data, maintype=main, subtype=sub, filename=attachment.filename)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)
