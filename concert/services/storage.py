"""Where attached files' bytes are kept: a small interface, so that another store could
take the folder's place. The one store is a folder, `<instance>/files/ab/cd/<key>`: on
one machine, or several sharing that folder (a network file system)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app


class Store(Protocol):
    def put(self, key: str, source: Path) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


class FolderStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key.replace(".", "").isalnum():  # keys are ours: hex tokens, ".thumb"
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, source: Path) -> None:
        """Moves `source` in (a temporary file of the same file system: no copy), written
        whole or not at all."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.move(source, partial)
        os.replace(partial, target)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def store() -> Store:
    return FolderStore(Path(current_app.instance_path) / "files")


def scratch() -> Path:
    """A folder for uploads being received, beside the store (same file system)."""
    path = Path(current_app.instance_path) / "files" / "incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path
