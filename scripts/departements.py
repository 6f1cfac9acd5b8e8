"""Writes concert/data/departements.tsv (code, name; one line per département, sorted by
code) from the departements.json of Etalab's découpage administratif, which npm installs at
set-up (`make setup` runs this, as it runs scripts/communes.py):

    python3 scripts/departements.py \
        node_modules/@etalab/decoupage-administratif/data/departements.json \
        concert/data/departements.tsv

Standard library only, so it runs before the virtualenv exists.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from communes import write  # scripts/ is the script's own folder, first on sys.path


def lines(entries: list[dict]) -> list[str]:
    names = {entry["code"]: " ".join(entry["nom"].split()) for entry in entries}
    return [f"{code}\t{name}\n" for code, name in sorted(names.items())]


def main(source: str, target: str) -> None:
    write(target, "".join(lines(json.loads(Path(source).read_text(encoding="utf-8")))))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} DEPARTEMENTS_JSON OUTPUT_TSV")
    main(sys.argv[1], sys.argv[2])
