"""The catalogues (English, and French for its plural rule): complete, consistent with the code, compiled."""
from __future__ import annotations

import io

import pytest
from babel.messages.mofile import write_mo

from opengen import catalogue


LANGUAGES = ("en", "fr")


def catalogue_at(tmp_path, monkeypatch, language: str, rest: str) -> None:
    """Write a small catalogue for `language` (its header's first line, then `rest`) and check it there."""
    folder = tmp_path / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n' + rest,
                                        encoding="utf-8")
    monkeypatch.setattr(catalogue, "TRANSLATIONS", tmp_path)


@pytest.fixture(scope="module")
def marked():
    return catalogue.code_messages()


@pytest.fixture(scope="module", params=LANGUAGES)
def report(request, marked):
    return catalogue.check(request.param, marked)


def test_every_message_has_an_english_translation(report):
    assert report.untranslated == [], "untranslated (translate them in translations/en/.../messages.po)"
    assert report.fuzzy == [], "fuzzy (check and drop the fuzzy flag)"


def test_placeholders_match(report):
    assert report.placeholders == []


def test_catalogue_is_current_with_the_code(report):
    assert report.missing == [], "texts marked in the code but not in the catalogue: run `make translations`"
    assert report.obsolete == [], "texts in the catalogue the code no longer has: run `make translations`"


def test_english_plural_forms():
    loaded = catalogue.load("en")
    assert loaded.num_plurals == 2
    plurals = [m for m in loaded if m.id and isinstance(m.id, (list, tuple))]
    assert plurals and all(len(m.string) == 2 and all(m.string) for m in plurals)


def test_french_catalogue_mirrors_the_msgids_with_the_french_plural_rule():
    loaded = catalogue.load("fr")
    assert loaded.num_plurals == 2 and loaded.plural_expr == "(n > 1)"
    for message in loaded:
        if message.id:
            expected = tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id
            got = tuple(message.string) if isinstance(message.string, (list, tuple)) else message.string
            assert got == expected, message.id


def test_mirror_fills_a_source_catalogue_from_its_msgids(tmp_path, monkeypatch):
    catalogue_at(tmp_path, monkeypatch, "fr", '"Plural-Forms: nplurals=3; plural=(n == 0 || n == 1) ? 0 : 2;\\n"\n\n'
                 'msgid "Bonjour"\nmsgstr ""\n\n#, fuzzy\nmsgid "%(num)s place"\nmsgid_plural "%(num)s places"\n'
                 'msgstr[0] ""\nmsgstr[1] ""\nmsgstr[2] ""\n')
    assert not catalogue.check("fr").ok()
    assert catalogue.mirror("fr") == 2
    assert catalogue.check("fr").ok()
    loaded = catalogue.load("fr")
    assert loaded.num_plurals == 2 and loaded.get("Bonjour").string == "Bonjour"
    assert tuple(loaded.get(("%(num)s place", "%(num)s places")).string) == ("%(num)s place", "%(num)s places")


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_there_and_up_to_date(language):
    mo = catalogue.catalogue_path(language).with_suffix(".mo")
    assert mo.exists(), "run `make compile-translations`: without it the site is French only"
    fresh = io.BytesIO()
    write_mo(fresh, catalogue.load(language))
    assert mo.read_bytes() == fresh.getvalue(), "messages.mo is stale: run `make compile-translations`"


def test_the_check_finds_what_is_wrong(tmp_path, monkeypatch):
    """The checks themselves can fail: a catalogue with a gap, a fuzzy entry and a lost placeholder."""
    catalogue_at(tmp_path, monkeypatch, "xx", '\n'
                 'msgid "Bonjour"\nmsgstr ""\n\n'
                 '#, fuzzy\nmsgid "Salut"\nmsgstr "Hi"\n\n'
                 'msgid "Page %(n)s"\nmsgstr "Page"\n')
    found = catalogue.check("xx", {"Bonjour", "Salut", "Nouveau"})
    assert found.untranslated == ["Bonjour"] and found.fuzzy == ["Salut"]
    assert found.placeholders == ["Page %(n)s"]
    assert found.missing == ["Nouveau"] and found.obsolete == ["Page %(n)s"]
    assert not found.ok()
