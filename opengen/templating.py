"""What every template may use: navigation, option lists, labels and calendar links.

Helpers used by the templates of several blueprints live here, never in a view module.
No queries but one flag.
"""
from __future__ import annotations

import json

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .checks import web_url
from .clock import is_past
from .demo import demo_data_present
from .events import jsonld
from .events.labels import AUDIENCE_LABELS, FORMAT_LABELS, KIND_LABELS
from .events.when import day_text, when_text
from .feeds.links import AddLinks, SubscribeLinks, add_links, subscribe_links
from .i18n import day_label, family_label, upper_first
from .models import Event, EventFormat, EventKind
from .security import csp_nonce
from .submissions.operations import status_label
from .urls import external_url

# (endpoint, label) in menu order; entries whose blueprint is not registered are skipped.
NAV = (
    ("map.index", _l("Carte des sessions")),
    ("broadcasts.index", _l("Émissions du matin")),
    ("families.index", _l("Les métiers")),
    ("programme.index", _l("Mon programme")),
    ("submit.start", _l("Proposer une session")),
    ("map.editions_index", _l("Les éditions")),
)


MAP_AREAS = (
    (_l("Métropole"), 46.6, 2.5, 6), (_l("Guadeloupe"), 16.2, -61.55, 9),
    (_l("Martinique"), 14.64, -61.02, 10), (_l("Guyane"), 4.4, -53.0, 7),
    (_l("La Réunion"), -21.12, 55.53, 10), (_l("Mayotte"), -12.82, 45.15, 11),
)


def map_areas() -> list[tuple[str, float, float, int]]:
    """Return the map's quick jumps: metropolitan France and the overseas departments."""
    return [(str(label), lat, lon, zoom) for label, lat, lon, zoom in MAP_AREAS]


def nav_links() -> list[tuple[str, str]]:
    """Return the menu entries whose pages exist."""
    return [(endpoint, label) for endpoint, label in NAV if endpoint in current_app.view_functions]


def day_options(edition) -> list[tuple[str, str]]:
    """Return (value, label) pairs for the days of the edition."""
    return [] if edition is None else [(d.isoformat(), upper_first(day_label(d))) for d in edition.days()]


def family_options(families) -> list[tuple[str, str]]:
    """Return (value, label) pairs for the career families."""
    return [(f.slug, family_label(f)) for f in families]


def kind_options() -> list[tuple[str, str]]:
    """Return (value, label) pairs for the kinds of session."""
    return [(value, str(label)) for value, label in KIND_LABELS.items()]


def format_options() -> list[tuple[str, str]]:
    """Return (value, label) pairs for the format filter."""
    return [("onsite", str(FORMAT_LABELS["onsite"])), ("online", str(FORMAT_LABELS["online"]))]


def families_json(families) -> str:
    """Return the families as JSON for the map script (escaped by the template)."""
    return json.dumps([{"slug": f.slug, "label": family_label(f), "colour": f.colour} for f in families],
                      ensure_ascii=False)


def kinds_json() -> str:
    """Return the kind labels as JSON for the map script."""
    return json.dumps({k: str(v) for k, v in KIND_LABELS.items()}, ensure_ascii=False)


# --------------------------------------------------------------------------- labels

def audience_labels(tags: list[str]) -> list[str]:
    """Return the French labels of audience tags (an unknown tag as it is)."""
    return [str(AUDIENCE_LABELS.get(t, t)) for t in tags]


def kind_label(kind: EventKind | str) -> str:
    """Return the French label of a kind of session (the enum or its value)."""
    return str(KIND_LABELS[getattr(kind, "value", kind)])


def format_label(fmt: EventFormat | str) -> str:
    """Return the French label of a format (the enum or its value)."""
    return str(FORMAT_LABELS[getattr(fmt, "value", fmt)])


# --------------------------------------------------------------------------- calendar links

def feed_subscribe_links(endpoint: str, name: str, **args: str) -> SubscribeLinks:
    """Return the subscription links (webcal, https, Google, Outlook) of a feed endpoint."""
    return subscribe_links(external_url(endpoint, **args), name)


def event_add_links(event: Event) -> AddLinks:
    """Return the links that add one session to a calendar (.ics, Google, Outlook)."""
    venue = event.venue
    where = ", ".join(p for p in (venue.name, venue.address, venue.city) if p) if venue else ""
    page = external_url("events.show", event_id=event.id)
    return add_links(ics_url=url_for("feeds.event", event_id=event.id), title=event.title,
                     start=event.start_at, end=event.end_at, location=where,
                     details=f"{event.description}\n\n{page}".strip())


def event_jsonld(event: Event) -> Markup:
    """Return a session's schema.org JSON-LD, escaped for its <script type="application/ld+json">."""
    return jsonld.script_text(jsonld.event_data(event, external_url("events.show", event_id=event.id)))


def has_ended(event: Event) -> bool:
    """Tell whether a session is over: no registration, calendar or reminder is offered then."""
    return is_past(event.end_at)


def event_when(event: Event, with_day: bool = True) -> str:
    """Return how a session's day and hours read (its venue's zone, the year when not this one)."""
    zone = event.venue.timezone if event.venue is not None and event.venue.timezone else None
    return when_text(event.start_at, event.end_at, zone, with_day=with_day)


def init_app(app: Flask) -> None:
    """Expose the helpers to every template."""
    app.jinja_env.filters["safe_url"] = web_url
    app.jinja_env.globals.update(
        nav_links=nav_links, map_areas=map_areas, day_options=day_options, family_options=family_options,
        kind_options=kind_options, format_options=format_options, families_json=families_json,
        kinds_json=kinds_json, demo_data_present=demo_data_present,
        audience_labels=audience_labels, kind_label=kind_label, format_label=format_label,
        status_label=status_label, feed_subscribe_links=feed_subscribe_links,
        event_add_links=event_add_links, has_ended=has_ended, csp_nonce=csp_nonce,
        event_jsonld=event_jsonld, event_when=event_when, external_url=external_url, day_text=day_text)
