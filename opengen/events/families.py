"""The nine career families presented during Open Gen, and their sync into the database."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CareerFamily


@dataclass(frozen=True)
class FamilyInfo:
    slug: str
    label_fr: str
    label_en: str
    colour: str
    jobs: tuple[str, ...]
    summary: str


FAMILIES: tuple[FamilyInfo, ...] = (
    FamilyInfo("web-development", "Développement web", "Web development", "#1f5fa8",
               (_l("Développeur ou développeuse web"), _l("Intégrateur web"),
                _l("Développeur d’applications mobiles")),
               _l("Créer des sites et des applications : écrire le code des pages que l’on voit "
                  "et des services qui tournent derrière.")),
    FamilyInfo("networks-maintenance", "Réseaux et maintenance", "Networks and maintenance", "#8c564b",
               (_l("Technicien ou technicienne réseaux"), _l("Technicien d’assistance informatique"),
                _l("Administrateur systèmes et réseaux")),
               _l("Installer, dépanner et faire fonctionner les ordinateurs, les serveurs et les "
                  "réseaux des entreprises.")),
    FamilyInfo("cybersecurity", "Cybersécurité", "Cybersecurity", "#c62828",
               (_l("Analyste en cybersécurité"), _l("Technicien SOC"), _l("Pentesteur ou pentesteuse")),
               _l("Protéger les données et les systèmes contre les attaques, surveiller et réagir "
                  "aux incidents.")),
    FamilyInfo("cloud", "Cloud", "Cloud", "#00838f",
               (_l("Technicien cloud"), _l("Administrateur cloud et DevOps")),
               _l("Faire tourner les applications sur des serveurs à distance, les déployer et les "
                  "faire grandir.")),
    FamilyInfo("data", "Data", "Data", "#2e7d32",
               (_l("Data analyst"), _l("Assistant ou assistante data"), _l("Développeur data")),
               _l("Collecter, nettoyer et faire parler les données pour aider à décider.")),
    FamilyInfo("ai", "Intelligence artificielle", "Artificial intelligence", "#6a1b9a",
               (_l("Développeur en intelligence artificielle"), _l("Annotateur de données")),
               _l("Concevoir et entraîner des programmes qui apprennent à partir d’exemples.")),
    FamilyInfo("web-design", "Web design et graphisme", "Web design and graphics", "#ad1457",
               (_l("Web designer"), _l("Designer UX/UI"), _l("Graphiste")),
               _l("Dessiner des interfaces belles et faciles à utiliser, créer des visuels.")),
    FamilyInfo("digital-marketing", "Marketing digital", "Digital marketing", "#e65100",
               (_l("Community manager"), _l("Chargé ou chargée de marketing digital"),
                _l("Rédacteur web")),
               _l("Faire connaître une marque sur internet : réseaux sociaux, contenus, publicité "
                  "en ligne.")),
    FamilyInfo("project-management", "Gestion de projet", "Project management", "#546e7a",
               (_l("Chef ou cheffe de projet digital"), _l("Product owner"), _l("Scrum master")),
               _l("Organiser le travail d’une équipe pour livrer un site, une application ou un "
                  "service à temps.")),
)

SLUGS: tuple[str, ...] = tuple(f.slug for f in FAMILIES)
BY_SLUG: dict[str, FamilyInfo] = {f.slug: f for f in FAMILIES}


def sync_families(session: Session) -> None:
    """Insert or update the nine career families so the database matches FAMILIES."""
    existing = {f.slug: f for f in session.scalars(select(CareerFamily))}
    for position, info in enumerate(FAMILIES):
        row = existing.get(info.slug) or CareerFamily(slug=info.slug)
        row.label_fr, row.label_en, row.colour, row.position = (
            info.label_fr, info.label_en, info.colour, position)
        session.add(row)
    session.flush()
