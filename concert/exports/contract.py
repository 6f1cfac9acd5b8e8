"""The contract as a file, for the web export and the command line alike."""
from __future__ import annotations

from pathlib import Path

from ..services import contract
from ..services.access import Access
from . import cache, render_document


def contract_file(access: Access, version: str | int | None, fmt: str) -> Path | bytes:
    """The draft rendered now (it may change at any moment), or frozen `version`'s file,
    rendered once and then read from the instance folder (exports/cache.py)."""
    if version is None:
        return render_document(contract.assemble(access), fmt)
    return cache.frozen_contract(contract.get_version(access, version), fmt)
