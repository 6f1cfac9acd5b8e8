"""Commune names by INSEE code, from Etalab's découpage administratif (npm
`@etalab/decoupage-administratif`), which `make setup` turns into data/communes.tsv
(scripts/communes.py).

Codes are never refused for being unknown here: the dataset lags behind commune mergers and
creations, so a code it does not know (or a checkout where the file was not generated) is
simply shown as the bare code.
"""
from __future__ import annotations

import logging
from functools import cache
from importlib import resources

log = logging.getLogger(__name__)


@cache
def _names() -> dict[str, str]:
    try:
        text = resources.files(__package__).joinpath("data", "communes.tsv").read_text("utf-8")
    except FileNotFoundError:
        log.warning("concert/data/communes.tsv is missing (run `make setup`): communes are "
                    "shown by their INSEE code only")
        return {}
    names = {}
    for line in text.splitlines():
        code, _, rest = line.partition("\t")
        name = rest.partition("\t")[0]
        if name:
            names[code] = name
    return names


def name(code: str) -> str | None:
    """The commune's name ("Marseille" for 13055), None when the dataset does not know it."""
    return _names().get(code)


def label(code: str) -> str:
    """How a commune is shown to people: "Marseille (13055)", or the bare code."""
    known = name(code)
    return f"{known} ({code})" if known else code
