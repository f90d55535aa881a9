"""French display labels for the domain's enumerations and tags."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "workshop": _l("Atelier d’initiation"),
    "career_talk": _l("Présentation d’un métier"),
    "testimony": _l("Témoignage d’anciens apprenants"),
    "open_house": _l("Portes ouvertes"),
    "info_session": _l("Réunion d’information"),
}

FORMAT_LABELS = {
    "onsite": _l("Sur place"),
    "online": _l("En ligne"),
    "both": _l("Sur place et en ligne"),
}

STATUS_LABELS = {
    "pending": _l("En attente de validation"),
    "published": _l("Publiée"),
    "rejected": _l("Refusée"),
    "cancelled": _l("Annulée"),
}

AUDIENCE_LABELS = {
    "no-prerequisite": _l("Sans prérequis"),
    "no-diploma": _l("Sans diplôme"),
    "women-in-tech": _l("Femmes et numérique"),
    "young-people": _l("Jeunes de 16 à 25 ans"),
    "job-seekers": _l("Demandeurs d’emploi"),
    "career-change": _l("Reconversion"),
    "qpv": _l("Quartiers prioritaires (QPV)"),
    "rural": _l("Zones rurales (ZRR)"),
    "disability": _l("Personnes en situation de handicap"),
}

NETWORKS = ("Simplon", "Le Wagon", "42", "3W Academy", "Web@cadémie", "Wild Code School",
            "Ada Tech School", "Pop School", "Konexio", "Descodeuses", "ONLINEFORMAPRO", "Afpa")


def labeller(labels: dict) -> Callable[[object], str]:
    """Return a function giving a key's label (the key itself when it has none)."""
    return lambda key: str(labels.get(key, key))
