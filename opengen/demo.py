"""The demo programme: a deterministic, clearly marked Open Gen week, and `flask seed-demo`."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
from flask import Flask
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from . import editions
from .data.demo_towns import STREETS, TOWNS
from .db import add_migration_hooks, db, is_empty, upgrade_schema, utcnow
from .events.families import FAMILIES, SLUGS
from .events.labels import NETWORKS
from .models import (
    Broadcast,
    CareerFamily,
    Edition,
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    School,
    Venue,
    event_families,
)
from .places.names import ascii_words
from .timezones import PARIS_NAME, zone_for_postcode
from .versioned import Kept

DEMO_NOTE = "Données de démonstration : cette session n’existe pas."
# The edition the press articles describe, kept as an archive beside this year's.
SEED_EDITION = dict(slug="2021", name="Open Gen 2021", starts_on=date(2021, 11, 29),
                    ends_on=date(2021, 12, 4), timezone=PARIS_NAME)

# (kind, title, families, audience)
PROGRAMME: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("workshop", "Atelier : crée ta première page web en une heure", ("web-development",),
     ("no-prerequisite",)),
    ("workshop", "Initiation au code : programme un petit jeu en Python", ("web-development", "ai"),
     ("no-prerequisite", "young-people")),
    ("workshop", "Atelier cybersécurité : repère une arnaque en ligne", ("cybersecurity",),
     ("no-prerequisite",)),
    ("workshop", "Atelier : démonte et remonte un ordinateur", ("networks-maintenance",),
     ("no-prerequisite", "no-diploma")),
    ("workshop", "Atelier graphisme : crée ton premier visuel", ("web-design",), ("no-prerequisite",)),
    ("workshop", "Atelier data : fais parler un tableau de chiffres", ("data",), ("no-prerequisite",)),
    ("workshop", "Atelier IA : entraîne une machine à reconnaître des images", ("ai", "data"),
     ("no-prerequisite", "young-people")),
    ("workshop", "Atelier réseaux sociaux : anime la page d’une association", ("digital-marketing",),
     ("no-prerequisite",)),
    ("workshop", "Coding party entre femmes : ton premier site", ("web-development", "web-design"),
     ("women-in-tech", "no-prerequisite")),
    ("workshop", "Atelier cloud : mets ton site en ligne", ("cloud", "web-development"),
     ("no-prerequisite",)),
    ("career_talk", "Développeur web : un métier expliqué simplement", ("web-development",),
     ("job-seekers", "career-change")),
    ("career_talk", "Community manager : un métier pour toi ?", ("digital-marketing",),
     ("young-people", "job-seekers")),
    ("career_talk", "Data analyst : à quoi ressemble une journée ?", ("data",), ("career-change",)),
    ("career_talk", "Technicien réseaux : le métier en une heure", ("networks-maintenance",),
     ("no-diploma", "job-seekers")),
    ("career_talk", "Les métiers de la cybersécurité recrutent", ("cybersecurity", "cloud"),
     ("job-seekers",)),
    ("career_talk", "Chef de projet digital : organiser sans coder", ("project-management",),
     ("career-change",)),
    ("career_talk", "Designer UX/UI : dessiner des applications faciles", ("web-design",),
     ("young-people",)),
    ("testimony", "Témoignage : de la caisse au code, devenue développeuse", ("web-development",),
     ("women-in-tech", "career-change")),
    ("testimony", "Rencontre avec d’anciens apprenants en emploi", ("networks-maintenance", "cloud"),
     ("qpv", "job-seekers")),
    ("testimony", "Ils ont quitté l’école à 16 ans et travaillent dans la data", ("data",),
     ("young-people", "no-diploma")),
    ("testimony", "Témoignages : se reconvertir dans le marketing digital", ("digital-marketing",),
     ("career-change",)),
    ("open_house", "Portes ouvertes : visite de l’école et rencontre de l’équipe",
     ("web-development", "project-management"), ("no-prerequisite", "qpv")),
    ("open_house", "Portes ouvertes : découvre nos formations au numérique",
     ("networks-maintenance", "cybersecurity"), ("rural", "no-prerequisite")),
    ("info_session", "Réunion d’information : la formation et comment candidater",
     ("web-development", "data"), ("job-seekers", "no-prerequisite")),
    ("info_session", "Financer sa formation : les aides possibles", ("project-management",),
     ("job-seekers", "disability")),
)

WEEKDAY_HOURS = (9, 10, 11, 14, 15, 16, 17, 18)
SATURDAY_HOURS = (9, 10, 11)
VENUE_KINDS = ("Campus", "Locaux", "Tiers-lieu", "Médiathèque", "Maison de l’emploi")


def _slug(text: str) -> str:
    return "-".join(ascii_words(text))


def _jitter(rng: random.Random, spread: float) -> float:
    return rng.uniform(-spread, spread)


def sync_families(session: Session) -> None:
    """Insert or update the nine career families so the database matches events.families."""
    existing = {f.slug: f for f in session.scalars(select(CareerFamily))}
    for position, info in enumerate(FAMILIES):
        row = existing.get(info.slug) or CareerFamily(slug=info.slug)
        row.label_fr, row.label_en, row.colour, row.position = (
            info.label_fr, info.label_en, info.colour, position)
        session.add(row)
    session.flush()


def ensure_edition() -> Edition:
    """Return the seed's 2021 edition, creating it if missing."""
    edition = db.session.scalars(select(Edition).where(Edition.slug == SEED_EDITION["slug"])).first()
    if edition is None:
        edition = Edition(**SEED_EDITION)
        db.session.add(edition)
        db.session.flush()
    return edition


