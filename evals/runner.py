"""Run the whole pipeline on a labeled folder and measure it, stage by stage.

A labeled folder has the demo world's layout (docs/labels.md): logs/, records/, labels/ and
flows.json, optionally mapping.json (a FieldMapping for every JSON/CSV log; inferred when absent)
and labels/not_incidents.jsonl (distractors: holidays, maintenance, ... that must not alarm).
Each stage's wall time and the process's peak RSS after it are recorded, so a slow or hungry
stage shows up in the figures.

Splits: `dev` is the demo world (the generator the code was built around); every estate under
evals/estates is a split of its own, and `heldout` is the estate no code was tuned on.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir, user_data_dir

from odoo_triage.agent.store import Store
from odoo_triage.core.domain import FlowInfo
from odoo_triage.core.errors import InputError
from odoo_triage.core.labels import read_entities, read_flows, read_incidents, true_pairs
from odoo_triage.core.redact import redact
from odoo_triage.core.settings import CalendarSettings, Settings
from odoo_triage.detectors.readers import FieldMapping
from odoo_triage.detectors.readers.mapping import load_mapping_file
from odoo_triage.evals.estates import ESTATES, estate_folder
from odoo_triage.evals.estates import HELDOUT as HELDOUT_ESTATE
from odoo_triage.evals.metrics import (
    TriageOutcome,
    normalise_pair,
    score_detection,
    score_pairs,
    score_triage,
)


@dataclass(frozen=True)
class Split:
    """World parameters. The held-out split uses seeds and dates no shipped model was tuned on."""

    name: str
    seed: int
    events: int
    partners: int
    start: str  # ISO date of the first simulated day (a Monday)


DEV = Split("dev", seed=7, events=60_000, partners=2_000, start="2026-10-19")
SPLITS = {s.name: s for s in (DEV,)}
SPLIT_NAMES = ("dev", *ESTATES)  # "heldout" names the held-out estate


def folder_for_split(name: str, build: bool = True) -> tuple[str, Any]:
    """(split name as reported, folder) for dev, an estate name, or heldout; with build=False the folder
    comes as a function building it (worlds and estates are built once, then cached)."""
    if name in SPLITS:
        def world() -> Path:
            return world_for_split(SPLITS[name])
        return name, world() if build else world
    estate = HELDOUT_ESTATE if name == "heldout" else name
    if estate not in ESTATES:
        raise InputError(f"--split must be one of all, {', '.join(SPLIT_NAMES)}, heldout; not {name!r}")
    label = f"{estate} (held-out)" if estate == HELDOUT_ESTATE else estate

    def built() -> Path:
        return estate_folder(estate)
    return label, built() if build else built


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


@dataclass
class StageTimer:
    """Wall time of each stage; with repeats > 1 the median and its noise band (half the range)."""

    repeats: int = 1
    stages: dict[str, dict[str, float]] = field(default_factory=dict)

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        times = []
        result = None
        for _ in range(max(self.repeats, 1)):
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        entry = {"seconds": round(statistics.median(times), 3), "peak_rss_mb": round(peak_rss_mb(), 1)}
        if len(times) > 1:
            entry["seconds_noise"] = round((max(times) - min(times)) / 2, 3)
            entry["repeats"] = len(times)
        self.stages[name] = entry
        return result


def default_eval_database_url() -> str:
    """`triage eval`'s own store: never the user's or the team's (TRIAGE_DATABASE_URL), whose approval
    queue would fill with the evaluation's synthetic incidents and proposals."""
    return f"sqlite:///{Path(user_data_dir('odoo-triage', appauthor=False)) / 'eval.db'}"


def world_for_split(split: Split, root: Path | None = None) -> Path:
    """Build (once) and return the world folder of a split, cached by its parameters."""
    from odoo_triage.sim.world import generate_world

    base = root or Path(user_cache_dir("odoo-triage", appauthor=False)) / "worlds"
    folder = base / f"{split.name}-s{split.seed}-e{split.events}-p{split.partners}"
    if not (folder / "labels" / "incidents.jsonl").exists():
        generate_world(folder, seed=split.seed, events=split.events, partners=split.partners,
                       start=datetime.fromisoformat(split.start + "T00:00:00+00:00"))
    return folder


