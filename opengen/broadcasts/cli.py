"""The GEN team's commands for the morning broadcasts: schedule the lineup, list it, edit it.

Every command speaks French, saves nothing and exits non-zero when its input is wrong.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import click
from flask import Flask

from ..db import db
from ..editions import current_edition
from ..i18n import day_label, hour_label
from ..models import Broadcast
from ..timezones import PARIS
from . import operations, showings
from .operations import BroadcastError, paris_moment
from .planner import ScheduleError, Slot

_HOUR = re.compile(r"^(\d{1,2})[:hH](\d{2})$")
_ACTIONS = {"fixed": "fixée, conservée", "unchanged": "inchangée", "updated": "mise à jour",
            "created": "créée"}


# --------------------------------------------------------------------------- parsing

def parse_hour(text: str, field: str = "start") -> time:
    """Read a wall-clock hour such as 10:00, 9h30 or 10 h 00; raise BroadcastError otherwise."""
    match = _HOUR.match(text.replace(" ", ""))
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return time(int(match.group(1)), int(match.group(2)))
    raise BroadcastError(field, f"Heure invalide : « {text} ». Exemple attendu : 10:00.")


def parse_when(text: str, day: date | None = None, field: str = "start") -> datetime:
    """Read a moment: AAAA-MM-JJ HH:MM (Paris time), ISO 8601 with an offset, or HH:MM on `day`.

    Raises BroadcastError, in French, on anything else, including a Paris time that does not
    exist or happens twice because of a daylight-saving change.
    """
    text = text.strip()
    if _HOUR.match(text.replace(" ", "")):
        if day is None:
            raise BroadcastError(field, f"« {text} » : précisez aussi le jour (AAAA-MM-JJ HH:MM).")
        return paris_moment(day, parse_hour(text, field), field)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BroadcastError(field, f"Date et heure invalides : « {text} ». Formats acceptés : "
                                    f"AAAA-MM-JJ HH:MM (heure de Paris) ou HH:MM.") from None
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment
    return paris_moment(moment.date(), moment.time(), field)


def parse_families(text: str) -> list[str]:
    """Read comma-separated family slugs (checked when saved)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_link(text: str) -> dict:
    """Read PLATFORM=URL into {"platform", "url"} (checked when saved)."""
    platform, sep, url = text.partition("=")
    if not sep:
        raise BroadcastError("links", f"Lien invalide : « {text} ». Format attendu : PLATEFORME=URL, "
                                      f"par exemple YouTube=https://www.youtube.com/…")
    return {"platform": platform.strip(), "url": url.strip()}


def parse_guest(text: str) -> dict:
    """Read "Name|Role" (role optional) into {"name", "role"} (checked when saved)."""
    name, _, role = text.partition("|")
    return {"name": name.strip(), "role": role.strip()}


def parse_positive(text: str, what: str, field: str) -> int:
    """Read a positive whole number; raise BroadcastError naming `what` otherwise."""
    if not text.strip().isdigit() or int(text) < 1 or len(text.strip()) > 6:
        raise BroadcastError(field, f"{what} invalide : « {text} ». Un nombre entier positif est attendu.")
    return int(text)


# --------------------------------------------------------------------------- display

def describe(broadcast: Broadcast) -> str:
    """Return a broadcast as a few lines of French for the terminal."""
    start = broadcast.start_at.astimezone(PARIS)
    links = ", ".join(f"{link['platform']} {link['url']}" for link in broadcast.links or ()) or "—"
    guests = ", ".join(f"{g['name']} ({g['role']})" if g.get("role") else g["name"]
                       for g in broadcast.guests or ()) or "—"
    return "\n".join([
        f"#{broadcast.id}  {day_label(start)} {start.year}, {hour_label(broadcast.start_at)} – "
        f"{hour_label(broadcast.end_at)}{'  [fixée]' if broadcast.is_fixed else ''}",
        f"    {broadcast.title}",
        f"    familles : {', '.join(showings.family_slugs(broadcast)) or '—'}",
        f"    liens : {links}",
        f"    replay : {broadcast.replay_url or '—'}",
        f"    invités : {guests}",
        f"    version {broadcast.sequence}",
    ])


def _slot_line(slot: Slot, note: str) -> str:
    return (f"{day_label(slot.day)} {slot.day.year}, {slot.start:%H:%M} – {slot.end:%H:%M} : "
            f"{slot.title} [{', '.join(slot.families)}] ({note})")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"Erreur : {message}", err=True)
    raise click.exceptions.Exit(1)


def _current_edition():
    edition = current_edition()
    if edition is None:
        _fail("aucune édition n’existe encore. Lancez d’abord « flask seed-demo » ou créez l’édition.")
    return edition


