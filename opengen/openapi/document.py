"""The paths of the OpenAPI document: every public endpoint, its parameters, answers and errors.

tests/test_openapi.py checks that each /api and feed rule of the app is here and the other way
round, and runs schemathesis over the document: it cannot drift from the code unnoticed.
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..events.filters import MAX_ID
from ..shortlist.selection import MAX_SESSIONS
from .schemas import components, edition_parameter, filter_parameters, ref

OPENAPI_VERSION = "3.1.0"
EXPORTS = ("/api/events.geojson", "/api/events.csv")  # added by the exports' branch, same filters
MAX_PAGE, DEFAULT_PAGE = 500, 20  # parse_paging's bounds for /api/events

# The groups of the documentation page, in order: (tag, what it is about).
ENDPOINTS = ("Sessions", "Exports", "Lieux", "Émissions", "Programme", "Agendas", "Documentation")


def _json(schema: dict, description: str, example=None) -> dict:
    content = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"description": description, "content": {"application/json": content}}


def _headers(**names: str) -> dict:
    return {name.replace("_", "-"): {"description": text, "schema": {"type": "string"}}
            for name, text in names.items()}


def _api_errors(*codes: int, limited: bool = True) -> dict:
    """The JSON errors of an /api endpoint: {error, field, status}; 429 when it is rate limited."""
    texts = {400: _("Paramètre invalide : « field » dit lequel, « error » pourquoi."),
             404: _("Introuvable (un lieu inconnu : « field » vaut q)."),
             429: _("Trop de demandes de ce client : réessayez après Retry-After secondes.")}
    answers = {str(code): _json(ref("Error"), texts[code],
                                {"error": "Rayon invalide : un nombre de kilomètres entre 1 et 200.",
                                 "field": "radius_km", "status": 400} if code == 400 else None)
               for code in codes}
    if limited:
        answers["429"] = {**_json(ref("Error"), texts[429]), "headers": {
            "Retry-After": {"description": _("Secondes à attendre."), "required": True,
                            "schema": {"type": "string"}}}}
    return answers


def _page_errors(*codes: int) -> dict:
    """The errors of a feed: a French page, or JSON for a client that asks for it."""
    return {str(code): {"description": _("Paramètre invalide ou introuvable."), "content": {
        "text/html": {"schema": {"type": "string"}}, "application/json": {"schema": ref("Error")}}}
        for code in codes}


def _not_modified() -> dict:
    return {"304": {"description": _("Inchangé depuis la copie du client (If-None-Match ou "
                                     "If-Modified-Since)."), "headers": _headers(ETag="")}}


def _paging(default: int = DEFAULT_PAGE, required_default: bool = True) -> list[dict]:
    limit = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
    if required_default:
        limit["default"] = default
    return [
        {"name": "limit", "in": "query", "required": False, "schema": limit,
         "description": _("Nombre de sessions par page.")},
        {"name": "offset", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0},
         "description": _("Nombre de sessions à sauter.")},
    ]


def _updated_since() -> dict:
    return {"name": "updated_since", "in": "query", "required": False,
            "schema": {"type": "string", "format": "date-time"},
            "description": _("Seulement ce qui a changé depuis cet instant (ISO 8601), sessions "
                             "annulées et retirées comprises : pour se synchroniser."),
            "example": "2021-11-20T08:00:00+01:00"}


def _event_id() -> dict:
    return {"name": "event_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "description": _("L’identifiant de la session."), "example": 12}


def _tile() -> list[dict]:
    return [{"name": name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0, "maximum": maximum},
             "description": description, "example": example}
            for name, maximum, description, example in (
                ("z", 20, _("Le zoom de la tuile (0 à 20)."), 4),
                ("x", 2**20 - 1, _("La colonne de la tuile (moins de 2^z)."), 8),
                ("y", 2**20 - 1, _("La ligne de la tuile (moins de 2^z)."), 5))]


def _near() -> list[dict]:
    return [{"name": name, "in": "query", "required": False,
             "schema": {"type": "number", "minimum": -limit, "maximum": limit},
             "description": _("La position du visiteur (lat et lon ensemble) : la distance à la session.")}
            for name, limit in (("lat", 90), ("lon", 180))]


def _ids(required: bool) -> dict:
    return {"name": "ids", "in": "query", "required": required,
            "schema": {"type": "string", "pattern": r"^[0-9]{1,10}(,[0-9]{1,10})*$"},
            "description": _("Les sessions du programme, séparées par des virgules (%(max)s au plus).",
                             max=MAX_SESSIONS), "example": "12,15,31"}


def _get(tag: str, summary: str, parameters: list[dict], responses: dict, description: str = "") -> dict:
    operation = {"tags": [tag], "summary": summary, "parameters": parameters, "responses": responses}
    if description:
        operation["description"] = description
    return {"get": operation}


def _calendar(description: str) -> dict:
    return {"description": description, "headers": _headers(ETag="", Last_Modified=""),
            "content": {"text/calendar": {"schema": {"type": "string"}}}}


def _event_paths() -> dict:
    filters = filter_parameters()
    page_example = {"count": 1, "limit": 20, "offset": 0, "events": [{
        "id": 7, "title": "Atelier : coder sa première page web", "kind": "workshop",
        "families": ["web-development"], "start": "2021-11-29T10:00:00+01:00",
        "end": "2021-11-29T11:00:00+01:00", "format": "onsite", "status": "published",
        "school": "Simplon Saint-Denis", "distance_km": 0.84,
        "url": "https://opengen.example/events/7"}]}
    return {
        "/api/events": _get("Sessions", _("Chercher les sessions"),
                            [*filters, *_paging(), _updated_since()], {
            "200": {**_json(ref("EventPage"), _("Une page de sessions ; autour d’un lieu, les plus "
                                                "proches d’abord, avec « place » et « online »."),
                            page_example), "headers": _headers(ETag="")},
            **_not_modified(), **_api_errors(400, 404)},
            _("Les sessions publiées (et annulées) de l’édition, une page à la fois.")),
        "/api/events/markers": _get("Sessions", _("Les points de la carte"), filters, {
            "200": _json(ref("Markers"), _("[id, lat, lon, famille, type] par session sur place."),
                         {"count": 1, "fields": ["id", "lat", "lon", "family", "kind"],
                          "markers": [[7, 48.9362, 2.3574, 0, "workshop"]]}),
            **_api_errors(400, 404)}),
        "/api/events/clusters/{z}/{x}/{y}": _get("Sessions", _("Les groupes de la carte, par tuile"),
                                                 [*_tile(), *filters], {
            "200": {**_json(ref("Clusters"), _("Les sessions sur place de la tuile, groupées sur une "
                                                "grille de 16 × 16 cases : nombre, centre, emprise."),
                            {"tile": [4, 8, 5], "zoom": 6, "exact": False, "count": 3,
                             "fields": ["count", "lat", "lon", "south", "west", "north", "east", "id",
                                        "family", "kind"],
                             "clusters": [[2, 48.93, 2.35, 48.9, 2.3, 48.96, 2.4, None, None, None],
                                          [1, 45.76, 4.84, 45.76, 4.84, 45.76, 4.84, 7, 0, "workshop"]]}),
                    "headers": _headers(ETag="")},
            **_not_modified(), **_api_errors(400, 404)},
            _("Tuiles z/x/y de Web Mercator (comme les fonds de carte) : la carte au zoom Z demande "
              "les tuiles du zoom Z − 2. À partir du zoom de tuile 14, un groupe par lieu.")),
        "/api/events/marker": _get("Sessions", _("Les sessions d’un repère"), filters, {
            "200": _json(ref("MarkerSessions"), _("Les sessions sur place de la zone bbox (obligatoire), "
                                                  "50 au plus, dans l’ordre des horaires.")),
            **_api_errors(400, 404)}),
        "/api/events/{event_id}": _get("Sessions", _("Une session"), [_event_id(), *_near()], {
            "200": _json(ref("Event"), _("La session ; « distance_km » si lat et lon sont donnés.")),
            **_api_errors(400, 404)}),
        EXPORTS[0]: _get("Exports", _("Les sessions en GeoJSON"),
                         [*filters, *_paging(required_default=False), _updated_since()], {
            "200": {"description": _("Une FeatureCollection ; les sessions en ligne sans géométrie. "
                                     "Toutes les sessions sans « limit »."),
                    "headers": _headers(ETag="", Last_Modified=""),
                    "content": {"application/geo+json": {"schema": ref("FeatureCollection")}}},
            **_not_modified(), **_api_errors(400, 404)}),
        EXPORTS[1]: _get("Exports", _("Les sessions en CSV"),
                         [*filters, *_paging(required_default=False), _updated_since()], {
            "200": {"description": _("UTF-8, une ligne par session, formules de tableur neutralisées."),
                    "headers": _headers(ETag="", Last_Modified=""),
                    "content": {"text/csv": {"schema": {"type": "string"}}}},
            **_not_modified(), **_api_errors(400, 404)}),
    }


def _other_paths() -> dict:
    return {
        "/api/geocode": _get("Lieux", _("Trouver un lieu"), [
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 200},
             "description": _("Un code postal, une commune ou une adresse."), "example": "93200"}], {
            "200": _json(ref("Place"), _("Le lieu trouvé."), {
                "lat": 48.93564, "lon": 2.35387, "label": "Saint-Denis (93200)", "source": "gazetteer",
                "precision": "municipality", "city": "Saint-Denis", "postcode": "93200",
                "insee": "93066", "department": "93", "ambiguous": False, "alternatives": []}),
            **_api_errors(400, 404)}),
        "/api/places/suggest": _get("Lieux", _("Suggérer des communes pendant la saisie"), [
            {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
             "description": _("Le début d’un nom de commune ou d’un code postal (fautes de frappe "
                              "tolérées) ; « query » est le texte qui désigne la commune sans ambiguïté."),
             "example": "Marseil"}], {
            "200": _json({"type": "object", "required": ["q", "suggestions"], "properties": {
                "q": {"type": "string"}, "suggestions": {"type": "array", "maxItems": 8, "items": {
                    "type": "object", "required": ["name", "insee", "postcodes", "department", "label", "query"],
                    "properties": {"name": {"type": "string"}, "insee": {"type": "string"},
                                   "postcodes": {"type": "array", "items": {"type": "string"}},
                                   "department": {"type": "string"}, "department_name": {"type": "string"},
                                   "region": {"type": "string"}, "lat": {"type": "number"},
                                   "lon": {"type": "number"}, "label": {"type": "string"},
                                   "query": {"type": "string"}}}}}},
                _("Au plus 8 communes, les plus probables d’abord ; aucune pour un texte trop court."),
                {"q": "Marseil", "suggestions": [{
                    "name": "Marseille", "insee": "13055", "postcodes": ["13001"], "department": "13",
                    "department_name": "Bouches-du-Rhône", "region": "Provence-Alpes-Côte d'Azur",
                    "lat": 43.29695, "lon": 5.38107, "query": "Marseille (13)",
                    "label": "Marseille (13, Bouches-du-Rhône, Provence-Alpes-Côte d'Azur)"}]})}),
        "/api/broadcasts": _get("Émissions", _("Les émissions du matin"), [edition_parameter()], {
            "200": _json({"type": "object", "required": ["broadcasts"], "properties": {
                "broadcasts": {"type": "array", "items": ref("Broadcast")}}},
                _("Les émissions de l’édition, avec leur état (à venir, en direct, terminée).")),
            **_api_errors(400)}),
        "/api/programme": _get("Programme", _("Un programme personnel"), [_ids(False)], {
            "200": _json(ref("Programme"), _("Les sessions choisies jour par jour, avec les "
                                             "chevauchements et les trajets trop longs.")),
            **_api_errors(400)}),
        "/calendar.ics": _get("Agendas", _("L’agenda d’une recherche"), filter_parameters(), {
            "200": _calendar(_("Un agenda iCalendar (RFC 5545) auquel s’abonner.")),
            **_not_modified(), **_page_errors(400, 404)}),
        "/events/{event_id}.ics": _get("Agendas", _("Une session dans son agenda"), [_event_id()], {
            "200": _calendar(_("La session en iCalendar.")), **_not_modified(), **_page_errors(404)}),
        "/programme.ics": _get("Agendas", _("L’agenda d’un programme personnel"), [_ids(True)], {
            "200": _calendar(_("Les sessions choisies en iCalendar.")), **_not_modified(),
            **_page_errors(400)}),
        "/broadcasts.ics": _get("Agendas", _("L’agenda des émissions"), [edition_parameter()], {
            "200": _calendar(_("Les émissions du matin en iCalendar.")), **_not_modified(),
            **_page_errors(400)}),
        "/api/openapi.json": _get("Documentation", _("Ce document"), [], {
            "200": _json({"type": "object"}, _("Le document OpenAPI 3.1.")), **_api_errors()}),
        "/api/docs": _get("Documentation", _("La documentation lisible"), [], {
            "200": {"description": _("Cette documentation en HTML."),
                    "content": {"text/html": {"schema": {"type": "string"}}}}, **_api_errors()}),
    }


def build_document(rate_limit: str) -> dict:
    """Return the OpenAPI 3.1 document; rate_limit is the API's per-client limit (API_RATE_LIMIT)."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Open Gen API",
            "version": "1",
            "description": _(
                "Les sessions des portes ouvertes de la Grande École du Numérique, en lecture seule. "
                "Réponses en JSON, erreurs en JSON avec le paramètre en cause. Les requêtes d’autres "
                "sites sont acceptées (CORS, GET seulement). Limite par client : %(limit)s ; au-delà, "
                "429 avec Retry-After.", limit=rate_limit),
            "license": {"name": "Licence Ouverte 2.0",
                        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
        },
        "tags": [{"name": name} for name in ENDPOINTS],
        "paths": {**_event_paths(), **_other_paths()},
        "components": components(),
        "x-rate-limit": {"per-client": rate_limit, "setting": "API_RATE_LIMIT",
                         "paths": "/api/*"},
    }
