"""A geocoded place, as every geocoder answers it. No Flask."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping


@dataclass
class Place:
    """A geocoded place: where it is, what it is called, and how sure we are."""

    lat: float
    lon: float
    label: str
    source: str  # "ban", "nominatim" or "gazetteer"
    precision: str  # "housenumber", "street", "locality", "municipality" or "approximate"
    insee: str | None = None
    postcode: str | None = None
    city: str | None = None
    department: str | None = None  # department code, e.g. "93", "2A", "974"
    region: str | None = None
    alternatives: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-value form, for JSON and caches."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Place:
        """Rebuild a place from to_dict() output."""
        return cls(lat=float(data["lat"]), lon=float(data["lon"]), label=str(data["label"]),
                   source=str(data["source"]), precision=str(data["precision"]),
                   insee=data.get("insee"), postcode=data.get("postcode"), city=data.get("city"),
                   department=data.get("department"), region=data.get("region"),
                   alternatives=list(data.get("alternatives") or []))

    def summary(self) -> dict[str, Any]:
        """Small form used in another place's alternatives."""
        return {"label": self.label, "lat": self.lat, "lon": self.lon, "insee": self.insee,
                "postcode": self.postcode, "department": self.department}

