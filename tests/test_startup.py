"""Starting the app stays light: heavy libraries are imported only by what uses them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from opengen import maps

ROOT = Path(__file__).resolve().parent.parent
# Each costs memory in every worker and time in every `flask` command (measured: folium with
# branca, numpy and requests 27 MB; alembic 11 MB; geopy with requests 15 MB; reportlab 4 MB).
HEAVY = ("folium", "branca", "numpy", "alembic", "flask_migrate", "reportlab", "geopy", "requests")

LOADED = """
import json, sys
import app
{after}
print(json.dumps(sorted({{name.split('.')[0] for name in sys.modules}})))
"""


def loaded_after(after: str = "") -> set[str]:
    """The top-level packages a fresh interpreter holds after importing the app (then `after`)."""
    script = LOADED.format(after=after)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "GEOCODER": "ban",
                                            "SECRET_KEY": "x"})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_building_the_app_imports_no_heavy_library():
    assert loaded_after() & set(HEAVY) == set()


def test_the_guard_sees_a_heavy_library_once_it_is_used():
    # The same check fails as soon as a map is drawn: the guard above can fail.
    drawn = loaded_after("from opengen import maps; maps.shell('m', tiles_url='t/{z}', attribution='a')")
    assert "folium" in drawn


@pytest.mark.parametrize("tiles", ["https://a/{z}/{x}/{y}.png", "https://b/{z}/{x}/{y}.png"])
def test_a_map_shell_is_rendered_once_per_process_for_the_same_settings(tiles):
    config = {"TILES_URL": tiles, "TILES_ATTRIBUTION": "© OSM", "TILES_MAX_ZOOM": 19}
    first = maps.configured_shell(config, "events")
    again = maps.configured_shell(config, "events", centre=[46.6, 2.5])
    assert again is first and tiles in first.script
    other = maps.configured_shell({**config, "TILES_URL": tiles + "?v=2"}, "events")
    assert other is not first and tiles + "?v=2" in other.script


def test_flask_migrate_commands_still_work_when_loaded_late(runner):
    listed = runner.invoke(args=["db", "--help"])
    assert listed.exit_code == 0 and "upgrade" in listed.output and "--directory" in listed.output
    # `current` reads what the group's own callback sets up (g.directory): it fails without it.
    result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0, result.output