def check_labeled_folder(folder: Path) -> None:
    missing = [p for p in ("labels/incidents.jsonl", "logs") if not (folder / p).exists()]
    if missing:
        raise InputError(f"{folder} is not a labeled folder: missing {', '.join(missing)} (see docs/labels.md)")


def load_flows(folder: Path) -> list[FlowInfo]:
    path = folder / "flows.json"
    return read_flows(path) if path.exists() else []


def record_write_dates(folder: Path) -> dict[str, datetime]:
    """"res.partner:7" -> write_date from a labeled folder's records exports, for guarded field writes."""
    return write_dates_from_exports(folder / "records" / "res_partner.csv", folder / "records" / "project_project.csv")


def write_dates_from_exports(partners: Path | None, projects: Path | None) -> dict[str, datetime]:
    """"res.partner:7" -> write_date from res.partner / project.project CSV exports (missing files: none)."""
    import csv
    from datetime import UTC

    out: dict[str, datetime] = {}
    for model, path in (("res.partner", partners), ("project.project", projects)):
        if path is None or not path.exists() or path.suffix.lower() != ".csv":
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                raw, rid = (row.get("write_date") or "").strip(), (row.get("id") or "").strip()
                if not raw or not rid.isdigit():
                    continue
                try:
                    dt = datetime.fromisoformat(raw.replace(" ", "T"))
                except ValueError:
                    continue
                out[f"{model}:{rid}"] = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return out


def folder_mapping_path(folder: Path) -> Path | None:
    """A labeled folder's mapping.json (top level or in labels/), if it has one."""
    for candidate in (folder / "mapping.json", folder / "labels" / "mapping.json"):
        if candidate.exists():
            return candidate
    return None


def folder_mapping(folder: Path) -> FieldMapping | None:
    path = folder_mapping_path(folder)
    return load_mapping_file(path) if path is not None else None


def simulated_days(folder: Path, labels_start: datetime | None = None) -> float:
    manifest = folder / "manifest.json"
    if manifest.exists():
        info = json.loads(manifest.read_text())
        if "days" in info:
            return float(info["days"])
    meta = folder / "world.json"
    if meta.exists():
        info = json.loads(meta.read_text())
        if "start" in info and "end" in info:
            start = datetime.fromisoformat(str(info["start"]).replace("Z", "+00:00"))
            end = datetime.fromisoformat(str(info["end"]).replace("Z", "+00:00"))
            return max((end - start).total_seconds() / 86400, 1.0)
    return 14.0


def triage_outcomes(run: Any) -> list[TriageOutcome]:
    """Reduce the agent's incidents and proposals to what the labels can check."""
    from odoo_triage.agent.actions import parse_action

    actions: dict[str, list[str]] = {}
    records: dict[str, set[str]] = {}
    for p in run.proposals:
        actions.setdefault(p.incident_id, []).append(str(p.action))
        records.setdefault(p.incident_id, set()).update(parse_action(str(p.action), p.params).record_refs())
    return [
        TriageOutcome(flow=i.flow, window_start=i.window_start, window_end=i.window_end, cause=str(i.cause),
                      actions=actions.get(i.incident_id, []), records=records.get(i.incident_id, set()))
        for i in run.incidents
    ]


