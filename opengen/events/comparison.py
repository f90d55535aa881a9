"""Editions side by side: the same figures as `stats.numbers`, one column per edition (the GEN team's
comparison), and each edition's main figures for the public pages.

Each measure is one query grouped by edition, whatever the number of editions compared.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import String, and_, case, cast, distinct, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..checks import FieldError
from ..db import db
from ..editions import current_edition, every_edition
from ..models import Edition, Event, EventFormat, EventKind, EventStatus, Venue
from .queries import families, family_links
from .stats import OVERSEAS_DEPARTMENTS, TRACKED_AUDIENCES, Numbers, numbers, published_csv

TOP_REGIONS = 8  # regions shown by name; the others are summed in one row

Counts = tuple[int, ...]  # one count per compared edition, in the editions' order


@dataclass(frozen=True)
class Row:
    """One line of the comparison: what is counted (a slug, a region) and its count per edition."""

    key: str | None
    counts: Counts


@dataclass(frozen=True)
class Comparison:
    """Editions side by side, newest first: every tuple holds one value per edition."""

    editions: tuple[Edition, ...]
    published: Counts
    schools: Counts
    towns: Counts
    overseas: Counts
    audiences: tuple[Row, ...]
    by_family: tuple[Row, ...]
    by_region: tuple[Row, ...]
    other_regions: Counts | None  # the regions past the top ones, summed; None when there are none
    by_kind: tuple[Row, ...]
    by_format: tuple[Row, ...]

    def cells(self, counts: Counts) -> list[tuple[int, float]]:
        """Pair each edition's count with its share of that edition's published sessions (in %)."""
        return [(count, 100.0 * count / total if total else 0.0)
                for count, total in zip(counts, self.published)]


def _published(ids: Sequence[int]) -> ColumnElement[bool]:
    return and_(Event.edition_id.in_(ids), Event.status == EventStatus.published)


def _per_edition(stmt, ids: Sequence[int]) -> Counts:
    found = {edition_id: int(count or 0) for edition_id, count in db.session.execute(stmt)}
    return tuple(found.get(edition_id, 0) for edition_id in ids)


def _by_key(key: ColumnElement, ids: Sequence[int], *joins) -> dict[object, Counts]:
    """Count published sessions per edition and key, in one query grouped by both."""
    stmt = select(Event.edition_id, key, func.count(Event.id)).select_from(Event)
    for target, on in joins:
        stmt = stmt.join(target, on, isouter=True)
    table: dict[object, dict[int, int]] = {}
    for edition_id, value, count in db.session.execute(
            stmt.where(_published(ids)).group_by(Event.edition_id, key)):
        table.setdefault(getattr(value, "value", value), {})[edition_id] = count
    return {value: tuple(row.get(i, 0) for i in ids) for value, row in table.items()}


def _ordered(found: dict[object, Counts], order: Iterable[str]) -> tuple[Row, ...]:
    """Rows in the given order, those nobody counted left out (unknown keys last)."""
    order = list(order)
    keys = [key for key in order if key in found] + sorted(str(k) for k in found if k not in order)
    return tuple(Row(key, found[key]) for key in keys)


def _regions(ids: Sequence[int]) -> tuple[tuple[Row, ...], Counts | None]:
    found = _by_key(Venue.region, ids, (Venue, Venue.id == Event.venue_id))
    unnamed = found.pop(None, None)
    ranked = sorted(found.items(), key=lambda item: (-sum(item[1]), item[0]))
    rows = [Row(region, counts) for region, counts in ranked[:TOP_REGIONS]]
    rest = ranked[TOP_REGIONS:]
    others = tuple(map(sum, zip(*(counts for _region, counts in rest)))) if rest else None
    if unnamed is not None:
        rows.append(Row(None, unnamed))
    return tuple(rows), others


def _families(ids: Sequence[int]) -> tuple[Row, ...]:
    links = family_links(select(Event.id).where(_published(ids))).order_by(None).subquery()
    table: dict[str, dict[int, int]] = {}
    for edition_id, slug, count in db.session.execute(
            select(Event.edition_id, links.c.slug, func.count()).join(Event, Event.id == links.c.event_id)
            .group_by(Event.edition_id, links.c.slug)):
        table.setdefault(slug, {})[edition_id] = count
    return tuple(Row(family.slug, tuple(table.get(family.slug, {}).get(i, 0) for i in ids))
                 for family in families())


def _audiences(ids: Sequence[int]) -> tuple[Row, ...]:
    audience_text = cast(Event.audience, String)
    sums = [func.coalesce(func.sum(case((audience_text.like(f'%"{tag}"%'), 1), else_=0)), 0)
            for tag in TRACKED_AUDIENCES]
    found = {row[0]: row[1:] for row in db.session.execute(
        select(Event.edition_id, *sums).where(_published(ids)).group_by(Event.edition_id))}
    return tuple(Row(tag, tuple(int(found[i][n]) if i in found else 0 for i in ids))
                 for n, tag in enumerate(TRACKED_AUDIENCES))


@dataclass(frozen=True)
class Summary:
    """An edition's main public figures: its published sessions, schools and towns."""

    edition: Edition
    published: int
    schools: int
    towns: int


