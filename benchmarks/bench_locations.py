"""Benchmark: radius search over 10,000 locations, and importing 2,000 rows offline.

    .venv/bin/python benchmarks/bench_locations.py [--locations 10000] [--rows 2000]

Runs on a fresh SQLite file in a temporary folder (or on DATABASE_URL when set: use a
throw-away database). Compares, in the same run:

- radius search: `locations.selectors.within_radius` (indexed bounding box in SQL, then
  geodesic distance) against a plain Python scan of the same rows (every row's geodesic
  distance, filter, sort), for 25 km and 5 km around towns across the country;
- import: `location_import` of 2,000 CSV rows through the offline geocoding chain (first
  run: every town looked up; re-run: all unchanged) against a minimal baseline that parses
  the same CSV with `csv` and inserts the rows with `bulk_create`, no checks, no geocoding.

Prints a table and writes JSON to benchmarks/results/bench_locations.json.
"""

import argparse
import csv
import io
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CENTRES = {
    "Utrecht": (52.09083, 5.12222),
    "Groningen": (53.21917, 6.56667),
    "Maastricht": (50.84833, 5.68889),
    "Vlissingen": (51.4425, 3.57361),
    "Enschede": (52.21833, 6.89583),
}


def setup_django(tmp: Path) -> None:
    os.environ.setdefault("DEBUG", "true")
    os.environ["ENV_FILE"] = os.devnull
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(function, repeat: int) -> tuple[float, object]:
    """Median seconds of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def make_locations(count: int, rng: random.Random) -> None:
    from locations.borders import is_in_netherlands
    from locations.models import Location

    Location.objects.all().delete()
    rows = []
    while len(rows) < count:
        latitude, longitude = rng.uniform(50.75, 53.55), rng.uniform(3.35, 7.22)
        if is_in_netherlands(latitude, longitude):
            rows.append(
                Location(
                    name=f"bench {len(rows)}",
                    city="Bench",
                    latitude=latitude,
                    longitude=longitude,
                    position_precision="town",
                    position_source="bench",
                )
            )
    Location.objects.bulk_create(rows, batch_size=1000)


def bench_radius(repeat: int) -> list[dict]:
    from locations.models import Location
    from locations.selectors import distance_km, within_radius

    results = []
    for radius_km in (25.0, 5.0):
        for town, (latitude, longitude) in CENTRES.items():

            def ours(lat=latitude, lon=longitude, r=radius_km):
                found = within_radius(
                    Location.objects.all(), latitude=lat, longitude=lon, radius_km=r
                )
                return [location.pk for location, _ in found]

            def scan(lat=latitude, lon=longitude, r=radius_km):
                found = []
                for pk, row_lat, row_lon in Location.objects.values_list(
                    "pk", "latitude", "longitude"
                ):
                    km = distance_km((lat, lon), (row_lat, row_lon))
                    if km <= r:
                        found.append((km, pk))
                found.sort()
                return [pk for _, pk in found]

            ours_s, ours_result = timed(ours, repeat)
            scan_s, scan_result = timed(scan, max(1, repeat // 3))
            assert ours_result == scan_result, f"different answers around {town}"
            results.append(
                {
                    "centre": town,
                    "radius_km": radius_km,
                    "found": len(ours_result),
                    "ours_ms": ours_s * 1000,
                    "python_scan_ms": scan_s * 1000,
                    "speed-up": scan_s / ours_s,
                }
            )
    return results


def import_csv(rows: int, rng: random.Random) -> bytes:
    from locations.gazetteer import dutch_places

    towns = sorted({p.name for p in dutch_places() if p.population >= 5000})
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["referentie", "naam", "soort", "straat", "huisnummer", "plaats"])
    for number in range(rows):
        town = rng.choice(towns)
        writer.writerow(
            [
                f"bench-{number}",
                f"Locatie {number} – {town}",
                "azc",
                "Dorpsstraat",
                rng.randint(1, 200),
                town,
            ]
        )
    return out.getvalue().encode("utf-8")


def bench_import(rows: int) -> dict:
    from locations.importing import location_import
    from locations.models import GeocodeCacheEntry, Location

    data = import_csv(rows, random.Random(7))

    Location.objects.all().delete()
    GeocodeCacheEntry.objects.all().delete()
    started = time.perf_counter()
    first = location_import(data=data)
    first_s = time.perf_counter() - started
    assert first.created == rows and not first.problems, first.problems[:3]

    started = time.perf_counter()
    again = location_import(data=data)
    again_s = time.perf_counter() - started
    assert again.unchanged == rows

    Location.objects.all().delete()
    started = time.perf_counter()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=";")
    Location.objects.bulk_create(
        [
            Location(
                reference=row["referentie"],
                name=row["naam"],
                kind=row["soort"],
                street=row["straat"],
                house_number=int(row["huisnummer"]),
                city=row["plaats"],
            )
            for row in reader
        ],
        batch_size=500,
    )
    baseline_s = time.perf_counter() - started
    return {
        "rows": rows,
        "import_first_run_s": first_s,
        "import_rerun_s": again_s,
        "baseline_bulk_insert_s": baseline_s,
        "rows_per_s_first_run": rows / first_s,
        "ratio_first_run_vs_baseline": first_s / baseline_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder))
        from django.db import connection

        rng = random.Random(2027)
        make_locations(args.locations, rng)
        radius = bench_radius(args.repeat)
        imported = bench_import(args.rows)
        vendor = connection.vendor
        connection.close()

    print(
        f"\nRadius search over {args.locations} locations ({vendor}), median of {args.repeat} runs"
    )
    print(f"{'centre':<12}{'radius':>8}{'found':>7}{'ours ms':>10}{'scan ms':>10}{'speed-up':>10}")
    for row in radius:
        print(
            f"{row['centre']:<12}{row['radius_km']:>6.0f}km{row['found']:>7}"
            f"{row['ours_ms']:>10.1f}{row['python_scan_ms']:>10.1f}{row['speed-up']:>9.1f}x"
        )
    print(f"\nImport of {imported['rows']} rows, offline geocoding ({vendor})")
    print(
        f"  first run (geocode + validate + insert): {imported['import_first_run_s']:.2f} s "
        f"({imported['rows_per_s_first_run']:.0f} rows/s)"
    )
    print(f"  re-run (all unchanged):                  {imported['import_rerun_s']:.2f} s")
    print(f"  baseline csv + bulk_create, no checks:   {imported['baseline_bulk_insert_s']:.2f} s")
    print(
        f"  ratio first run / baseline:              {imported['ratio_first_run_vs_baseline']:.1f}x"
    )

    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    payload = {
        "command": "python benchmarks/bench_locations.py " + " ".join(sys.argv[1:]),
        "database": vendor,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "locations": args.locations,
        "radius": radius,
        "import": imported,
    }
    (results / "bench_locations.json").write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nwrote {results / 'bench_locations.json'}")


if __name__ == "__main__":
    main()
