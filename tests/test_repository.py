"""The repository itself: nothing half-merged is committed."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", "instance"}
TEXT = {".py", ".md", ".html", ".js", ".css", ".cfg", ".ini", ".txt", ".toml", ".yml", ".yaml", ""}
MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)


def text_files():
    for path in ROOT.rglob("*"):
        if SKIPPED.intersection(path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.suffix in TEXT and path.stat().st_size < 2_000_000:
            yield path


def test_no_file_holds_merge_conflict_markers():
    found = [f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"
             for path in text_files()
             for text in [path.read_text(encoding="utf-8", errors="replace")]
             for m in MARKER.finditer(text)]
    assert not found, found
