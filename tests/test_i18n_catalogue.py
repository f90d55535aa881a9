"""The English catalogue: complete, consistent with the code, compiled."""
from __future__ import annotations

import io

import pytest
from babel.messages.mofile import write_mo

from opengen import catalogue


@pytest.fixture(scope="module")
def report():
    return catalogue.check("en", catalogue.code_messages())


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


def test_compiled_catalogue_is_there_and_up_to_date():
    mo = catalogue.catalogue_path("en").with_suffix(".mo")
    assert mo.exists(), "run `make compile-translations`: without it the site is French only"
    fresh = io.BytesIO()
    write_mo(fresh, catalogue.load("en"))
    assert mo.read_bytes() == fresh.getvalue(), "messages.mo is stale: run `make compile-translations`"


def test_the_check_finds_what_is_wrong(tmp_path, monkeypatch):
    """The checks themselves can fail: a catalogue with a gap, a fuzzy entry and a lost placeholder."""
    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Bonjour"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Salut"\nmsgstr "Hi"\n\n'
        'msgid "Page %(n)s"\nmsgstr "Page"\n', encoding="utf-8")
    monkeypatch.setattr(catalogue, "TRANSLATIONS", tmp_path)
    found = catalogue.check("xx", {"Bonjour", "Salut", "Nouveau"})
    assert found.untranslated == ["Bonjour"] and found.fuzzy == ["Salut"]
    assert found.placeholders == ["Page %(n)s"]
    assert found.missing == ["Nouveau"] and found.obsolete == ["Page %(n)s"]
    assert not found.ok()
