"""Where the per-flow window aggregation runs: here (`local`) or on a Spark cluster (`spark`).

Both engines implement one small interface: `read` builds the event table the checks need (an
`EventFrame`), `aggregate` computes the per-(flow, hour) aggregates (`windows.aggregate_hours`,
the heavy group-by). The pipeline then builds the windows and runs the checks the same way for both.
Spark is only imported when it is chosen (`detectors.engine = "spark"`, `triage detect --engine spark`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from odoo_triage.core.errors import InputError
from odoo_triage.detectors.frame import EventFrame

ENGINES = ("local", "spark")


class Engine(Protocol):
    name: str

    def read(self, paths: list[Path], **kwargs: Any) -> EventFrame:
        """The event table of these files (kwargs as `frame.read_frame` takes them)."""
        ...

    def aggregate(self, frame: EventFrame) -> pd.DataFrame:
        """Per (flow, hour) of `frame`: volume, errors, retries, p95, lat_n, indexed by (flow, hour)."""
        ...

    def close(self) -> None: ...


def make_engine(name: str, master: str | None = None, **options: Any) -> Engine:
    """The engine of this name; `master` is the Spark master URL (e.g. local[2], spark://host:7077)."""
    if name == "local":
        from odoo_triage.detectors.engines.local import LocalEngine

        return LocalEngine()
    if name == "spark":
        from odoo_triage.detectors.engines.spark import SparkEngine

        return SparkEngine(master=master or "local[2]", **options)
    raise InputError(f"unknown detection engine {name!r}; expected one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "make_engine"]
