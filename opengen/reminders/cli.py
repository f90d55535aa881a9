"""`flask send-reminders`, for cron: send the reminder mails that are due, then forget old addresses."""
from __future__ import annotations

import click
from flask import Flask, current_app

from .sending import send_due


@click.command("send-reminders")
def send_reminders_command() -> None:
    """Send the reminder mails that are due (exactly once, even run twice at once); purge old addresses."""
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER n’est pas configuré : aucun e-mail n’est envoyé, ils attendent dans la file.",
                   err=True)
        raise SystemExit(1)
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost:5000"
    with current_app.test_request_context(base_url=base):  # French wording and absolute links, as on the web
        report = send_due()
    click.echo(f"Rappels : {report.planned} rappel(s) de la veille préparé(s), {report.sent} e-mail(s) envoyé(s), "
               f"{report.failed} refusé(s) (réessayé(s) au prochain passage), {report.dropped} abandonné(s) "
               f"(trop tard ou plus d’actualité), {report.purged} adresse(s) effacée(s).")
    if report.stopped:
        click.echo("Le serveur SMTP ne répond pas ou refuse les envois : le reste attend le prochain passage.",
                   err=True)
    if report.failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the send-reminders command."""
    app.cli.add_command(send_reminders_command)
