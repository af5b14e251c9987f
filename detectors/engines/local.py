"""The local engine: read with the readers of this package, aggregate with pandas in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from odoo_triage.detectors.frame import EventFrame, read_frame
from odoo_triage.detectors.windows import aggregate_hours


class LocalEngine:
    name = "local"

    def read(self, paths: list[Path], **kwargs: Any) -> EventFrame:
        return read_frame(paths, **kwargs)

    def aggregate(self, frame: EventFrame) -> pd.DataFrame:
        return aggregate_hours(frame.events)

    def close(self) -> None:
        return None
