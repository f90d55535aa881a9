"""The nine career families presented during Open Gen: the one list the site, the broadcast planner
and the database rows (`demo.sync_families`) read. No Flask: texts are marked with `N_` for the
catalogue and translated where they are shown.
"""
from __future__ import annotations

from dataclasses import dataclass


def N_(text: str) -> str:
    """Mark a text for the translation catalogue (pybabel extracts N_) without translating it."""
    return text


@dataclass(frozen=True)
class FamilyInfo:
    slug: str
    label_fr: str
    label_en: str
    colour: str
    jobs: tuple[str, ...]
    summary: str
    of_phrase: str  # "Les métiers ..." followed by this: "du cloud", "de la data" (English: "cloud", "data")


FAMILIES: tuple[FamilyInfo, ...] = (
    FamilyInfo("web-development", "Développement web", "Web development", "#1f5fa8",
               (N_("Développeur ou développeuse web"), N_("Intégrateur web"),
                N_("Développeur d’applications mobiles")),
               N_("Créer des sites et des applications : écrire le code des pages que l’on voit "
                  "et des services qui tournent derrière."),
               N_("du développement web")),
    FamilyInfo("networks-maintenance", "Réseaux et maintenance", "Networks and maintenance", "#8c564b",
               (N_("Technicien ou technicienne réseaux"), N_("Technicien d’assistance informatique"),
                N_("Administrateur systèmes et réseaux")),
               N_("Installer, dépanner et faire fonctionner les ordinateurs, les serveurs et les "
                  "réseaux des entreprises."),
               N_("des réseaux et de la maintenance")),
    FamilyInfo("cybersecurity", "Cybersécurité", "Cybersecurity", "#c62828",
               (N_("Analyste en cybersécurité"), N_("Technicien SOC"), N_("Pentesteur ou pentesteuse")),
               N_("Protéger les données et les systèmes contre les attaques, surveiller et réagir "
                  "aux incidents."),
               N_("de la cybersécurité")),
    FamilyInfo("cloud", "Cloud", "Cloud", "#00838f",
               (N_("Technicien cloud"), N_("Administrateur cloud et DevOps")),
               N_("Faire tourner les applications sur des serveurs à distance, les déployer et les "
                  "faire grandir."),
               N_("du cloud")),
    FamilyInfo("data", "Data", "Data", "#2e7d32",
               (N_("Data analyst"), N_("Assistant ou assistante data"), N_("Développeur data")),
               N_("Collecter, nettoyer et faire parler les données pour aider à décider."),
               N_("de la data")),
    FamilyInfo("ai", "Intelligence artificielle", "Artificial intelligence", "#6a1b9a",
               (N_("Développeur en intelligence artificielle"), N_("Annotateur de données")),
               N_("Concevoir et entraîner des programmes qui apprennent à partir d’exemples."),
               N_("de l’intelligence artificielle")),
    FamilyInfo("web-design", "Web design et graphisme", "Web design and graphics", "#ad1457",
               (N_("Web designer"), N_("Designer UX/UI"), N_("Graphiste")),
               N_("Dessiner des interfaces belles et faciles à utiliser, créer des visuels."),
               N_("du web design et du graphisme")),
    FamilyInfo("digital-marketing", "Marketing digital", "Digital marketing", "#e65100",
               (N_("Community manager"), N_("Chargé ou chargée de marketing digital"),
                N_("Rédacteur web")),
               N_("Faire connaître une marque sur internet : réseaux sociaux, contenus, publicité "
                  "en ligne."),
               N_("du marketing digital")),
    FamilyInfo("project-management", "Gestion de projet", "Project management", "#546e7a",
               (N_("Chef ou cheffe de projet digital"), N_("Product owner"), N_("Scrum master")),
               N_("Organiser le travail d’une équipe pour livrer un site, une application ou un "
                  "service à temps."),
               N_("de la gestion de projet")),
)

SLUGS: tuple[str, ...] = tuple(f.slug for f in FAMILIES)
BY_SLUG: dict[str, FamilyInfo] = {f.slug: f for f in FAMILIES}
