"""The typed hand-offs between stages: what agent/ and evals/ may rely on from detection and matching.

Detection and matching build richer results (`detectors.pipeline.DetectionResult`,
`matchers.pipeline.MatchResult`); the stages above them are typed against these protocols, so a
hand-off is checked by mypy without the agent importing a detector's internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from odoo_triage.core.domain import (
    Anomaly,
    DuplicateCandidate,
    DuplicateCluster,
    LogEvent,
    RecordModel,
    RejectedLine,
)


class FileCounts(Protocol):
    """Per input file: what was read and what became of it."""

    file: str
    format: str
    lines: int
    events: int
    rejected: int
    skipped: int


class DetectionOutput(Protocol):
    """Ranked anomalies with every event they cite, and the error templates they name."""

    @property
    def anomalies(self) -> Sequence[Anomaly]: ...
    @property
    def evidence(self) -> Mapping[str, LogEvent]: ...
    @property
    def templates(self) -> Mapping[str, tuple[str, int]]: ...  # signature id -> (template, messages)
    @property
    def stats(self) -> Mapping[str, FileCounts]: ...
    @property
    def rejected(self) -> Sequence[RejectedLine]: ...
    @property
    def flows(self) -> Sequence[str]: ...
    @property
    def baseline_end(self) -> datetime | None: ...
    @property
    def events(self) -> int: ...


class MatchOutput(Protocol):
    """Duplicate candidates and clusters of one Odoo model."""

    @property
    def model(self) -> RecordModel: ...
    @property
    def candidates(self) -> Sequence[DuplicateCandidate]: ...
    @property
    def clusters(self) -> Sequence[DuplicateCluster]: ...
    @property
    def stats(self) -> Mapping[str, object]: ...
