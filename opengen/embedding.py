"""The map to embed in a partner's page: its settings read from the URL (filters, place, centre,
zoom, language), its listing, and the <iframe> snippet « Intégrer la carte » builds."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask_babel import gettext as _
from markupsafe import escape

from . import editions
from .checks import FieldError
from .events import queries
from .events.filters import EventFilters, number_arg, parse_filters
from .maps import FRANCE_CENTRE, FRANCE_ZOOM
from .models import CareerFamily, Edition
from .places.lookup import PlaceNotFound, find_place, place_text

LANGUAGES = ("fr", "en")
MIN_ZOOM, MAX_ZOOM = 2, 18
MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 250, 2000, 600
LIST_SIZE = 20  # the embed lists the first sessions; the full site has the rest
VIEW_FIELDS = ("centre", "zoom", "lang")
FILTER_FIELDS = ("q", "radius_km", "lat", "lon", "day", "family", "kind", "format", "school", "edition")

# The embed's own few words in English; everything else (and French) goes through the catalogue.
@dataclass(frozen=True)
class EmbedView:
    """Where the embedded map opens and in which language."""
    centre: tuple[float, float] | None = None
    zoom: int | None = None
    lang: str = "fr"

    def to_args(self) -> dict[str, str]:
        """Return the settings as query-string arguments, omitting the defaults."""
        args = {"centre": f"{number_arg(self.centre[0])},{number_arg(self.centre[1])}" if self.centre else None,
                "zoom": str(self.zoom) if self.zoom is not None else None,
                "lang": self.lang if self.lang != "fr" else None}
        return {k: v for k, v in args.items() if v}

    def shell_args(self) -> dict:
        """The centre and zoom a map shell opens on."""
        return {"centre": self.centre or FRANCE_CENTRE, "zoom": self.zoom or FRANCE_ZOOM}


@dataclass
class EmbedPage:
    filters: EventFilters
    shown: EventFilters  # without q when the place was not found
    view: EmbedView
    listing: queries.Results
    place_error: str | None
    families: list[CareerFamily]


@dataclass
class EmbedSetup:
    """What « Intégrer la carte » shows: the form's values, its errors, the address and the snippet."""
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    edition: Edition | None = None
    families: list[CareerFamily] = field(default_factory=list)
    query: str = ""
    height: int = DEFAULT_HEIGHT


def _one(args: Mapping[str, str], name: str) -> str | None:
    value = (args.get(name) or "").strip()
    return value or None


def parse_view(args: Mapping[str, str]) -> EmbedView:
    """Read centre=lat,lon, zoom and lang; raise FieldError on a malformed value."""
    centre = _one(args, "centre")
    if centre is not None:
        try:
            lat, lon = (float(part) for part in centre.split(",", 1))
        except ValueError:
            lat = lon = float("nan")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise FieldError("centre", _("Centre invalide : latitude,longitude, par exemple 48.85,2.35."))
        centre = (lat, lon)
    zoom = _one(args, "zoom")
    if zoom is not None:
        if not (zoom.isascii() and zoom.isdigit() and MIN_ZOOM <= int(zoom) <= MAX_ZOOM):
            raise FieldError("zoom", _("Zoom invalide : un entier entre %(min)s et %(max)s.",
                                       min=MIN_ZOOM, max=MAX_ZOOM))
        zoom = int(zoom)
    lang = _one(args, "lang") or "fr"
    if lang not in LANGUAGES:
        raise FieldError("lang", _("Langue inconnue : fr ou en."))
    return EmbedView(centre=centre, zoom=zoom, lang=lang)


def embed_page(args: Mapping[str, str]) -> EmbedPage:
    """Read an embed's settings and list its first sessions; a place not found is said, not fatal."""
    filters, view = parse_filters(args), parse_view(args)
    place_error, shown = None, filters
    try:
        listing = queries.page(filters, 1, LIST_SIZE, upcoming_first=True)
    except PlaceNotFound as error:
        place_error, shown = error.message, filters.without("q")
        listing = queries.page(shown, 1, LIST_SIZE, upcoming_first=True)
    return EmbedPage(filters=filters, shown=shown, view=view, listing=listing,
                     place_error=place_error, families=queries.families())


def labels(lang: str) -> dict[str, str]:
    """The embed's own words (the request's language is the embed's, see i18n.select_locale)."""
    return {"heading": _("Les sessions Open Gen"), "map": _("Carte des sessions"),
            "list": _("Sessions"), "more": _("Voir toutes les sessions sur Open Gen"),
            "none": _("Aucune session ne correspond à cette recherche."),
            "around": _("Sessions autour de %(place)s"),
            "not_found": _("Ce lieu est introuvable : toutes les sessions sont montrées."),
            "online": _("En ligne")}


def embed_setup(args: Mapping[str, str]) -> EmbedSetup:
    """Check the settings typed in « Intégrer la carte » and build the embed's query string."""
    values = {name: (args.get(name) or "").strip() for name in (*FILTER_FIELDS, *VIEW_FIELDS, "height")}
    setup = EmbedSetup(values=values, edition=editions.current_edition(), families=queries.families())
    filters = view = None
    try:
        filters = parse_filters(values)
        if filters.q is not None:
            find_place(place_text(filters.q))
    except (FieldError, PlaceNotFound) as error:
        setup.errors[error.field] = error.message
    try:
        view = parse_view(values)
    except FieldError as error:
        setup.errors[error.field] = error.message
    height = values["height"]
    if height:
        if height.isascii() and height.isdigit() and MIN_HEIGHT <= int(height) <= MAX_HEIGHT:
            setup.height = int(height)
        else:
            setup.errors["height"] = _("Hauteur invalide : un nombre de pixels entre %(min)s et "
                                       "%(max)s.", min=MIN_HEIGHT, max=MAX_HEIGHT)
    if not setup.errors:
        setup.query = urlencode({**filters.to_args(), **view.to_args()})
    return setup


def snippet(embed_url: str, height: int, title: str) -> str:
    """The <iframe> a partner pastes into a page (every value escaped)."""
    return (f'<iframe src="{escape(embed_url)}" title="{escape(title)}" width="100%" '
            f'height="{int(height)}" style="border:0;max-width:100%" loading="lazy"></iframe>')
