"""The translation catalogues' checks (no Flask): what the code marks, what each catalogue lacks.

`python -m opengen.catalogue` lists, for each language, the messages without a translation, the
fuzzy ones, those whose placeholders differ and those the code no longer or not yet has. The
tests run the same checks. `python -m opengen.catalogue --mirror fr` fills the source language's
catalogue with its own msgids: the texts are French already, but French needs its catalogue for
its plural rule (« 0 session »: plural only above one), which gettext takes from the catalogue.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = PROJECT_ROOT / "translations"
BABEL_CFG = PROJECT_ROOT / "babel.cfg"
KEYWORDS = ("_", "gettext", "ngettext", "N_", "lazy_gettext", "_l")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


@dataclass
class Report:
    """What one catalogue lacks or gets wrong."""

    language: str
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in the code, not in the catalogue
    obsolete: list[str] = field(default_factory=list)  # in the catalogue, no longer in the code

    def ok(self) -> bool:
        """Tell whether the catalogue is complete and current."""
        return not (self.untranslated or self.fuzzy or self.placeholders or self.missing or self.obsolete)


def code_messages() -> set[str | tuple[str, str]]:
    """Return the msgids the code marks today (extracted with babel.cfg, as `make translations` does)."""
    from babel.messages.extract import DEFAULT_KEYWORDS

    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update({"lazy_gettext": None, "_l": None})
    with BABEL_CFG.open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: set = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(PROJECT_ROOT), method_map, options_map, keywords=keywords):
        if isinstance(message, (list, tuple)):
            found.add(tuple(message[:2]) if len(message) > 1 and message[1] else message[0])
        elif message:
            found.add(message)
    return found


def catalogue_path(language: str) -> Path:
    """Return the .po file of a language."""
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def load(language: str) -> Catalog:
    """Read a language's catalogue."""
    with catalogue_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


# The source language's plural rule, as gettext has always written it for French (CLDR's newer
# three forms add a « many » form for millions that two-form msgids cannot fill).
SOURCE_PLURAL_FORMS = "nplurals=2; plural=(n > 1);"


def mirror(language: str) -> int:
    """Fill a source-language catalogue with its own msgids (clearing fuzzy flags); return how many."""
    catalogue = load(language)
    catalogue.mime_headers = [("Plural-Forms", SOURCE_PLURAL_FORMS)]
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        message.string = tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id
        message.flags.discard("fuzzy")
        message.previous_id = []
        filled += 1
    with catalogue_path(language).open("wb") as handle:
        write_po(handle, catalogue, width=0, sort_by_file=True, ignore_obsolete=True)
    return filled


def placeholders(text: str) -> list[str]:
    """Return a text's printf placeholders, sorted (`%(name)s` by name, bare ones as `%s`)."""
    return sorted(match.group(1) or match.group(0) for match in PLACEHOLDER.finditer(text))


def check(language: str, marked: set | None = None) -> Report:
    """Check a language's catalogue against itself and, when given, the code's msgids."""
    catalogue = load(language)
    report = Report(language)
    present = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        key = ids[0] if len(ids) == 1 else ids[:2]
        present.add(key)
        label = ids[0]
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string or ())
        if not strings or not all(strings):
            report.untranslated.append(label)
        if message.fuzzy:
            report.fuzzy.append(label)
        expected = placeholders(ids[-1])
        for string in strings:
            if string and placeholders(string) != expected and placeholders(string) != placeholders(ids[0]):
                report.placeholders.append(label)
                break
    if marked is not None:
        report.missing = sorted(str(m if isinstance(m, str) else m[0]) for m in marked - present)
        report.obsolete = sorted(str(m if isinstance(m, str) else m[0]) for m in present - marked)
    return report


def languages() -> list[str]:
    """Return the languages that have a catalogue."""
    return sorted(path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def main() -> int:
    """Print what each catalogue lacks (or, with `--mirror LANG`, fill LANG's with its msgids); exit 1 if anything is."""
    if sys.argv[1:2] == ["--mirror"] and len(sys.argv) == 3:
        print(f"{sys.argv[2]}: {mirror(sys.argv[2])} messages mirrored", file=sys.stderr)
        return 0
    marked = code_messages()
    failed = False
    for language in languages():
        report = check(language, marked)
        for title, items in (("untranslated", report.untranslated), ("fuzzy", report.fuzzy),
                             ("placeholders differ", report.placeholders),
                             ("in the code, not in the catalogue (run make translations)", report.missing),
                             ("in the catalogue, no longer in the code (run make translations)", report.obsolete)):
            for item in items:
                print(f"{language}: {title}: {item!r}")
        print(f"{language}: {'complete' if report.ok() else 'INCOMPLETE'}", file=sys.stderr)
        failed = failed or not report.ok()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