def clear_demo() -> None:
    """Delete every demo school, venue and event (and their links)."""
    demo_events = select(Event.id).where(Event.is_demo)
    db.session.execute(delete(event_families).where(event_families.c.event_id.in_(demo_events)))
    db.session.execute(delete(Event).where(Event.is_demo))
    demo_schools = select(School.id).where(School.is_demo)
    db.session.execute(delete(Venue).where(Venue.school_id.in_(demo_schools)))
    db.session.execute(delete(School).where(School.is_demo))


# One flag per data version: the banner of every page costs no query of its own.
_DEMO_FLAG = Kept(4096, size=lambda _flag: 64)


def demo_data_present() -> bool:
    """Tell whether demo sessions are present, so pages can say so (read once per data version)."""
    return _DEMO_FLAG.current("demo-data", lambda: db.session.scalars(
        select(Event.id).where(Event.is_demo).limit(1)).first() is not None)


def _insert_with_ids(model, rows: list[dict]) -> list[int]:
    """Bulk-insert rows with ids assigned here; RETURNING in bulk is quadratic at 100k rows."""
    start = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    for offset, row in enumerate(rows):
        row["id"] = start + offset
    for first in range(0, len(rows), 10000):
        db.session.execute(insert(model), rows[first:first + 10000])
    if rows and db.session.get_bind().dialect.name == "postgresql":
        table = model.__tablename__
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"))
    return [row["id"] for row in rows]


