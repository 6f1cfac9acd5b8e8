"""Commune and département names by code, from Etalab's découpage administratif (npm
`@etalab/decoupage-administratif`), which `make setup` turns into data/communes.tsv
(scripts/communes.py) and data/departements.tsv (scripts/departements.py).

Codes are never refused for being unknown here: the dataset lags behind commune mergers and
creations, so a code it does not know (or a checkout where the file was not generated) is
simply shown as the bare code.
"""
from __future__ import annotations

import logging
from functools import cache
from importlib import resources

log = logging.getLogger(__name__)


def _table(filename: str) -> dict[str, list[str]]:
    """Code → the other columns of a generated file; empty (with a warning) without it."""
    try:
        text = resources.files(__package__).joinpath("data", filename).read_text("utf-8")
    except FileNotFoundError:
        log.warning("concert/data/%s is missing (run `make setup`): places are shown by "
                    "their code only", filename)
        return {}
    rows = {}
    for line in text.splitlines():
        code, *rest = line.split("\t")
        if rest and rest[0]:
            rows[code] = rest
    return rows


@cache
def _names() -> dict[str, list[str]]:
    """Code → [name, département]."""
    return _table("communes.tsv")


@cache
def _departements() -> dict[str, str]:
    return {code: rest[0] for code, rest in _table("departements.tsv").items()}


def name(code: str) -> str | None:
    """The commune's name ("Marseille" for 13055), None when the dataset does not know it."""
    known = _names().get(code)
    return known[0] if known else None


def label(code: str) -> str:
    """How a commune is shown to people: "Marseille (13055)", or the bare code."""
    known = name(code)
    return f"{known} ({code})" if known else code


def departement_name(code: str) -> str | None:
    """The département's name ("Bouches-du-Rhône" for 13), None when unknown."""
    return _departements().get(code)


def departement_label(code: str) -> str:
    """How a département is shown: "Bouches-du-Rhône (13)", or the bare code."""
    known = departement_name(code)
    return f"{known} ({code})" if known else code


def departement_of(commune: str) -> str | None:
    """The département of a commune, as the dataset knows it."""
    known = _names().get(commune)
    return known[1] if known and len(known) > 1 and known[1] else None