def _broadcast(raw: str) -> Broadcast:
    found = operations.get(int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if found is None:
        _fail(f"aucune émission n’a le numéro « {raw} ». Voir « flask broadcast-list ».")
    return found


# --------------------------------------------------------------------------- commands

@click.command("schedule-broadcasts")
@click.option("--dry-run", is_flag=True, help="Afficher le programme proposé sans l’enregistrer.")
@click.option("--start", "start_text", default="10:00", show_default=True,
              help="Heure de début des émissions (heure de Paris).")
@click.option("--duration", "duration_text", default="60", show_default=True,
              help="Durée d’une émission, en minutes.")
@click.option("--max-per-morning", "max_text", default="2", show_default=True,
              help="Nombre maximal de familles par matinée.")
def schedule_command(dry_run: bool, start_text: str, duration_text: str, max_text: str) -> None:
    """Propose the broadcast lineup of the current edition, keeping fixed slots, and store it."""
    edition = _current_edition()
    try:
        start = parse_hour(start_text)
        duration = timedelta(minutes=parse_positive(duration_text, "Durée", "duration"))
        slots = operations.propose(edition, start=start, duration=duration, max_per_morning=parse_positive(
            max_text, "Maximum par matinée", "max_per_morning"))
    except (BroadcastError, ScheduleError) as error:
        _fail(str(error))
    if dry_run:
        fixed_days = {s.day for s in operations.fixed_slots(edition)}
        click.echo(f"Programme proposé pour {edition.name} (rien n’est enregistré) :")
        for slot in slots:
            click.echo("  " + _slot_line(slot, "fixée" if slot.day in fixed_days else "proposée"))
        return
    outcome = operations.apply_lineup(edition, slots)
    db.session.commit()
    click.echo(f"Programme enregistré pour {edition.name} :")
    for change in outcome.changes:
        click.echo(f"  #{change.broadcast.id} " + _slot_line(change.slot, _ACTIONS[change.action]))
    for broadcast in outcome.removed:
        click.echo(f"  supprimée : {broadcast.title}")


@click.command("broadcast-list")
def list_command() -> None:
    """List the broadcasts of the current edition."""
    edition = _current_edition()
    shows = showings.lineup(edition)
    if not shows:
        click.echo(f"Aucune émission pour {edition.name}. Lancez « flask schedule-broadcasts ».")
    for broadcast in shows:
        click.echo(describe(broadcast))


def _edit_options(command):
    for option in reversed((
        click.option("--title", help="Titre."),
        click.option("--description", help="Description."),
        click.option("--start", "start_text", help="Début : AAAA-MM-JJ HH:MM (Paris) ou HH:MM."),
        click.option("--end", "end_text", help="Fin : AAAA-MM-JJ HH:MM (Paris) ou HH:MM."),
        click.option("--families", "families_text", help="Familles, séparées par des virgules."),
        click.option("--link", "link_texts", multiple=True,
                     help="PLATEFORME=URL (répétable ; remplace les liens)."),
        click.option("--guest", "guest_texts", multiple=True,
                     help="« Nom|Rôle » (répétable ; remplace les invités)."),
    )):
        command = option(command)
    return command


@click.command("broadcast-set")
@click.argument("broadcast_id")
@_edit_options
@click.option("--no-links", is_flag=True, help="Retirer tous les liens.")
@click.option("--replay", "replay_text", help="Lien du replay.")
@click.option("--no-replay", is_flag=True, help="Retirer le lien du replay.")
@click.option("--no-guests", is_flag=True, help="Retirer tous les invités.")
@click.option("--fixed/--unfixed", "is_fixed", default=None,
              help="Fixer le créneau (le planificateur le garde) ou le libérer.")
def set_command(broadcast_id: str, title, description, start_text, end_text, families_text,
                link_texts, guest_texts, no_links, replay_text, no_replay, no_guests, is_fixed) -> None:
    """Edit one broadcast; unspecified fields stay as they are."""
    broadcast = _broadcast(broadcast_id)
    try:
        if link_texts and no_links or guest_texts and no_guests or replay_text and no_replay:
            raise BroadcastError("options", "options contradictoires : ajouter et retirer à la fois.")
        start_day = broadcast.start_at.astimezone(PARIS).date()
        start_at = parse_when(start_text, start_day) if start_text else None
        end_day = (start_at or broadcast.start_at).astimezone(PARIS).date()
        changed = operations.update(
            broadcast, title=title, description=description, start_at=start_at,
            end_at=parse_when(end_text, end_day, "end") if end_text else None,
            families=parse_families(families_text) if families_text is not None else None,
            links=[] if no_links else [parse_link(t) for t in link_texts] or None,
            replay_url="" if no_replay else replay_text,
            guests=[] if no_guests else [parse_guest(t) for t in guest_texts] or None,
            is_fixed=is_fixed)
    except BroadcastError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(("Émission modifiée :" if changed else "Rien à changer :") + "\n" + describe(broadcast))


@click.command("broadcast-add")
@_edit_options
@click.option("--unfixed", is_flag=True, help="Laisser le planificateur déplacer cette émission.")
def add_command(title, description, start_text, end_text, families_text, link_texts, guest_texts,
                unfixed) -> None:
    """Add a broadcast to the current edition (fixed unless --unfixed)."""
    edition = _current_edition()
    try:
        if not start_text or not end_text or not families_text:
            raise BroadcastError("options", "--start, --end et --families sont obligatoires.")
        start_at = parse_when(start_text)
        broadcast = operations.create(
            edition, start_at=start_at,
            end_at=parse_when(end_text, start_at.astimezone(PARIS).date(), "end"),
            families=parse_families(families_text), title=title, description=description or "",
            links=[parse_link(t) for t in link_texts], guests=[parse_guest(t) for t in guest_texts],
            is_fixed=not unfixed)
    except BroadcastError as error:
        _fail(str(error))
    db.session.commit()
    click.echo("Émission ajoutée :\n" + describe(broadcast))


@click.command("broadcast-delete")
@click.argument("broadcast_id")
def delete_command(broadcast_id: str) -> None:
    """Remove one broadcast from the lineup."""
    broadcast = _broadcast(broadcast_id)
    title = broadcast.title
    operations.remove(broadcast)
    db.session.commit()
    click.echo(f"Émission supprimée : {title}")


def init_app(app: Flask) -> None:
    """Register the broadcast commands."""
    for command in (schedule_command, list_command, set_command, add_command, delete_command):
        app.cli.add_command(command)
