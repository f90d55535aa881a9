"""The package's shape: modules small enough to read and imports that go one way (shared/STYLE.md).

Views and commands call the domain packages, which use places and models, which use db. Nothing
imports a view, views do not import each other, and the pure modules do not import Flask.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "opengen"
MAX_LINES = 400
TOO_BIG_ON_PURPOSE = {"data/build_gazetteer.py"}  # a one-off build script, run by hand
DOMAIN = ("events", "places", "submissions", "broadcasts", "feeds", "shortlist", "reminders")
# Pure modules: tested with plain values, usable from any script; no Flask, no database.
PURE = ("opengen.checks", "opengen.qr", "opengen.timezones", "opengen.places.distance", "opengen.feeds.ics",
        "opengen.broadcasts.planner", "opengen.shortlist.clashes", "opengen.shortlist.locator",
        "opengen.posters", "opengen.posters.sheet", "opengen.posters.layout")
WEB = ("flask", "flask_babel", "flask_wtf", "flask_login", "flask_limiter", "flask_migrate",
       "flask_sqlalchemy", "werkzeug", "wtforms", "sqlalchemy")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """Every module the given module imports, as absolute names (opengen's and outside ones)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module
            # `from . import x` names a module; `from .m import f` names a function of m
            found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target
                      for a in node.names}
    return found


def project_imports(name: str) -> set[str]:
    return {i for i in imports_of(name) if i == "opengen" or i.startswith("opengen.")}


def test_every_module_is_small_enough_to_read():
    too_big = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
               if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
               and str(p.relative_to(PACKAGE)) not in TOO_BIG_ON_PURPOSE}
    assert not too_big, too_big


def test_nothing_outside_the_views_imports_a_view():
    offenders = {name: sorted(i for i in project_imports(name) if i.startswith("opengen.views"))
                 for name in MODULES if not name.startswith("opengen.views") and name != "opengen"}
    assert not {k: v for k, v in offenders.items() if v}


def test_views_do_not_import_each_other():
    views = {name for name in MODULES if name.startswith("opengen.views.")}
    offenders = {name: sorted(project_imports(name) & views) for name in views}
    assert not {k: v for k, v in offenders.items() if v}


@pytest.mark.parametrize("lower, higher", [
    ("opengen.db", ("opengen.models", "opengen.places", "opengen.events", "opengen.submissions",
                    "opengen.broadcasts", "opengen.feeds", "opengen.shortlist", "opengen.reminders", "opengen.views")),
    ("opengen.models", ("opengen.places", "opengen.events", "opengen.submissions", "opengen.broadcasts",
                        "opengen.feeds", "opengen.shortlist", "opengen.reminders", "opengen.views")),
    ("opengen.places", ("opengen.events", "opengen.submissions", "opengen.broadcasts", "opengen.feeds",
                        "opengen.shortlist", "opengen.reminders", "opengen.views")),
])
def test_lower_layers_do_not_import_higher_ones(lower, higher):
    offenders = {name: sorted(i for i in project_imports(name) if i.startswith(higher))
                 for name in MODULES if name == lower or name.startswith(lower + ".")}
    assert not {k: v for k, v in offenders.items() if v}


@pytest.mark.parametrize("name", PURE)
def test_pure_modules_import_no_web_framework_nor_database(name):
    seen, todo, outside = set(), [name], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for imported in imports_of(current):
            if imported in MODULES:
                todo.append(imported)
            elif imported.startswith("opengen."):
                todo.append(imported.rpartition(".")[0])
            else:
                outside.add(imported.split(".")[0])
    assert not outside & set(WEB), (name, sorted(outside & set(WEB)))