def generate(count: int = 450, seed: int = 2021, spread_km: float = 3.0,
             edition: Edition | None = None) -> int:
    """Insert `count` published demo events of an edition (the seed's by default) spread over
    real towns; return how many were added.

    Small counts give a realistic week (a few schools per town); large counts, used by the
    benchmarks, add more schools and venues scattered around the same towns.
    """
    rng = random.Random(seed)
    edition = edition or ensure_edition()
    family_ids = {slug: id_ for slug, id_ in db.session.execute(select(CareerFamily.slug, CareerFamily.id))}
    days = edition.days()
    schools_wanted = max(len(TOWNS), count // 4)
    spread = spread_km / 111.0
    now = utcnow()

    school_rows, venue_rows = [], []
    for n in range(schools_wanted):
        town, postcode, insee, department, region, lat, lon = TOWNS[n % len(TOWNS)]
        network = NETWORKS[rng.randrange(len(NETWORKS))]
        suffix = "" if n < len(TOWNS) else f" {n // len(TOWNS) + 1}"
        school_rows.append(dict(name=f"{network} {town}{suffix}", network=network,
                                website=f"https://{_slug(network) or 'ecole'}.example.org/{_slug(town)}",
                                is_demo=True, created_at=now))
        venue_rows.append(dict(
            name=f"{VENUE_KINDS[rng.randrange(len(VENUE_KINDS))]} {network}",
            address=f"{rng.randint(1, 120)} {STREETS[rng.randrange(len(STREETS))]}",
            postcode=postcode, city=town, insee_code=insee, department=department, region=region,
            lat=round(lat + (_jitter(rng, spread) if n else 0.0), 6),
            lon=round(lon + (_jitter(rng, spread) if n else 0.0), 6),
            timezone=zone_for_postcode(postcode), geocode_source="demo",
            geocode_precision="street", needs_geocoding=False, geocoded_at=now, pin_corrected=False))

    school_ids = _insert_with_ids(School, school_rows)
    for school_id, venue in zip(school_ids, venue_rows):
        venue["school_id"] = school_id
    venue_ids = _insert_with_ids(Venue, venue_rows)

    event_rows, family_links = [], []
    for n in range(count):
        index = n % schools_wanted if n < schools_wanted else rng.randrange(schools_wanted)
        kind, title, families, audience = PROGRAMME[rng.randrange(len(PROGRAMME))]
        day = days[rng.randrange(len(days))]
        hours = SATURDAY_HOURS if day.weekday() == 5 else WEEKDAY_HOURS
        zone = ZoneInfo(venue_rows[index]["timezone"])
        start = datetime.combine(day, time(hours[rng.randrange(len(hours))]), zone)
        roll = rng.random()
        fmt = EventFormat.online if roll < 0.08 else EventFormat.both if roll < 0.18 else EventFormat.onsite
        event_rows.append(dict(
            uid=f"demo-{edition.slug}-{seed}-{n}@opengen", sequence=0, edition_id=edition.id,
            school_id=school_ids[index], venue_id=venue_ids[index], title=title,
            description=(f"Une heure pour découvrir le numérique avec {school_rows[index]['name']}. "
                         f"Gratuit, ouvert à toutes et à tous, sans prérequis.\n\n{DEMO_NOTE}"),
            kind=EventKind(kind), format=fmt,
            online_url=("https://visio.example.org/" + f"opengen-{n}") if fmt != EventFormat.onsite else None,
            capacity=rng.choice((8, 10, 12, 15, 20, 30)),
            registration_url=f"https://inscription.example.org/opengen/{n}",
            audience=list(audience), accessibility="Locaux accessibles en fauteuil roulant."
            if rng.random() < 0.7 else "", wheelchair_accessible=rng.random() < 0.7,
            status=EventStatus.published, start_at=start, end_at=start + timedelta(hours=1),
            contact_email=None, is_demo=True, created_at=now, updated_at=now, published_at=now))
        family_links.append(families)
    event_ids = _insert_with_ids(Event, event_rows)
    links = [dict(event_id=event_id, family_id=family_ids[slug])
             for event_id, families in zip(event_ids, family_links) for slug in families]
    for start in range(0, len(links), 20000):
        db.session.execute(insert(event_families), links[start:start + 20000])
    db.session.flush()
    return len(event_ids)


def seed(count: int = 450) -> int:
    """Replace the demo programme with fresh deterministic ones: the seed's 2021 edition as an
    archive, and this year's Open Gen week as the current edition; return the number of events."""
    sync_families(db.session)
    clear_demo()
    archive = ensure_edition()
    current = editions.ensure_week_edition(editions.today().year)
    added = 0
    for edition in dict.fromkeys((archive, current)):  # one edition when the clock says 2021
        added += generate(count, seed=edition.year, edition=edition)
        seed_broadcasts(edition)
    return added


def seed_broadcasts(edition: Edition) -> None:
    """Give each morning of an edition its live show, unless the GEN team already set them."""
    from .broadcasts.operations import plan_demo_lineup

    if db.session.scalars(select(Broadcast).where(Broadcast.edition_id == edition.id)).first():
        return
    plan_demo_lineup(edition)


@click.command("seed-demo")
@click.option("--events", "count", default=450, show_default=True, help="Number of demo events.")
@click.option("--if-empty", is_flag=True, help="Only seed when the database holds no event.")
def seed_demo_command(count: int, if_empty: bool) -> None:
    """Fill the database with the demo Open Gen week (replaces earlier demo data)."""
    if is_empty():
        upgrade_schema()
    sync_families(db.session)
    if if_empty and db.session.scalars(select(Event.id).limit(1)).first() is not None:
        click.echo("La base contient déjà des sessions : rien à faire.")
        db.session.commit()
        return
    added = seed(count)
    db.session.commit()
    click.echo(f"{added} sessions de démonstration créées dans {len(TOWNS)} villes "
               f"({len(SLUGS)} familles de métiers), pour l’édition {SEED_EDITION['slug']} "
               f"(archive) et l’édition {editions.today().year}.")


def _families_after_upgrade(engine) -> None:
    """After each upgrade the nine career families are in the database: a new site needs them
    before its first session, demo or not."""
    with Session(engine) as session:
        sync_families(session)
        session.commit()


def init_app(app: Flask) -> None:
    """Register the demo command, and the families' upkeep after each schema upgrade."""
    app.cli.add_command(seed_demo_command)
    add_migration_hooks(after_upgrade=_families_after_upgrade)
