"""Errors meant for the person at the terminal: the CLI prints them on one line, no traceback."""

from __future__ import annotations

import stat
from pathlib import Path


class InputError(ValueError):
    """Bad input from the user: a missing file, an unreadable format, a bad option value."""


class StoreError(RuntimeError):
    """The store cannot be opened or migrated (bad URL, server down): the message says which store."""


def check_regular(path: Path, what: str = "it") -> None:
    """Refuse FIFOs, devices and sockets before opening them: reading one would block or never end."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: not a regular file (a FIFO, device or socket); copy {what} to a file first")
