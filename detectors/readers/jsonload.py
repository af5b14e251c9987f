"""The one JSON loader of the readers: orjson when installed (it comes with langchain), else the stdlib."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_loads: Callable[[str | bytes], Any]
try:
    import orjson

    _loads = orjson.loads
    _JSONError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - orjson comes with langchain
    import json

    _loads = json.loads
    _JSONError = json.JSONDecodeError

__all__ = ["_JSONError", "_loads"]
