"""Print how long build_calendar takes for 10,000 entries (first build of the process, then warm)."""

import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opengen.feeds.ics import CalendarEntry, build_calendar

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2021, 11, 20, 12, tzinfo=timezone.utc)
DESCRIPTION = (
    "Découvrez la formation « Développeur web et web mobile » : atelier d'initiation au code, "
    "rencontre avec l'équipe pédagogique et d'anciens apprenants.\n"
    "Sans prérequis académique ; ouvert à toutes et à tous, en particulier aux femmes, aux "
    "habitants des quartiers prioritaires et des zones rurales."
)


def entries(count: int) -> list[CalendarEntry]:
    """Entries like the seed week's sessions, one every ten minutes from Monday 29 Nov 2021."""
    first = datetime(2021, 11, 29, 9, tzinfo=PARIS)
    return [
        CalendarEntry(
            uid=f"event-{n}@opengen.example",
            sequence=n % 3,
            summary=f"Portes ouvertes n°{n} : développeur·se web, data & IA",
            description=DESCRIPTION,
            start=first + timedelta(minutes=10 * n),
            end=first + timedelta(minutes=10 * n + 60),
            location=f"{n} rue de la République, 69002 Lyon",
            geo=(45.76 + n / 1e5, 4.83 + n / 1e5),
            url=f"https://opengen.example/evenements/{n}",
            categories=("Développement", "Data, IA"),
            status="CANCELLED" if n % 50 == 0 else "CONFIRMED",
            last_modified=STAMP,
            created=STAMP,
        )
        for n in range(count)
    ]


def main() -> None:
    """Build the calendar a few times and print the timings."""
    batch = entries(10_000)
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        body = build_calendar(batch, name="Open Gen 2021", calendar_uid="all@opengen.example", stamp=STAMP)
        timings.append(time.perf_counter() - began)
    print(
        f"build_calendar, 10,000 entries: first {timings[0]:.3f} s, "
        f"then best {min(timings[1:]):.3f} s; {len(body) / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
