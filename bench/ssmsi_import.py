"""SSMSI import benchmark: the national communal base, imported in one pass in bounded memory.

Generates a file with the real column layout at national size (default ~35,000 communes ×
8 years × 12 indicators ≈ 3.4 million rows, ≈ 330 MB; some values "ndiff"), then measures in
separate processes, in the same run:
  - baseline: a bare `csv.reader` pass over the file (no decoding checks, no validation);
  - concert: `services.diagnostic.import_ssmsi` for a territory of 30 communes (SQLite in a
    temporary instance), the same function the API, the page and the CLI call;
and prints wall time and peak RSS (VmHWM) of each, with the ratio.

    .venv/bin/python bench/ssmsi_import.py                   # national size
    .venv/bin/python bench/ssmsi_import.py --communes 2000   # a smaller file
    .venv/bin/python bench/ssmsi_import.py --file base.csv   # an existing file
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ('"CODGEO_2024";"annee";"classe";"unité.de.compte";"valeur.publiée";"faits";'
          '"tauxpourmille";"complementinfoval";"complementinfotaux";"POP";"millPOP";"LOG";'
          '"millLOG"\n')
INDICATORS = [
    ("Homicides", "victime"), ("Tentatives d'homicide", "victime"),
    ("Coups et blessures volontaires", "victime"),
    ("Coups et blessures volontaires intrafamiliaux", "victime"),
    ("Autres coups et blessures volontaires", "victime"), ("Violences sexuelles", "victime"),
    ("Vols avec armes", "infraction"), ("Vols violents sans arme", "victime"),
    ("Vols sans violence contre des personnes", "victime"),
    ("Cambriolages de logement", "infraction"), ("Vols de véhicules", "véhicule"),
    ("Destructions et dégradations volontaires", "infraction"),
    ("Trafic de stupéfiants", "Mis en cause"), ("Usage de stupéfiants", "Mis en cause"),
]
TERRITORY_SIZE = 30


def commune_codes(count: int) -> list[str]:
    """Plausible INSEE codes: départements 01–95 (2A/2B for Corsica), 3-digit numbers."""
    departments = [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"]
    per = count // len(departments) + 1
    return [f"{d}{n:03d}" for d in departments for n in range(1, per + 1)][:count]


def generate(path: Path, communes: int, years: int, indicators: int) -> int:
    rng = random.Random(5)
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER)
        for code in commune_codes(communes):
            population = int(rng.lognormvariate(7, 1.4)) + 50
            dwellings = population // 2 + 1
            for name, unit in INDICATORS[:indicators]:
                for year in range(2024 - years, 2024):
                    facts = int(population * rng.uniform(0, 0.012))
                    if facts < 5 and rng.random() < 0.6:
                        line = (f'"{code}";"{year - 2000}";"{name}";"{unit}";"ndiff";NA;NA;'
                                f'{rng.uniform(0, 3):.4f};{rng.uniform(0, 1):.4f};'
                                f'{population};"{year}";{dwellings};"{year}"\n')
                    else:
                        line = (f'"{code}";"{year - 2000}";"{name}";"{unit}";"diff";{facts};'
                                f'{facts / population * 1000:.4f};NA;NA;{population};'
                                f'"{year}";{dwellings};"{year}"\n')
                    out.write(line.replace(".", ","))
                    rows += 1
    return rows


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_baseline(path: str) -> dict:
    import csv

    start, cpu = time.perf_counter(), cpu_seconds()
    rows = 0
    with open(path, encoding="utf-8-sig", newline="") as stream:
        for _row in csv.reader(stream, delimiter=";"):
            rows += 1
    return {"seconds": time.perf_counter() - start, "cpu": cpu_seconds() - cpu,
            "peak_rss_mb": peak_rss_mb(), "rows": rows - 1}


def measure_concert(path: str, instance: str) -> dict:
    os.environ["CONCERT_INSTANCE"] = instance
    os.environ["CONCERT_DATABASE_URL"] = f"sqlite:///{instance}/bench.db"
    from concert import create_app, migrate
    from concert.services import diagnostic, territories

    app = create_app()
    with app.app_context():
        migrate.upgrade()
        communes = commune_codes(TERRITORY_SIZE * 40)[::40]  # spread over the file
        territories.create_territory(None, "bench", "Banc d'essai", "13", communes)
        ready_rss = peak_rss_mb()
        start, cpu = time.perf_counter(), cpu_seconds()
        with open(path, "rb") as stream:
            record = diagnostic.import_ssmsi(territories.system_access("bench"), stream,
                                             Path(path).name)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return {"seconds": seconds, "cpu": cpu, "peak_rss_mb": peak_rss_mb(), "ready_rss_mb": ready_rss,
            "rows": record.rows, "skipped": record.skipped}


def child(kind: str, path: str, instance: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--file", path, "--instance", instance],
        capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", type=int, default=35_000)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--indicators", type=int, default=12, choices=range(1, 15))
    parser.add_argument("--file", help="an existing SSMSI file instead of a generated one")
    parser.add_argument("--measure", choices=("baseline", "concert"), help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        result = (measure_baseline(args.file) if args.measure == "baseline"
                  else measure_concert(args.file, args.instance))
        print(json.dumps(result))
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="ssmsi-bench-") as tmp:
        path = Path(args.file) if args.file else Path(tmp) / "base_communale.csv"
        if not args.file:
            start = time.perf_counter()
            rows = generate(path, args.communes, args.years, args.indicators)
            print(f"generated {rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB "
                  f"in {time.perf_counter() - start:.1f} s")
        size = path.stat().st_size / 1e6
        baseline = child("baseline", str(path), tmp)
        concert = child("concert", str(path), tmp)
    print(f"\nfile: {size:,.0f} MB, {baseline['rows']:,} rows; territory of "
          f"{TERRITORY_SIZE} communes: {concert['rows']:,} rows kept, "
          f"{concert['skipped']:,} skipped\n")
    print(f"{'':<34}{'wall time':>12}{'CPU time':>12}{'peak RSS':>12}{'rows/s (CPU)':>14}")
    for label, item in (("bare csv.reader pass (baseline)", baseline),
                        ("concert import_ssmsi", concert)):
        print(f"{label:<34}{item['seconds']:>10.1f} s{item['cpu']:>10.1f} s"
              f"{item['peak_rss_mb']:>9.0f} MB{baseline['rows'] / item['cpu']:>14,.0f}")
    print(f"{'ratio concert / baseline':<34}{concert['seconds'] / baseline['seconds']:>11.1f}×"
          f"{concert['cpu'] / baseline['cpu']:>11.1f}×"
          f"{concert['peak_rss_mb'] / baseline['peak_rss_mb']:>11.1f}×")
    print(f"\nconcert's RSS before the import (app loaded, schema migrated): "
          f"{concert['ready_rss_mb']:.0f} MB — the import itself added "
          f"{concert['peak_rss_mb'] - concert['ready_rss_mb']:.0f} MB for a "
          f"{size:,.0f} MB file.")


if __name__ == "__main__":
    main()
