"""Stored evaluation runs and comparing two of them, so a regression shows up as a flagged row."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from odoo_triage.agent.store import Store
from odoo_triage.agent.store.tables import EvalRunRow
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import stable_id
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import EvalSettings

# Figures where lower is better; every other numeric figure is higher-is-better.
LOWER_IS_BETTER = ("false_alarms", "seconds", "peak_rss", "time_to_detect", "passed_on", "cost", "tokens", "latency")
# Speed and memory figures move with machine load: a change is only a regression beyond the noise band
# the runs measured over repeats (`triage eval --repeats N` stores `<figure>_noise` next to each).
PERFORMANCE = ("seconds", "peak_rss", "events_per_second", "latency")
NOISE_SUFFIX = "_noise"
QUALITY_TOLERANCE = 0.005  # absolute, on rates in 0..1
QUALITY_FLOOR = {"time_to_detect": 30.0}  # simulated minutes: a quality figure, not a wall time


def code_version() -> str:
    """The git commit the run measured, with '+dirty' when the tree had changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                               text=True, timeout=5).stdout.strip()
        return f"{sha}{'+dirty' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        from importlib.metadata import version

        return f"odoo-triage {version('odoo-triage')}"


def save_run(store: Store, config: dict[str, Any], figures: dict[str, Any]) -> str:
    created = utcnow()
    run_id = stable_id("run", created.isoformat(), config.get("split"), config.get("seed"))
    with store.session() as s:
        s.add(EvalRunRow(run_id=run_id, created_at=created, code_version=code_version(),
                         config=config, figures=figures))
    return run_id


def load_run(store: Store, run_id: str) -> EvalRunRow:
    with store.session() as s:
        row = s.get(EvalRunRow, run_id)
        if row is None:
            row = s.scalars(select(EvalRunRow).where(EvalRunRow.run_id.startswith(run_id))).first()
        if row is None:
            raise InputError(f"no evaluation run {run_id!r}; `triage eval --list` shows the stored runs")
        return row


def list_runs(store: Store, limit: int = 20) -> list[EvalRunRow]:
    with store.session() as s:
        return list(s.scalars(select(EvalRunRow).order_by(EvalRunRow.created_at.desc()).limit(limit)))


def flatten(figures: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Nested figures as dotted keys, numbers only."""
    out: dict[str, float] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int | float):
            out[name] = float(value)
    return out


@dataclass
class Change:
    figure: str
    before: float | None
    after: float | None
    regression: bool

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def lower_is_better(figure: str) -> bool:
    return any(marker in figure for marker in LOWER_IS_BETTER)


def is_performance(figure: str) -> bool:
    return any(marker in figure for marker in PERFORMANCE)


def is_regression(figure: str, old: float, new: float, *, noise: float | None = None,
                  settings: EvalSettings | None = None) -> bool:
    """Quality: worse beyond its tolerance. Speed: worse beyond `speed_noise_bands` times the noise
    measured over repeats (and `speed_min_relative` of the old value); never without a noise band."""
    worse = new > old if lower_is_better(figure) else new < old
    if not worse:
        return False
    if is_performance(figure):
        if noise is None:
            return False  # one timing is no evidence: wall time moves with the machine's load
        settings = settings or EvalSettings()
        return abs(new - old) > max(settings.speed_noise_bands * noise, settings.speed_min_relative * abs(old))
    floor = next((v for k, v in QUALITY_FLOOR.items() if k in figure), QUALITY_TOLERANCE)
    return abs(new - old) > floor


def settings_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(dotted setting, value in A, value in B) for every setting two runs ran with differently."""
    def leaves(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in d.items():
            out.update(leaves(v, f"{prefix}{k}.") if isinstance(v, dict) and v else {f"{prefix}{k}": v})
        return out

    a, b = leaves(before.get("settings") or {}), leaves(after.get("settings") or {})
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def compare(before: dict[str, Any], after: dict[str, Any], settings: EvalSettings | None = None) -> list[Change]:
    """Every figure that changed; a change for the worse beyond its tolerance is a regression."""
    a, b = flatten(before), flatten(after)
    changes: list[Change] = []
    for key in sorted(set(a) | set(b)):
        if key.endswith(NOISE_SUFFIX):
            continue
        old, new = a.get(key), b.get(key)
        if old == new:
            continue
        noises = [n for n in (a.get(key + NOISE_SUFFIX), b.get(key + NOISE_SUFFIX)) if n is not None]
        regression = old is not None and new is not None and is_regression(
            key, old, new, noise=max(noises) if noises else None, settings=settings)
        changes.append(Change(key, old, new, regression))
    return changes