def _headline(ids: Sequence[int]) -> tuple[Counts, Counts, Counts]:
    """Published sessions, schools and towns of each edition (three grouped queries)."""
    published = _published(ids)
    towns = (select(Event.edition_id, Venue.postcode, func.lower(Venue.city))
             .join(Venue, Venue.id == Event.venue_id)
             .where(published, Venue.city.is_not(None)).distinct().subquery())
    return (_per_edition(select(Event.edition_id, func.count(Event.id)).where(published)
                         .group_by(Event.edition_id), ids),
            _per_edition(select(Event.edition_id, func.count(distinct(Event.school_id)))
                         .where(published).group_by(Event.edition_id), ids),
            _per_edition(select(towns.c.edition_id, func.count()).group_by(towns.c.edition_id), ids))


def summaries(editions: Sequence[Edition]) -> list[Summary]:
    """Return the main figures of each edition, in the order given (for the public pages)."""
    counts = _headline([edition.id for edition in editions])
    return [Summary(edition, *figures) for edition, *figures in zip(editions, *counts)]


def compare(editions: Sequence[Edition]) -> Comparison:
    """Count the published sessions of several editions side by side, in the order given."""
    ids = [edition.id for edition in editions]
    published_counts, schools, towns = _headline(ids)
    overseas = or_(*[Venue.postcode.like(prefix + "%") for prefix in OVERSEAS_DEPARTMENTS])
    by_region, other_regions = _regions(ids)
    return Comparison(
        editions=tuple(editions),
        published=published_counts,
        schools=schools,
        towns=towns,
        overseas=_per_edition(select(Event.edition_id, func.count(Event.id))
                              .join(Venue, Venue.id == Event.venue_id).where(_published(ids), overseas)
                              .group_by(Event.edition_id), ids),
        audiences=_audiences(ids),
        by_family=_families(ids),
        by_region=by_region,
        other_regions=other_regions,
        by_kind=_ordered(_by_key(Event.kind, ids), [k.value for k in EventKind]),
        by_format=_ordered(_by_key(Event.format, ids), [f.value for f in EventFormat]),
    )


def chosen_edition(raw: str | None, editions: Sequence[Edition] | None = None) -> Edition | None:
    """Return the edition a staff page asks for by year (`edition=2021`), drafts included.

    Blank: the current edition, else the newest one (None when there is none). Raise FieldError,
    in French, for anything but the year of an existing edition.
    """
    editions = every_edition() if editions is None else editions
    text = (raw or "").strip()
    if not text:
        return current_edition() or (editions[0] if editions else None)
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise FieldError("edition", _("Édition invalide : choisissez une année dans la liste, par exemple 2021."))
    found = next((edition for edition in editions if edition.slug == text), None)
    if found is None:
        raise FieldError("edition", _("Il n’y a pas d’édition %(year)s : choisissez une édition dans la liste.",
                                      year=text))
    return found


@dataclass(frozen=True)
class NumbersBoard:
    """What the numbers page shows: the chosen edition's figures and every edition side by side."""

    editions: tuple[Edition, ...]
    edition: Edition | None
    numbers: Numbers | None
    comparison: Comparison
    error: str | None = None  # why the asked edition could not be shown


def numbers_board(raw_edition: str | None) -> NumbersBoard:
    """Return the numbers page's content for the edition asked by year (blank: the current one)."""
    editions = tuple(every_edition())
    comparison = compare(editions)
    try:
        edition = chosen_edition(raw_edition, editions)
    except FieldError as error:
        return NumbersBoard(editions, None, None, comparison, error.message)
    return NumbersBoard(editions, edition, numbers(edition) if edition is not None else None, comparison)


def edition_csv(raw_edition: str | None) -> tuple[Edition, str] | None:
    """Return the edition asked by year (blank: the current one) and its published sessions' CSV,
    or None when there is no edition; raise FieldError for a bad year."""
    edition = chosen_edition(raw_edition)
    return None if edition is None else (edition, published_csv(edition))