def evaluate_folder(
    folder: Path,
    *,
    provider: str = "offline",
    store: Store | None = None,
    progress: Callable[[str], None] | None = None,
    settings: Settings | None = None,
    repeats: int = 1,
    mapping: FieldMapping | None = None,
) -> dict[str, Any]:
    """Run every stage on one labeled folder, timing each (`repeats` times, for a noise band on
    speed), and score the results. `store` is the evaluation's own store, never the user's.

    `mapping` (else the folder's mapping.json, else none: inferred per file) applies to every
    JSON-lines and CSV log; flows.json attributes loggers, channels and aliases to flows."""
    settings = settings or Settings()
    calendar_file = folder / "calendar.json"  # the firm's business calendar, as [calendar] in its settings
    if calendar_file.exists():
        settings = settings.model_copy(update={
            "calendar": CalendarSettings.model_validate_json(calendar_file.read_text(encoding="utf-8"))})
    from odoo_triage.agent.triage import run_triage
    from odoo_triage.detectors.frame import expand_paths
    from odoo_triage.detectors.pipeline import run_detection
    from odoo_triage.matchers.pipeline import match_partners, match_projects

    check_labeled_folder(folder)
    note = progress or (lambda _msg: None)
    timer = StageTimer(repeats=repeats)
    flows = load_flows(folder)
    log_files = expand_paths([folder / "logs"])
    given = mapping
    mapping = mapping or folder_mapping(folder)

    note("detect")
    detection = timer.run("detect", lambda: run_detection(
        log_files, mapping=mapping, catalog=flows, settings=settings.detectors, readers=settings.readers,
        calendar=settings.calendar, volume=settings.volume))
    results: dict[str, Any] = {}
    match_errors: dict[str, str] = {}
    for model, fname, fn in (("partners", "res_partner.csv", match_partners),
                             ("projects", "project_project.csv", match_projects)):
        records = folder / "records" / fname
        if records.exists():
            note(f"match {model}")
            try:
                results[model] = timer.run(f"match_{model}", partial(fn, records))
            except InputError as exc:  # one records file we cannot read: the rest is still evaluated
                match_errors[model] = redact(str(exc))  # the reason may quote a record's text
    note("triage")
    write_dates = record_write_dates(folder)
    run = timer.run("triage", lambda: run_triage(detection, results.get("partners"), results.get("projects"),
                                                 flows, provider=provider, store=store,
                                                 correlation=settings.correlation, write_dates=write_dates))
    figures = score_folder(folder, detection, results.get("partners"), results.get("projects"), run,
                           provider=provider, stages=timer.stages, match_errors=match_errors)
    if given is None and (path := folder_mapping_path(folder)) is not None:
        figures["mapping_file"] = str(path)
    return figures


