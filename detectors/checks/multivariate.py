"""A multivariate check: an IsolationForest over per-flow hourly features, fit on the baseline.

Features (all relative to the flow's own normal, so flows of different sizes compare): volume
shortfall (log ratio, drops only), error excess and retry excess as binomial z-scores (a quiet
night hour with one error is not a 100% error rate), p95 latency log ratio (rises only).
IsolationForest scores saturate outside the training range, so an hour is anomalous when it is
among the 0.5% least typical of the baseline AND at least one feature lies well outside
everything the baseline showed; it must last at least two hours. The volume feature follows the
business calendar: zero in hours it calls quiet (maintenance, quiet closing periods) and for
bursty flows, whose volume is judged in their own units by volume.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks import isoforest
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly
from odoo_triage.detectors.checks.volume import is_bursty
from odoo_triage.detectors.frame import OK
from odoo_triage.detectors.windows import HOUR, runs


def features(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(feature matrix, flow codes, row mask of usable hours) over the whole hourly table."""
    h = ctx.win.hourly
    flow = h["flow"].to_numpy()
    p0 = np.array([ctx.win.base_error_rate.get(f, 0.0) for f in flow])
    r0 = np.array([ctx.win.base_retry_rate.get(f, 0.0) for f in flow])
    m = np.array([ctx.win.base_p95.get(f, (np.nan, 0.0))[0] for f in flow])
    n = h["volume"].to_numpy().astype(float)
    vol = np.minimum(0.0, np.log((n + 1) / (h["expected"].to_numpy() + 1)))
    bursty = np.isin(flow, [f for f in np.unique(flow).tolist() if is_bursty(ctx, int(f))])
    vol = np.where(h["quiet"].to_numpy() | bursty, 0.0, vol)
    err = np.maximum(0.0, (h["errors"].to_numpy() - n * p0) / np.sqrt(n * p0 * (1 - p0) + 1))
    rty = np.maximum(0.0, (h["retries"].to_numpy() - n * r0) / np.sqrt(n * r0 * (1 - r0) + 1))
    p95 = h["p95"].to_numpy()
    lat = np.where((h["lat_n"].to_numpy() >= 10) & (m > 0), np.log(np.maximum(np.nan_to_num(p95, nan=1.0), 1e-9) / np.where(m > 0, m, 1)), 0.0)
    lat = np.maximum(0.0, np.nan_to_num(lat))
    X = np.column_stack([vol, err, lat, rty])
    usable = h["coverage"].to_numpy() >= 0.999
    return X, flow, usable


FOREST: dict[str, Any] = {"n_estimators": 100, "random_state": 0, "contamination": "auto"}


def baseline_scores(ctx: Context, X: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Isolation scores of every hour under a forest fit on the baseline hours: grown by `isoforest.fit_forest`
    (the trees scikit-learn grows, without its ~1.2 CPU-s import), by scikit-learn for inputs that one does not
    cover. With a state folder the fitted forest is kept there (per baseline) and scored on later runs."""
    path = None
    if ctx.state_dir is not None and not np.isnan(X).any():
        path = isoforest.cache_path(ctx.state_dir, X[base], FOREST)
        arrays = isoforest.load(path)
        if arrays is not None:
            return isoforest.cached_scores(path, arrays, X)
    fitted = isoforest.fit_forest(X[base], FOREST["n_estimators"], FOREST["random_state"]) \
        if np.isfinite(X).all() and isoforest.replicates_installed_sklearn() else None
    if fitted is not None:
        scores = isoforest.score_samples(fitted, X)
    else:
        # ~1.2 CPU-s to import: only for the inputs fit_forest leaves to it
        from sklearn.ensemble import IsolationForest

        model = IsolationForest(**FOREST)
        model.fit(X[base])
        scores = np.asarray(model.score_samples(X))
        fitted = isoforest.forest_arrays(model, X.shape[1]) if path is not None else None
    if path is not None and fitted is not None:
        isoforest.save(path, fitted)
        isoforest.save_scores(path, X, scores)
    return scores


def multivariate_anomalies(ctx: Context) -> list[Anomaly]:
    h = ctx.win.hourly
    X, flow, usable = features(ctx)
    base = h["baseline"].to_numpy() & usable
    if base.sum() < 48:
        return []
    scores = baseline_scores(ctx, X, base)
    threshold = float(np.quantile(scores[base], ctx.cfg.multivariate_quantile))
    lo, hi = X[base].min(axis=0), X[base].max(axis=0)
    outside_k = ctx.cfg.multivariate_outside
    outside = ((X > outside_k * np.maximum(hi, 1e-9)) | (X < outside_k * np.minimum(lo, -1e-9))).any(axis=1)
    flagged = (scores < threshold) & outside & ~h["baseline"].to_numpy() & usable
    out = []
    status, ts_all, lat = ctx.col("status"), ctx.col("ts"), ctx.col("latency")
    names = ["volume shortfall", "error-rate excess", "p95 latency ratio", "retry-rate excess"]
    for f in ctx.flows:
        rows = np.flatnonzero(flow == f)
        fl = flagged[rows]
        for a, b in runs(fl, max_gap=0):
            if b - a + 1 < 2:
                continue
            sel = rows[a:b + 1]
            t0, t1 = h["hour"].iat[sel[0]] * HOUR, (h["hour"].iat[sel[-1]] + 1) * HOUR
            idx = ctx.events_between(f, t0, t1)
            bad = idx[status[idx] != OK]
            if not len(bad):
                bad = idx[np.argsort(-np.nan_to_num(lat[idx]))[:20]] if len(idx) else idx
            mean = X[sel].mean(axis=0)
            top = int(np.argmax(np.abs(mean) / (np.maximum(np.abs(lo), np.abs(hi)) + 1e-9)))
            depth = float(threshold - scores[sel].min())
            start, end = (float(ts_all[idx[0]]), float(ts_all[idx[-1]])) if len(idx) else (t0, t1)
            reason = (f"unusual mix of volume, errors, latency and retries for {duration(t1 - t0)} in "
                      f"{ctx.name(f)} (isolation score below every baseline hour; strongest signal: {names[top]})")
            out.append(make_anomaly(ctx, AnomalyKind.multivariate, f, start, end, 0.4 + min(0.5, depth * 5), reason,
                                    np.sort(bad), metrics={"isolation_score": float(scores[sel].min()),
                                                           "threshold": threshold}))
    return out
