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
import os
import sys
from pathlib import Path


def lines(entries: list[dict]) -> list[str]:
    names = {entry["code"]: " ".join(entry["nom"].split()) for entry in entries}
    return [f"{code}\t{name}\n" for code, name in sorted(names.items())]


def main(source: str, target: str) -> None:
    entries = json.loads(Path(source).read_text(encoding="utf-8"))
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".tmp")  # an interrupted run leaves no half file
    partial.write_text("".join(lines(entries)), encoding="utf-8")
    os.replace(partial, out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} DEPARTEMENTS_JSON OUTPUT_TSV")
    main(sys.argv[1], sys.argv[2])