def score_folder(
    folder: Path,
    detection: Any,
    partner_result: Any,
    project_result: Any,
    run: Any,
    *,
    provider: str = "offline",
    stages: dict[str, dict[str, float]] | None = None,
    match_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """All figures for results already computed on a labeled folder. `match_errors`: model -> why its
    records file could not be matched, reported as that model's duplicates figure."""
    labels = read_incidents(folder / "labels" / "incidents.jsonl")
    flows = load_flows(folder)
    n_flows = len(flows) or len({a.flow for a in detection.anomalies}) or 1
    det = score_detection(detection.anomalies, labels, flows=n_flows, days=simulated_days(folder))
    figures: dict[str, Any] = {"detection": det.as_dict()}
    figures["files"] = {name: st.as_dict() for name, st in detection.stats.items()} \
        if isinstance(detection.stats, dict) else {}
    figures["not_incidents"] = score_not_incidents(folder, detection.anomalies, set(det.false_alarms))
    figures["unattributed_loggers"] = dict(getattr(detection, "unattributed", {}) or {})

    dup: dict[str, Any] = {}
    entities: dict[str, dict[int, str]] = {}
    match_errors = match_errors or {}
    for model, result in (("partners", partner_result), ("projects", project_result)):
        path = folder / "labels" / f"{model[:-1]}_entities.csv"
        if path.exists():
            entities[model] = read_entities(path)
        if model in match_errors:
            dup[model] = {"error": match_errors[model]}
        elif result is not None and model in entities:
            predicted = {normalise_pair(c.left_id, c.right_id) for c in result.candidates}
            truth = true_pairs(entities[model])
            # The matcher leaves archived records out by default: score the pairs it was asked about,
            # and say how many labeled pairs that scope leaves out.
            scope = {int(i) for i in result.record_ids}
            in_scope = {p for p in truth if p[0] in scope and p[1] in scope}
            dup[model] = score_pairs(predicted, in_scope)
            dup[model]["labeled_pairs_out_of_scope"] = len(truth - in_scope)
    figures["duplicates"] = dup

    if run is not None:
        figures["triage"] = score_triage(triage_outcomes(run), labels)
        figures["triage"].update(score_record_actions(run.proposals, entities))
        figures["grounding"] = _grounding(run)
        figures["llm"] = _llm_usage(run, provider)
    stages = stages or {}
    figures["stages"] = stages
    events = sum(getattr(s, "events", 0) if not isinstance(s, dict) else s.get("events", 0)
                 for s in _stats_values(detection.stats))
    figures["events"] = events
    if events and "detect" in stages:
        figures["events_per_second"] = round(events / max(stages["detect"]["seconds"], 1e-9))
        if "seconds_noise" in stages["detect"]:  # the same band, as a rate
            fastest = max(stages["detect"]["seconds"] - stages["detect"]["seconds_noise"], 1e-9)
            figures["events_per_second_noise"] = round(events / fastest - figures["events_per_second"])
    return figures


def score_not_incidents(folder: Path, anomalies: list[Any], false_alarms: set[str]) -> list[dict[str, Any]]:
    """For each labeled distractor (holiday, maintenance, ...): the false alarms inside its window and flow."""
    path = folder / "labels" / "not_incidents.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        start = datetime.fromisoformat(d["start"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(d["end"].replace("Z", "+00:00"))
        hits = [a for a in anomalies if a.anomaly_id in false_alarms and (d["flow"] in ("*", a.flow))
                and a.window_start <= end and start <= a.window_end]
        out.append({"id": d.get("id", ""), "kind": d.get("kind", ""), "flow": d["flow"],
                    "false_alarms": len(hits), "alarm_kinds": sorted({str(a.kind) for a in hits})})
    return out


def score_record_actions(proposals: list[Any], entities: dict[str, dict[int, str]]) -> dict[str, Any]:
    """Are merge and archive proposals about true duplicates? Each is checked against the entity labels."""
    out: dict[str, Any] = {}
    partners, projects = entities.get("partners", {}), entities.get("projects", {})
    merges = [p for p in proposals if str(p.action) == "merge_partners"]
    if merges and partners:
        ok = sum(1 for p in merges if len({partners.get(i, f"?{i}") for i in p.params["partner_ids"]}) == 1)
        out["merge_proposals"] = len(merges)
        out["merge_proposals_correct"] = ok / len(merges)
    archives = [p for p in proposals if str(p.action) == "archive_project"]
    if archives and projects:
        sizes: dict[str, int] = {}
        for ent in projects.values():
            sizes[ent] = sizes.get(ent, 0) + 1
        ok = sum(1 for p in archives if sizes.get(projects.get(p.params["project_id"], ""), 0) > 1)
        out["archive_proposals"] = len(archives)
        out["archive_proposals_correct"] = ok / len(archives)
    return out


def _stats_values(stats: Any) -> list[Any]:
    if isinstance(stats, dict):
        return list(stats.values())
    if isinstance(stats, list):
        return stats
    return []


def _grounding(run: Any) -> dict[str, int]:
    g = getattr(run, "grounding", None) or {}
    if not isinstance(g, dict):
        g = {k: getattr(g, k) for k in ("caught", "passed_on") if hasattr(g, k)}
    return {"ungrounded_caught": int(g.get("caught", g.get("ungrounded_caught", 0))),
            "ungrounded_passed_on": int(g.get("passed_on", g.get("ungrounded_passed_on", 0)))}


def _llm_usage(run: Any, provider: str) -> dict[str, Any]:
    usage = list(getattr(run, "usage", []) or [])
    n = max(len(run.incidents), 1)

    def total(key: str) -> float:
        return float(sum((u.get(key, 0) if isinstance(u, dict) else getattr(u, key, 0)) or 0 for u in usage))

    reports = list(getattr(run, "reports", {}).values())
    fell_back = [r for r in reports if r.fallback_reason]
    answered = sum(1 for r in reports if r.provider != "offline" and not r.fallback_reason)
    reasons: dict[str, int] = {}
    for r in fell_back:
        reasons[r.fallback_kind or "error"] = reasons.get(r.fallback_kind or "error", 0) + 1
    return {
        "provider": provider,
        # "the model matched offline" and "the model was never used" must not look the same
        "answered_by_model": answered,
        "fell_back": len(fell_back),
        "fallback_reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
        "share_answered_by_model": round(answered / len(reports), 4) if reports and provider != "offline" else None,
        "incidents": len(run.incidents),
        "tokens_per_incident": round((total("prompt_tokens") + total("completion_tokens")) / n, 1),
        "cost_usd_per_incident": round(total("cost_usd") / n, 6),
        "latency_s_per_incident": round(total("latency_s") / n, 4),
    }
