"""Errors meant for the person at the terminal: the CLI prints them on one line, no traceback."""


class InputError(ValueError):
    """Bad input from the user: a missing file, an unreadable format, a bad option value."""


class StoreError(RuntimeError):
    """The store cannot be opened or migrated (bad URL, server down): the message says which store."""
