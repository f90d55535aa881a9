"""The application's geocoder, built once from the configuration.

Provisional: until opengen.geo lands, this wraps geopy's BANFrance directly (no gazetteer, so
GEOCODER=offline means "no geocoder": venues are saved and marked for geocoding).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from geopy.adapters import URLLibAdapter
from geopy.exc import GeocoderUnavailable
from geopy.geocoders import BANFrance


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    label: str
    source: str
    precision: str
    insee: str | None = None
    postcode: str | None = None
    city: str | None = None
    department: str | None = None
    region: str | None = None


class _BanGeocoder:
    """The national address base through geopy, without retries (see FIELD-NOTES)."""

    def __init__(self, domain: str, scheme: str, timeout: float, user_agent: str):
        self._ban = BANFrance(domain=domain, scheme=scheme, timeout=timeout, user_agent=user_agent,
                              adapter_factory=URLLibAdapter)

    def geocode(self, query: str) -> Place | None:
        location = self._ban.geocode(query, exactly_one=True)
        if location is None:
            return None
        props = location.raw.get("properties", {})
        context = [part.strip() for part in (props.get("context") or "").split(",")]
        return Place(lat=location.latitude, lon=location.longitude, label=props.get("label", ""),
                     source="ban", precision=props.get("type", "unknown"),
                     insee=props.get("citycode"), postcode=props.get("postcode"),
                     city=props.get("city"),
                     department=context[1] if len(context) > 1 else None,
                     region=context[2] if len(context) > 2 else None)


class _NoGeocoder:
    def geocode(self, query: str) -> Place | None:
        raise GeocoderUnavailable("no geocoder configured")


def get_geocoder():
    """Return the app's geocoder (one per app), with a geocode(query) -> Place | None method."""
    geocoder = current_app.extensions.get("opengen.geocoder")
    if geocoder is None:
        config = current_app.config
        if config["GEOCODER"] == "ban":
            geocoder = _BanGeocoder(config["BAN_DOMAIN"], config["BAN_SCHEME"],
                                    config["GEOCODER_TIMEOUT"], config["GEOCODER_USER_AGENT"])
        else:
            geocoder = _NoGeocoder()
        current_app.extensions["opengen.geocoder"] = geocoder
    return geocoder
