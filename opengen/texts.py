"""Sentences for people written by the pure modules (no Flask): `gettext` / `ngettext` that the app
points at its catalogues (opengen.i18n), extracted like any `_()`.

Without an app (a script, a plain-value test) they give the French text with the French plural
rule (singular up to one: « 0 famille »), and `language()` says French.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SOURCE_LANGUAGE = "fr"


@dataclass(frozen=True)
class Hooks:
    """How the app translates: when it can (an app context), and with what."""

    active: Callable[[], bool]
    gettext: Callable[..., str]
    ngettext: Callable[..., str]
    language: Callable[[], str]


_hooks: Hooks | None = None


def use(hooks: Hooks) -> None:
    """Translate the pure modules' sentences with the app's catalogues from now on."""
    global _hooks
    _hooks = hooks


def _live() -> Hooks | None:
    return _hooks if _hooks is not None and _hooks.active() else None


def N_(message: str) -> str:
    """Mark a sentence for the catalogue without translating it (pybabel extracts N_)."""
    return message


def as_written(message: str, **variables) -> str:
    """Return a sentence in French whatever the language (for texts stored in the database), filled."""
    return message % variables if variables else message


def gettext(message: str, **variables) -> str:
    """Return a sentence in the current language, its %(name)s placeholders filled."""
    hooks = _live()
    if hooks is not None:
        return hooks.gettext(message, **variables)
    return message % variables if variables else message


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Return the singular or plural sentence for `num` in the current language (%(num)s filled)."""
    hooks = _live()
    if hooks is not None:
        return hooks.ngettext(singular, plural, num, **variables)
    variables.setdefault("num", num)
    return (singular if num <= 1 else plural) % variables


def language() -> str:
    """Return the current language's code (French without an app)."""
    hooks = _live()
    return hooks.language() if hooks is not None else SOURCE_LANGUAGE


def family_label(family) -> str:
    """Return a career family's name (a row or a `FamilyInfo`) in the current language."""
    if language() == "en" and getattr(family, "label_en", None):
        return family.label_en
    return family.label_fr
