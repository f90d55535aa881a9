"""The GEN team's numbers on an edition's sessions: aggregate queries and the CSV of published sessions."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, and_, case, cast, distinct, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..db import db
from ..models import (
    Edition,
    Event,
    EventStatus,
    School,
    Venue,
)
from ..timezones import PARIS, local
from .queries import families, families_by_event, family_links

TRACKED_AUDIENCES = ("women-in-tech", "qpv", "rural")
# Guadeloupe, Martinique, Guyane, La Réunion, Mayotte (not the overseas collectivities 975, 977, 978).
OVERSEAS_DEPARTMENTS = ("971", "972", "973", "974", "976")
CSV_HEADER = ("school", "town", "postcode", "region", "day", "start", "families", "kind", "format")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Numbers:
    """An edition's figures, as plain values for display."""

    by_status: dict[str, int]
    published: int
    by_day: list[tuple[date | None, int]]
    by_family: list[tuple[str, int]]
    by_region: list[tuple[str | None, int]]
    by_kind: list[tuple[str, int]]
    by_format: list[tuple[str, int]]
    schools: int
    towns: int
    overseas: int
    audiences: dict[str, int]

    def share(self, count: int) -> float:
        """Return count as a percentage of the published sessions (0 when there are none)."""
        return 100.0 * count / self.published if self.published else 0.0


def _published(edition: Edition) -> ColumnElement[bool]:
    return and_(Event.edition_id == edition.id, Event.status == EventStatus.published)


def _day_bucket(days: list[date]) -> ColumnElement:
    # Paris days as UTC ranges, so the grouping is the same on SQLite and PostgreSQL.
    whens = []
    for index, day in enumerate(days):
        start = datetime.combine(day, time(0), PARIS)
        end = datetime.combine(day + timedelta(days=1), time(0), PARIS)
        whens.append((and_(Event.start_at >= start, Event.start_at < end), literal(index)))
    return case(*whens, else_=literal(-1)) if whens else literal(-1)


def _grouped(column: ColumnElement, where: ColumnElement[bool], *joins) -> list[tuple]:
    stmt = select(column, func.count(Event.id)).select_from(Event)
    for target, on in joins:
        stmt = stmt.join(target, on, isouter=True)
    return [tuple(row) for row in db.session.execute(stmt.where(where).group_by(column).order_by(column))]


def numbers(edition: Edition) -> Numbers:
    """Count an edition's sessions by status, and its published ones by day, family, region, kind, format."""
    by_status = {s.value: 0 for s in EventStatus}
    for status, count in db.session.execute(
            select(Event.status, func.count(Event.id)).where(Event.edition_id == edition.id)
            .group_by(Event.status)):
        by_status[EventStatus(status).value] = count
    published = _published(edition)
    days = edition.days()
    bucket = _day_bucket(days).label("bucket")
    day_counts = dict(_grouped(bucket, published))
    by_day: list[tuple[date | None, int]] = [(day, day_counts.get(i, 0)) for i, day in enumerate(days)]
    if day_counts.get(-1):
        by_day.append((None, day_counts[-1]))

    links = family_links(select(Event.id).where(published)).order_by(None).subquery()
    family_counts = dict(db.session.execute(
        select(links.c.slug, func.count()).group_by(links.c.slug)).all())
    by_family = [(family.slug, family_counts.get(family.slug, 0)) for family in families()]

    venue_join = (Venue, Venue.id == Event.venue_id)
    by_region = sorted(_grouped(Venue.region, published, venue_join),
                       key=lambda row: (row[0] is None, -row[1], row[0] or ""))
    by_kind = [(getattr(k, "value", k), n) for k, n in _grouped(Event.kind, published)]
    by_format = [(getattr(f, "value", f), n) for f, n in _grouped(Event.format, published)]

    schools = db.session.scalar(select(func.count(distinct(Event.school_id))).where(published)) or 0
    towns = db.session.scalar(select(func.count()).select_from(
        select(Venue.postcode, func.lower(Venue.city)).join(Event, Event.venue_id == Venue.id)
        .where(published, Venue.city.is_not(None)).distinct().subquery())) or 0
    overseas = db.session.scalar(
        select(func.count(Event.id)).join(Venue, Venue.id == Event.venue_id)
        .where(published, or_(*[Venue.postcode.like(prefix + "%") for prefix in OVERSEAS_DEPARTMENTS]))) or 0
    audience_text = cast(Event.audience, String)
    row = db.session.execute(select(*[
        func.coalesce(func.sum(case((audience_text.like(f'%"{tag}"%'), 1), else_=0)), 0)
        for tag in TRACKED_AUDIENCES]).where(published)).one()
    return Numbers(by_status=by_status, published=by_status["published"], by_day=by_day,
                   by_family=by_family, by_region=by_region, by_kind=by_kind, by_format=by_format,
                   schools=schools, towns=towns, overseas=overseas,
                   audiences=dict(zip(TRACKED_AUDIENCES, (int(n) for n in row))))


def csv_cell(value: object) -> str:
    """Return a value as CSV text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def published_rows(edition: Edition) -> Iterator[tuple]:
    """Yield one row per published session, in time order, with the CSV_HEADER columns.

    Day and start are the venue's local time, as the session is announced (Paris when online).
    """
    stmt = (select(Event.id, School.name, Venue.city, Venue.postcode, Venue.region, Venue.timezone,
                   Event.start_at, Event.kind, Event.format)
            .join(School, School.id == Event.school_id).join(Venue, Venue.id == Event.venue_id, isouter=True)
            .where(_published(edition)).order_by(Event.start_at, Event.id))
    slugs = families_by_event(select(Event.id).where(_published(edition)))
    for row in db.session.execute(stmt):
        event_id, school, town, postcode, region, zone, start_at, kind, fmt = row
        start = local(start_at, zone)
        yield (school, town, postcode, region, start.date().isoformat(), start.strftime("%H:%M"),
               " ".join(slugs.get(event_id, [])), getattr(kind, "value", kind), getattr(fmt, "value", fmt))


def published_csv(edition: Edition) -> str:
    """Return the CSV of the edition's published sessions, header first (UTF-8 text, CRLF lines)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows([csv_cell(value) for value in row] for row in published_rows(edition))
    return buffer.getvalue()
