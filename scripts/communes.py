"""Writes concert/data/communes.tsv (INSEE code, name, département; one line per code,
sorted by code) from the communes.json of Etalab's découpage administratif, which npm
installs at set-up (`make setup` runs this):

    python3 scripts/communes.py node_modules/@etalab/decoupage-administratif/data/communes.json \
        concert/data/communes.tsv

A commune déléguée or associée may share its code with the commune it belongs to: the
commune actuelle wins. Municipal arrondissements (Paris, Lyon, Marseille) keep their own codes.
Standard library only, so it runs before the virtualenv exists.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# Lower wins when entries share a code.
PREFERENCE = {"commune-actuelle": 0, "arrondissement-municipal": 1, "commune-deleguee": 2,
              "commune-associee": 3}


def lines(entries: list[dict]) -> list[str]:
    chosen: dict[str, dict] = {}
    for entry in entries:
        rank = PREFERENCE.get(entry.get("type"), len(PREFERENCE))
        current = chosen.get(entry["code"])
        if current is None or rank < PREFERENCE.get(current.get("type"), len(PREFERENCE)):
            chosen[entry["code"]] = entry
    return [f"{code}\t{_clean(e['nom'])}\t{e.get('departement', '')}\n"
            for code, e in sorted(chosen.items())]


def _clean(name: str) -> str:
    return " ".join(name.split())  # no tab or line break may reach the file


def write(target: str, text: str) -> None:
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".tmp")  # an interrupted run leaves no half file
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, out)


def main(source: str, target: str) -> None:
    write(target, "".join(lines(json.loads(Path(source).read_text(encoding="utf-8")))))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} COMMUNES_JSON OUTPUT_TSV")
    main(sys.argv[1], sys.argv[2])
