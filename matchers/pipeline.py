"""Duplicate partners and projects: load -> normalise -> block -> score -> cluster -> explain.

The public entry points other stages call: `match_partners`, `match_projects`, `MatchResult`,
`evaluate_pairs`, `train_model`. Storing results: agent/store/stage_results.py; reviewer labels: agent/store/match_labels.py.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from odoo_triage.core.domain import (
    DuplicateCandidate,
    DuplicateCluster,
    FieldComparison,
    FieldVerdict,
    RecordModel,
    stable_id,
)
from odoo_triage.core.settings import MatcherSettings
from odoo_triage.matchers import model as pair_model
from odoo_triage.matchers import partners as partner_mod
from odoo_triage.matchers import projects as project_mod
from odoo_triage.matchers import scoring
from odoo_triage.matchers.blocking import decode
from odoo_triage.matchers.cluster import cluster_pairs
from odoo_triage.matchers.comparisons import (
    PARTNER_COMPARISONS,
    PARTNER_PRIOR,
    PARTNER_SEGMENTS,
    PARTNER_SESSIONS,
)
from odoo_triage.matchers.fellegi_sunter import levels
from odoo_triage.matchers.records import PARTNER_FIELDS, PROJECT_FIELDS, Source, load_records

Progress = Callable[[str, float], None]
CHUNK = 200_000
EXPLAIN_BATCH = 2_000  # pairs explained at once


@dataclass
class MatchResult:
    model: RecordModel
    candidates: list[DuplicateCandidate]
    clusters: list[DuplicateCluster]
    stats: dict[str, Any]
    record_ids: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64))
    blocked_pairs: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    names: dict[int, str] = field(repr=False, default_factory=dict)  # display names of clustered records

    def summary(self) -> str:
        noun = "partners" if self.model == RecordModel.partner else "projects"
        return f"{self.stats['records']:,} {noun} -> {len(self.clusters):,} duplicate clusters"


@dataclass
class _Kind:
    model: RecordModel
    module: ModuleType
    fields: list[str]
    what: str


PARTNER = _Kind(RecordModel.partner, partner_mod, PARTNER_FIELDS, "res.partner")
PROJECT = _Kind(RecordModel.project, project_mod, PROJECT_FIELDS, "project.project")


def _notify(progress: Progress | None, stage: str, done: float) -> None:
    if progress is not None:
        progress(stage, min(max(done, 0.0), 1.0))


def _load(kind: _Kind, source: Source | Iterable[dict[str, Any]], include_archived: bool):
    frame = load_records(source, kind.fields, what=kind.what)
    total = len(frame)
    if not include_archived:
        frame = frame.loc[frame["active"].to_numpy(dtype=bool)].reset_index(drop=True)
    return frame, total


Labels = Iterable[tuple[int, int, bool]]  # (left id, right id, is a duplicate) from reviewers


class _GbmScorer:
    """project.project: the shipped (or given) gradient-boosting pair model."""

    def __init__(self, kind: _Kind, table: Any, model_path: Path | None, knobs: MatcherSettings) -> None:
        self.kind, self.table, self.knobs = kind, table, knobs
        self.model = pair_model.load(kind.model.value, model_path)
        self.labels_used = 0

    def fit(self, left: np.ndarray, right: np.ndarray, labels: tuple[np.ndarray, np.ndarray, np.ndarray],
            found_by: dict[str, np.ndarray]) -> None:
        return None

    def score(self, left: np.ndarray, right: np.ndarray, progress: Progress | None = None) -> np.ndarray:
        prob = np.zeros(len(left), dtype=np.float64)
        for start in range(0, len(left), CHUNK):
            sl = slice(start, start + CHUNK)
            p = self.model.predict(self.kind.module.features(self.table, left[sl], right[sl]))
            cap = self.kind.module.rule_cap(self.table, left[sl], right[sl], self.knobs)
            floor = np.where(cap >= 1.0, self.kind.module.rule_floor(self.table, left[sl], right[sl], self.knobs), 0.0)
            prob[sl] = np.maximum(np.minimum(p, cap), floor)  # a rule against the pair wins over the code
            _notify(progress, "scoring pairs", 0.3 + 0.6 * min(start + CHUNK, len(left)) / max(len(left), 1))
        return prob

    def rows_batch(self, pairs: list[tuple[int, int]]) -> list[list[tuple[str, str, str, float, str, str]]]:
        return [self.kind.module.compare(self.table, i, j) for i, j in pairs]

    def apart(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.zeros(len(a), dtype=bool)


class _FellegiSunterScorer:
    """res.partner: weights learnt from the records being matched (scoring.fit), calibrated on labels."""

    def __init__(self, table: Any, knobs: MatcherSettings | None = None) -> None:
        self.table, self.knobs = table, knobs or MatcherSettings()
        self.cols = partner_mod.pair_columns(table)
        self.inherited = partner_mod.inherited(table, self.cols)
        self.fitted: scoring.FittedModel | None = None
        self.labels_used = 0

    def _kind(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return partner_mod.pair_kind(self.table, left, right)

    def fit(self, left: np.ndarray, right: np.ndarray, labels: tuple[np.ndarray, np.ndarray, np.ndarray],
            found_by: dict[str, np.ndarray]) -> None:
        """`found_by[session]`: which of the pairs that session's blocking keys found."""
        sessions = [(found_by[session.name], session.without) for session in PARTNER_SESSIONS]
        self.fitted = scoring.fit(PARTNER_COMPARISONS, self.cols, len(self.table), left, right, kind_of=self._kind,
                                  inherited=self.inherited, segments=len(PARTNER_SEGMENTS), prior=PARTNER_PRIOR,
                                  sessions=sessions, labels=labels if len(labels[0]) else None, knobs=self.knobs)
        self.labels_used = self.fitted.labels_used

    def _levels(self, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        kind = self._kind(left, right)
        G = levels(PARTNER_COMPARISONS, self.cols, left, right, pair_kind=kind, inherited=self.inherited)
        assert self.fitted is not None
        return G, kind, self.fitted.adjustment(self.cols, G, left, right, kind)

    def score(self, left: np.ndarray, right: np.ndarray, progress: Progress | None = None) -> np.ndarray:
        assert self.fitted is not None
        prob = np.zeros(len(left), dtype=np.float64)
        for start in range(0, len(left), CHUNK):
            sl = slice(start, start + CHUNK)
            a, b = left[sl], right[sl]
            G, kind, tf = self._levels(a, b)
            p = self.fitted.probability(self.fitted.weight(G, kind, tf))
            # two different valid VAT numbers: not the same company, whatever the names say
            prob[sl] = np.where(self.apart(a, b), np.minimum(p, self.knobs.vat_cap), p)
            _notify(progress, "scoring pairs", 0.3 + 0.6 * min(start + CHUNK, len(left)) / max(len(left), 1))
        return prob

    def apart(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Two different valid VAT numbers of the records' own (not a contact's, inherited)."""
        t, vat_inh = self.table, self.inherited["vat"]
        return ((t.vat[a] != "") & (t.vat[b] != "") & (t.vat[a] != t.vat[b]) & t.vat_valid[a]
                & t.vat_valid[b] & ~vat_inh[a] & ~vat_inh[b])

    def rows_batch(self, pairs: list[tuple[int, int]]) -> list[list[tuple[str, str, str, float, str, str]]]:
        """The evidence of many pairs, levels computed in one vectorised pass."""
        assert self.fitted is not None
        if not pairs:
            return []
        left = np.array([p[0] for p in pairs], dtype=np.int64)
        right = np.array([p[1] for p in pairs], dtype=np.int64)
        G, kind, tf = self._levels(left, right)
        return [partner_mod.compare(self.table, int(i), int(j), self.fitted.explain(G[k], int(kind[k]), float(tf[k])))
                for k, (i, j) in enumerate(pairs)]


def _label_arrays(table: Any, labels: Labels | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reviewer labels on records in scope, as (left index, right index, is_duplicate)."""
    position = {int(rid): k for k, rid in enumerate(table.ids)}
    found = {}
    for a, b, dup in labels or ():
        if int(a) in position and int(b) in position and int(a) != int(b):
            i, j = sorted((position[int(a)], position[int(b)]))
            found[(i, j)] = bool(dup)  # the latest decision on a pair wins
    keys = sorted(found)
    return (np.array([k[0] for k in keys], dtype=np.int64), np.array([k[1] for k in keys], dtype=np.int64),
            np.array([found[k] for k in keys], dtype=np.int64))


def _score(kind: _Kind, table: Any, scorer: Any, left: np.ndarray, right: np.ndarray, not_duplicate: set,
           progress: Progress | None = None) -> np.ndarray:
    """Match probability of each pair; Odoo rules and reviewers' "not a duplicate" marks have the last word."""
    prob = scorer.score(left, right, progress)
    prob[_chunked(kind.module.never_pair, table, left, right)] = 0.0
    if not_duplicate and len(left):
        n = np.int64(max(len(table), 1))
        marks = np.array([a * n + b for a, b in not_duplicate], dtype=np.int64)
        prob[np.isin(left.astype(np.int64) * n + right, marks)] = 0.0
    return prob


def _run(kind: _Kind, source: Source | Iterable[dict[str, Any]], *, threshold: float, include_archived: bool,
         progress: Progress | None, model_path: Path | None, labels: Labels | None = None,
         settings: MatcherSettings | None = None) -> MatchResult:
    gc_was_on = gc.isenabled()
    gc.disable()  # a run allocates millions of small objects and no cycles: the collector only cost time
    try:
        return _run_inner(kind, source, threshold=threshold, include_archived=include_archived, progress=progress,
                          model_path=model_path, labels=labels, settings=settings)
    finally:
        if gc_was_on:
            gc.enable()


def _run_inner(kind: _Kind, source: Source | Iterable[dict[str, Any]], *, threshold: float, include_archived: bool,
               progress: Progress | None, model_path: Path | None, labels: Labels | None = None,
               settings: MatcherSettings | None = None) -> MatchResult:
    t0 = time.perf_counter()
    knobs = settings or MatcherSettings()
    timings: dict[str, float] = {}
    _notify(progress, "reading records", 0.0)
    if kind.model == RecordModel.project:
        pair_model.load(kind.model.value, model_path)  # a missing model fails before the records are read
    frame, total = _load(kind, source, include_archived)
    table = kind.module.prepare(frame)
    n = len(table)
    timings["normalise"] = time.perf_counter() - t0
    _notify(progress, "blocking", 0.2)
    t = time.perf_counter()
    keys = kind.module.blocking_keys(table) if n >= 2 else {}
    encoded = kind.module.candidate_pairs(table, keys) if n >= 2 else np.zeros(0, dtype=np.int64)
    blocking = {name: int(len(pairs)) for name, pairs in keys.items()}
    found_by = _found_by(encoded, keys) if kind.model == RecordModel.partner else {}
    del keys  # the pairs of each key: as many again as the candidates
    blocked_pairs = len(encoded)
    left, right = decode(encoded, max(n, 1))
    del encoded
    # record indices as int32: half the memory of every pair array (300,000 partners: ~5 million pairs)
    index_type = np.int32 if n < 2**31 else np.int64
    left, right = left.astype(index_type), right.astype(index_type)
    keep = ~_chunked(kind.module.never_pair, table, left, right)
    left, right = left[keep], right[keep]
    found_by = {name: mask[keep] for name, mask in found_by.items()}
    timings["blocking"] = time.perf_counter() - t
    t = time.perf_counter()
    scorer = (_FellegiSunterScorer(table, knobs) if kind.model == RecordModel.partner
              else _GbmScorer(kind, table, model_path, knobs))
    labeled = _label_arrays(table, labels)
    not_duplicate = {(int(a), int(b)) for a, b, y in zip(*labeled, strict=True) if not y}
    scorer.fit(left, right, labeled, found_by)
    del found_by
    timings["fitting"] = time.perf_counter() - t
    t = time.perf_counter()
    prob = _score(kind, table, scorer, left, right, not_duplicate, progress)
    timings["scoring"] = time.perf_counter() - t
    _notify(progress, "clustering", 0.9)
    t = time.perf_counter()

    def rescore(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _score(kind, table, scorer, a, b, not_duplicate)

    def apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Never one cluster: the Odoo rules, a rule of the scorer (two VAT numbers), a reviewer's mark."""
        out = _chunked(kind.module.never_pair, table, a, b) | scorer.apart(a, b)
        if not_duplicate and len(a):
            marks = np.array([x * np.int64(n) + y for x, y in not_duplicate], dtype=np.int64)
            out |= np.isin(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b), marks)
        return out

    groups, inner = cluster_pairs(n, left, right, prob, threshold, rescore, apart)
    scored_pairs = len(left)
    blocked = _id_pairs(table.ids, left, right)
    del left, right, prob  # the explanations below are the run's largest allocation of Python objects
    if isinstance(scorer, _FellegiSunterScorer):
        scorer.cols.release()
    candidates, clusters = _explain(kind, table, scorer, groups, inner, threshold)
    timings["clustering"] = time.perf_counter() - t
    possible = n * (n - 1) // 2
    stats = {
        "records": n,
        "records_read": total,
        "archived_skipped": total - n,
        "blocked_pairs": int(blocked_pairs),
        "blocking": blocking,
        "possible_pairs": possible,
        "reduction_ratio": (1.0 - blocked_pairs / possible) if possible else 1.0,
        "scored_pairs": int(scored_pairs),
        "labels_used": int(scorer.labels_used),
        "not_duplicate_marks": len(not_duplicate),
        "candidates": len(candidates),
        "clusters": len(clusters),
        "threshold": threshold,
        "seconds": round(time.perf_counter() - t0, 3),
        "stage_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
    _notify(progress, "done", 1.0)
    ids = table.ids
    clustered = {rid for cl in clusters for rid in cl.record_ids}
    names = {int(ids[i]): str(table.raw["name"][i]) for g in groups for i in g.tolist() if int(ids[i]) in clustered}
    return MatchResult(model=kind.model, candidates=candidates, clusters=clusters, stats=stats,
                       record_ids=ids.copy(), blocked_pairs=blocked, names=names)


def _found_by(encoded: np.ndarray, keys: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per training session, which candidate pairs its blocking keys found (a mask over `encoded`,
    which is sorted and holds every key's pairs)."""
    out = {}
    for session in PARTNER_SESSIONS:
        mask = np.zeros(len(encoded), dtype=bool)
        for key in session.keys:
            if key in keys and len(keys[key]):
                mask[np.searchsorted(encoded, keys[key])] = True
        out[session.name] = mask
    return out


def _chunked(fn: Callable[[Any, np.ndarray, np.ndarray], np.ndarray], table: Any, left: np.ndarray,
             right: np.ndarray) -> np.ndarray:
    """fn(table, left, right) on slices of CHUNK pairs: its temporaries (object arrays of both sides'
    values) stay a few MB instead of growing with every pair."""
    if len(left) <= CHUNK:
        return fn(table, left, right)
    return np.concatenate([fn(table, left[s:s + CHUNK], right[s:s + CHUNK]) for s in range(0, len(left), CHUNK)])


def _id_pairs(ids: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The scored pairs as (lower id, higher id), int32 when the ids fit (they do in any Odoo database)."""
    if not len(left):
        return np.zeros((0, 2), dtype=np.int64)
    dtype = np.int32 if ids.max() < 2**31 and ids.min() >= -(2**31) else np.int64
    out = np.empty((len(left), 2), dtype=dtype)
    a, b = ids[left], ids[right]
    out[:, 0] = np.minimum(a, b)
    out[:, 1] = np.maximum(a, b)
    return out


def _master(table: Any, members: np.ndarray) -> int:
    """The record to keep: active first, then the most complete, then the oldest (lowest id)."""
    best = max(members.tolist(), key=lambda i: (bool(table.active[i]), int(table.filled[i]), -int(table.ids[i])))
    return int(best)


_VERDICT = {v.value: v for v in FieldVerdict}
_ALL_SET: dict[Any, set[str]] = {}


def _built(cls: Any, **values: Any) -> Any:
    """A pydantic model from values that are ours and already valid (clamped, typed), as
    `model_construct` would build it but with one fields-set shared by every instance of the class.

    Every field is always given, so the set never changes (an assignment adds a name already in it);
    a set of its own per field row was a third of the memory of 30,000 explained pairs (~13 rows each).
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", _ALL_SET.setdefault(cls, set(cls.model_fields)))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def _candidate(kind: _Kind, table: Any, rows: list[tuple[str, str, str, float, str, str]], i: int, j: int,
               p: float) -> DuplicateCandidate:
    # a field empty on both records says nothing and is not kept (a third of the rows on sparse exports)
    fields = [_built(FieldComparison, field=f, left=lv or None, right=rv or None, score=min(max(float(s), 0.0), 1.0),
                     verdict=_VERDICT[v]) for f, lv, rv, s, v, _ in rows if lv or rv]
    reason = kind.module.reason(rows)
    return _built(DuplicateCandidate, model=kind.model, left_id=int(table.ids[i]),  # type: ignore[no-any-return]
                  right_id=int(table.ids[j]), probability=round(min(max(float(p), 0.0), 1.0), 4), fields=fields,
                  reason=reason)


def _explain(kind: _Kind, table: Any, scorer: Any, groups: list[np.ndarray], inner: dict[tuple[int, int], float],
             threshold: float) -> tuple[list[DuplicateCandidate], list[DuplicateCluster]]:
    candidates: list[DuplicateCandidate] = []
    clusters: list[DuplicateCluster] = []
    group_of = {int(i): g for g, members in enumerate(groups) for i in members}
    by_group: dict[int, list[tuple[int, int, float]]] = {}
    for (i, j), p in inner.items():
        if p >= threshold and group_of.get(i, -1) == group_of.get(j, -2):
            by_group.setdefault(group_of[i], []).append((i, j, p))
    # the pairs are explained EXPLAIN_BATCH at a time (levels computed vectorised per batch, lower id on
    # the left): the evidence rows of one batch are alive at once, not those of every pair
    order = [g for g in range(len(groups)) if g in by_group]
    made: dict[int, list[DuplicateCandidate]] = {}
    start = 0
    while start < len(order):
        batch, size = [], 0
        while start < len(order) and (size == 0 or size + len(by_group[order[start]]) <= EXPLAIN_BATCH):
            batch.append(order[start])
            size += len(by_group[order[start]])
            start += 1
        todo = [((i, j) if table.ids[i] < table.ids[j] else (j, i), p) for g in batch for i, j, p in by_group[g]]
        rows = scorer.rows_batch([ij for ij, _ in todo])
        k = 0
        for g in batch:
            made[g] = [_candidate(kind, table, rows[k + x], *todo[k + x][0], todo[k + x][1])
                       for x in range(len(by_group[g]))]
            k += len(by_group[g])
        del rows
    for g, members in enumerate(groups):
        pairs = made.pop(g, [])
        if not pairs:
            continue
        pairs.sort(key=lambda c: (-c.probability, c.left_id, c.right_id))
        record_ids = sorted(int(table.ids[i]) for i in members)
        master = int(table.ids[_master(table, members)])
        prob = float(np.mean([c.probability for c in pairs]))
        reason = pairs[0].reason if len(record_ids) == 2 else f"{len(record_ids)} records; {pairs[0].reason}"
        clusters.append(DuplicateCluster(
            cluster_id=stable_id("dup", kind.model.value, *record_ids), model=kind.model, record_ids=record_ids,
            suggested_master_id=master, probability=round(prob, 4), pairs=pairs, reason=reason))
        candidates += pairs
    candidates.sort(key=lambda c: (-c.probability, c.left_id, c.right_id))
    clusters.sort(key=lambda c: (-c.probability, -len(c.record_ids), c.record_ids[0]))
    return candidates, clusters


# --------------------------------------------------------------------------- public API


def match_partners(source: Source | Iterable[dict[str, Any]], *, threshold: float = 0.5,
                   include_archived: bool = False, progress: Progress | None = None,
                   model_path: Path | None = None, labels: Labels | None = None,
                   settings: MatcherSettings | None = None) -> MatchResult:
    """Duplicate res.partner records in a CSV/JSON export or a search_read result (list of dicts).

    The weights are learnt from these records; `labels` (reviewer decisions on pairs of this
    database) recalibrate them, and a pair marked "not a duplicate" is never proposed.
    `model_path` is not used for partners (kept so callers need not tell the two apart).
    """
    return _run(PARTNER, source, threshold=threshold, include_archived=include_archived, progress=progress,
                model_path=model_path, labels=labels, settings=settings)


def match_projects(source: Source | Iterable[dict[str, Any]], *, threshold: float = 0.5,
                   include_archived: bool = False, progress: Progress | None = None,
                   model_path: Path | None = None, labels: Labels | None = None,
                   settings: MatcherSettings | None = None) -> MatchResult:
    """Duplicate project.project records, compared only within the same client."""
    return _run(PROJECT, source, threshold=threshold, include_archived=include_archived, progress=progress,
                model_path=model_path, labels=labels, settings=settings)


def _pairs_set(entities: dict[int, str], scope: set[int]) -> set[tuple[int, int]]:
    from odoo_triage.core.labels import true_pairs

    return {p for p in true_pairs({k: v for k, v in entities.items() if k in scope})}


def evaluate_pairs(result: MatchResult, entities: dict[int, str] | Path | str,
                   hard_negatives: Path | str | None = None) -> dict[str, float]:
    """Pair precision/recall/F1 of the candidates, and the pairs completeness of blocking.

    Truth is restricted to the records the run looked at (archived ones are out of scope unless
    the run included them); `recall_all` counts every labeled pair. With a hard_negatives.csv,
    `hard_negatives_paired` counts the look-alikes of this model that were wrongly paired.
    """
    from odoo_triage.core.labels import read_entities, true_pairs

    if not isinstance(entities, dict):
        entities = read_entities(Path(entities))
    truth = _pairs_set(entities, set(result.record_ids.tolist()))
    truth_all = true_pairs(entities)
    predicted = {(min(c.left_id, c.right_id), max(c.left_id, c.right_id)) for c in result.candidates}
    # pairs completeness on encoded integers: a set of millions of id tuples cost more than the match
    bp = result.blocked_pairs.astype(np.int64)
    base = np.int64(max(int(bp.max()) if len(bp) else 0, max((max(p) for p in truth), default=0)) + 1)
    truth_codes = np.array([a * base + b for a, b in truth], dtype=np.int64)
    blocked_true = int(np.isin(truth_codes, bp[:, 0] * base + bp[:, 1]).sum()) if len(bp) and len(truth_codes) else 0
    tp = len(predicted & truth)
    fp = len(predicted - truth)
    fn = len(truth - predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    hard: dict[str, int] = {}
    if hard_negatives is not None:
        import csv

        with Path(hard_negatives).open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["model"] == result.model.value]
        pairs = {(min(int(r["left_id"]), int(r["right_id"])), max(int(r["left_id"]), int(r["right_id"])))
                 for r in rows}
        hard = {"hard_negatives": len(pairs), "hard_negatives_paired": len(pairs & predicted)}
    return {
        **hard,
        "precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
        "true_pairs": len(truth),
        "recall_all": len(predicted & truth_all) / len(truth_all) if truth_all else 1.0,
        "pairs_completeness": blocked_true / len(truth) if truth else 1.0,
        "reduction_ratio": float(result.stats.get("reduction_ratio", 0.0)),
    }


def training_pairs(kind_name: str, source: Source | Iterable[dict[str, Any]], entities: dict[int, str],
                   include_archived: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the blocked pairs of one labeled record set."""
    kind = PARTNER if kind_name == RecordModel.partner.value else PROJECT
    frame, _ = _load(kind, source, include_archived)
    table = kind.module.prepare(frame)
    n = len(table)
    left, right = decode(kind.module.candidate_pairs(table), max(n, 1))
    keep = ~kind.module.never_pair(table, left, right)
    left, right = left[keep], right[keep]
    ent = np.array([entities.get(int(i), f"__single_{i}") for i in table.ids], dtype=object)
    y = (ent[left] == ent[right]).astype(np.int64)
    return kind.module.features(table, left, right), y


def train_model(records: Source | Iterable[dict[str, Any]] | list[Source], entities: dict[int, str] | Path | str
                | list[dict[int, str] | Path | str], *, model: str = "res.partner", out: Path | None = None,
                info: dict[str, Any] | None = None) -> Path:
    """Train the pair model from labeled records (one set or several) and save it; returns the path.

    `entities` maps record id -> entity (same entity = duplicates), or is a partner_entities.csv.
    Saved to `out`, by default the shipped model path (or $TRIAGE_MATCH_MODEL_DIR).
    """
    from odoo_triage.core.labels import read_entities

    kind = PARTNER if model in {RecordModel.partner.value, "partner", "partners"} else PROJECT
    sets = records if isinstance(records, list) and records and not isinstance(records[0], dict) else [records]
    ents = entities if isinstance(entities, list) else [entities]
    if len(sets) != len(ents):
        raise ValueError("give one entities mapping per record set")
    Xs, ys = [], []
    for src, ent in zip(sets, ents, strict=True):
        ent_map = ent if isinstance(ent, dict) else read_entities(Path(ent))
        X, y = training_pairs(kind.model.value, src, ent_map)
        Xs.append(X)
        ys.append(y)
    fitted = pair_model.fit(kind.model.value, kind.module.FEATURES, np.concatenate(Xs), np.concatenate(ys), info)
    return pair_model.save(fitted, Path(out) if out else pair_model.default_path(kind.model.value))
