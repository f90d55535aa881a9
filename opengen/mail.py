"""Outgoing e-mail through smtplib; written to the log when no SMTP server is configured."""
from __future__ import annotations

import smtplib
from email import policy
from email.message import EmailMessage

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

# Folding a header at 78 characters can put two encoded words side by side, and readers then drop
# the space between them (« sécurité » read as « sécurité»); SMTP allows 998.
MAIL_POLICY = policy.default.clone(max_line_length=998)


def send_mail(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> bool:
    """Send a plain-text e-mail, with extra headers if given; return whether an SMTP server accepted it."""
    config = current_app.config
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, cte="quoted-printable")
    if not config.get("MAIL_SERVER"):
        current_app.logger.info("No MAIL_SERVER: e-mail not sent.\n%s", message.as_string())
        return False
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]),
                          timeout=config.get("MAIL_TIMEOUT", 10)) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.error("E-mail could not be sent: %s", error)
        return False
    return True


def tell_school(submission, subject: str, template: str, **context) -> bool:
    """E-mail a submission's contact a message written from a template."""
    return send_mail(submission.contact_email, subject,
                     render_template(template, submission=submission, **context))


def edit_link(token: str) -> str:
    """Return the secret link that edits or cancels a submission's sessions."""
    return url_for("submit.manage", token=token, _external=True)


def send_edit_link(submission, token: str) -> str:
    """E-mail a school the secret link that edits or cancels its sessions; return the link."""
    link = edit_link(token)
    tell_school(submission, _("Open Gen : votre lien pour modifier vos sessions"), "submit/edit_link_mail.txt",
                link=link)
    return link
