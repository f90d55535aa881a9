"""Outgoing e-mail through smtplib; printed on the server's console (stdout) when no SMTP server is set."""
from __future__ import annotations

import smtplib
import sys
from dataclasses import asdict, dataclass
from email import policy
from email.message import EmailMessage

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

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
        readable = console_text(message)
        # stdout is the console of `make run` (gunicorn passes it through), where a newcomer looks.
        print(readable, file=sys.stdout, flush=True)
        current_app.logger.info("No MAIL_SERVER: e-mail not sent, printed on stdout.\n%s", readable)
        return False
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]),
                          timeout=config.get("MAIL_TIMEOUT", 10)) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.error("E-mail could not be sent: %s", error)
        return False
    return True


def console_text(message: EmailMessage) -> str:
    """Return an e-mail as a person reads it (headers, then the decoded body), framed for a console."""
    rule = "-" * 72
    headers = "\n".join(f"{name}: {value}" for name, value in message.items()
                        if name not in ("MIME-Version", "Content-Type", "Content-Transfer-Encoding"))
    return (f"{rule}\nE-mail not sent (no MAIL_SERVER set): printed here instead.\n{headers}\n\n"
            f"{message.get_content().rstrip()}\n{rule}")


def configured() -> bool:
    """Tell whether an SMTP server is set (otherwise mails are printed on the server's console)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def tell_school(submission, subject, template: str, **context) -> bool:
    """E-mail a submission's contact a message from a template, in the language the school proposed in
    (the subject: a lazy text, so that it is written in that language too)."""
    with force_locale(submission.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return send_mail(submission.contact_email, str(subject),
                         render_template(template, submission=submission, **context))


def edit_link(token: str) -> str:
    """Return the secret link that edits or cancels a submission's sessions."""
    return url_for("submit.manage", token=token, _external=True)


@dataclass(frozen=True)
class EditLinkDelivery:
    """Where a school's edit link went: the link, the address, and how (sent, or printed on the console)."""

    link: str
    to: str
    sent: bool
    printed: bool  # no SMTP server is set: the mail was printed on the server's console

    def as_dict(self) -> dict:
        """Return the delivery as plain values (kept in the session until the next page)."""
        return asdict(self)


def deliver_edit_link(submission, token: str) -> EditLinkDelivery:
    """E-mail a school the secret link that edits or cancels its sessions; say where and how it went."""
    link = edit_link(token)
    sent = tell_school(submission, _l("Open Gen : votre lien pour modifier vos sessions"),
                       "submit/edit_link_mail.txt", link=link)
    return EditLinkDelivery(link, submission.contact_email, sent, printed=not configured())


def send_edit_link(submission, token: str) -> str:
    """E-mail a school the secret link that edits or cancels its sessions; return the link."""
    return deliver_edit_link(submission, token).link
