"""Outgoing e-mail through smtplib; written to the log when no SMTP server is configured."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import gettext as _


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text e-mail; return whether an SMTP server accepted it."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not config.get("MAIL_SERVER"):
        current_app.logger.info("No MAIL_SERVER: e-mail not sent.\n%s", message.as_string())
        return False
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]),
                          timeout=config.get("MAIL_TIMEOUT", 10)) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.error("E-mail to a school could not be sent: %s", error)
        return False
    return True


def send_edit_link(submission, link: str) -> bool:
    """E-mail a school the secret link that edits or cancels its sessions."""
    return send_mail(submission.contact_email, _("Open Gen : votre lien pour modifier vos sessions"),
                     render_template("submit/edit_link_mail.txt", submission=submission, link=link))
