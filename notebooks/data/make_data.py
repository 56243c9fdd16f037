"""Generate the course data set: daily bike counts at three counting stations.

The numbers are synthetic but follow patterns seen in real city counters:
more riders on warm days, fewer on rainy days, commuter stations busy on
weekdays and leisure routes busy at weekends. The generator uses only the
standard library and a fixed seed, so running it again gives the same file,
byte for byte:

    python notebooks/data/make_data.py

It writes ``bike_counts.csv`` next to this script, and the same file into the
folders of the graded exercises that use it (``exercises/ps2`` and
``exercises/ps3``), because at grading time a submission only sees its own
assignment folder.

Columns
-------
date       day of the count, ISO format (2026-03-02 ... 2026-05-31)
weekday    short day name (Mon ... Sun)
station    counting station: Riverside, Old Town or University
temp_c     mean air temperature of the day in degrees Celsius (same for all stations)
rain_mm    precipitation of the day in millimetres (same for all stations)
bikes      number of bikes counted at the station that day
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path

SEED = 2027
FIRST_DAY = dt.date(2026, 3, 2)  # a Monday
N_DAYS = 91  # 13 full weeks, until 2026-05-31

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

# Typical weekday count and how each day of the week compares to it.
STATIONS = {
    "Riverside": {"base": 950, "week": [0.85, 0.85, 0.9, 0.9, 1.0, 1.45, 1.55]},
    "Old Town": {"base": 1300, "week": [1.0, 1.0, 1.0, 1.05, 1.1, 0.95, 0.75]},
    "University": {"base": 1650, "week": [1.1, 1.15, 1.15, 1.1, 0.95, 0.35, 0.3]},
}

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUTPUTS = [
    HERE / "bike_counts.csv",
    ROOT / "exercises" / "ps2" / "bike_counts.csv",
    ROOT / "exercises" / "ps3" / "bike_counts.csv",
]


def weather(rng: random.Random, day_index: int) -> tuple[float, float]:
    """Temperature and rain for one day: spring warming plus day-to-day noise."""
    season = 5.0 + 14.0 * day_index / (N_DAYS - 1)  # from about 5 to 19 degrees
    wiggle = 2.5 * math.sin(day_index / 4.0)  # warm and cold spells
    temp = round(season + wiggle + rng.gauss(0, 1.8), 1)
    if rng.random() < 0.35:
        rain = round(min(rng.expovariate(1 / 4.0), 30.0), 1)
    else:
        rain = 0.0
    return temp, rain


def count(rng: random.Random, station: str, weekday: int, temp: float, rain: float) -> int:
    """Bikes counted at one station on one day."""
    spec = STATIONS[station]
    expected = spec["base"] * spec["week"][weekday]
    expected *= 1 + 0.035 * (temp - 12)  # warmer days bring more riders
    expected *= 1 - min(0.55, 0.05 * rain)  # rain keeps riders away
    return max(0, round(expected * rng.gauss(1.0, 0.06)))


def rows() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    result = []
    for i in range(N_DAYS):
        day = FIRST_DAY + dt.timedelta(days=i)
        temp, rain = weather(rng, i)
        for station in STATIONS:
            result.append(
                {
                    "date": day.isoformat(),
                    "weekday": WEEKDAYS[day.weekday()],
                    "station": station,
                    "temp_c": temp,
                    "rain_mm": rain,
                    "bikes": count(rng, station, day.weekday(), temp, rain),
                }
            )
    return result


def main() -> None:
    data = rows()
    for path in OUTPUTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(data[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(data)
        print(f"wrote {len(data)} rows to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
