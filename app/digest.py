"""The daily anomaly digest: what a team lead reads with coffee.

Built from the store (incidents, duplicate clusters, proposals) plus per-flow hourly figures
(volume, error rate, p95 latency) computed from the integration logs with the detectors'
readers, since the store does not hold flow statistics. Each digest's figures are saved as a
`DigestRow`; the next digest diffs against the last one ("what changed since yesterday").

Time window: the store part uses [since, now]. Log files are often an export that ends before
now (the demo world is a simulated month), so the flow window is the same length ending at the
last logged hour, and the normal band of each figure is its 5th-95th percentile over every
earlier window of the same length (sliding hour by hour).
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import smtplib
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from odoo_triage.agent.lifecycle import is_open_work
from odoo_triage.agent.store import Store
from odoo_triage.agent.store.tables import DigestRow, DuplicateClusterRow, IncidentRow, ProposalRow
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import OPEN_WORK_STATUSES, ProposalStatus, Severity
from odoo_triage.core.errors import InputError

SEVERITIES = [s.value for s in Severity]  # critical first
OPEN_STATUSES = {s.value for s in OPEN_WORK_STATUSES}
METRICS = [("volume", "events", "{:.0f}"), ("error_rate", "error rate", "{:.1%}"), ("p95_ms", "p95 ms", "{:.0f}")]
CRON_LINE = "0 7 * * 1-5 triage digest --since 24h --format html --out /var/reports/digest.html"


def _aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything in the store is UTC."""
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """`24h`, `7d`, `90m`, `2w`, or an ISO date / datetime (UTC when no zone is given)."""
    now = now or utcnow()
    m = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", value or "")
    if m:
        n, unit = int(m.group(1)), m.group(2)
        delta = {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}
        return now - delta[unit]
    try:
        dt = datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        try:
            dt = datetime.combine(date.fromisoformat(value.strip()), datetime.min.time())
        except (ValueError, AttributeError):
            raise InputError(f"--since {value!r}: expected 24h, 7d, 90m, 2w or an ISO date like 2026-11-02") from None
    since = _aware(dt)
    assert since is not None
    if since > now:
        raise InputError(f"--since {value!r} is in the future")
    return since


# --------------------------------------------------------------------------- flow figures


def flow_stats_from_logs(paths: Sequence[Path], mapping: Any = None) -> pd.DataFrame:
    """Hourly figures per flow from the logs, read with the detectors' readers (any format they know).

    Columns flow, hour, volume, error_rate, p95_ms; `df.attrs["rejected"]` counts the malformed
    lines the readers kept aside, so the digest can say how many it could not read.
    """
    files = _expand(paths)
    from odoo_triage.detectors.readers import FileStats, detect_format, make_reader, record_stats

    frames = []
    rejected = 0
    file_stats: dict[str, FileStats] = {}
    for path in files:
        try:
            fmt = detect_format(path)
            reader = make_reader(fmt, mapping)
        except InputError:
            continue  # not a log file (a README next to the logs): skip it, the others still count
        st = file_stats.setdefault(path.name, FileStats(path.name, fmt))
        for chunk in reader.chunks(path):
            st.add(chunk)
            record_stats(reader, st)
            rejected += len(chunk.rejected)
            if chunk.rows:
                frames.append(pd.DataFrame({
                    "ts": [r.ts for r in chunk.rows], "flow": [r.flow for r in chunk.rows],
                    "error": [r.status == "error" for r in chunk.rows],
                    "latency_ms": [r.latency_ms for r in chunk.rows],
                }))
    if not frames:
        raise InputError(f"--logs: no integration event found in {len(files)} file(s)")
    events = pd.concat(frames, ignore_index=True)
    events["hour"] = pd.to_datetime(events["ts"], unit="s", utc=True).dt.floor("h")
    grouped = events.groupby(["flow", "hour"])
    stats = pd.DataFrame({
        "volume": grouped.size(),
        "error_rate": grouped["error"].mean(),
        "p95_ms": grouped["latency_ms"].quantile(0.95),
    }).reset_index()
    out = normalise_flow_stats(stats)
    out.attrs["rejected"] = rejected
    out.attrs["files"] = {name: st.as_dict() for name, st in file_stats.items()}  # plain data: attrs get serialised
    return out


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")))
        elif p.exists():
            files.append(p)
        else:
            raise InputError(f"--logs: no such file or folder: {p}")
    if not files:
        raise InputError("--logs: no log files found")
    return files


def normalise_flow_stats(stats: Any) -> pd.DataFrame:
    """Accept a DataFrame or records with flow/hour/volume/error_rate/p95 under common names."""
    df = stats.copy() if isinstance(stats, pd.DataFrame) else pd.DataFrame(list(stats))
    if isinstance(df.index, pd.MultiIndex) or "flow" not in df.columns:
        df = df.reset_index()
    rename = {"hour": "hour", "window_start": "hour", "ts": "hour", "timestamp": "hour", "bucket": "hour",
              "count": "volume", "events": "volume", "n": "volume", "p95": "p95_ms", "latency_p95": "p95_ms",
              "p95_latency_ms": "p95_ms", "latency_p95_ms": "p95_ms"}
    df = df.rename(columns={c: rename[c] for c in df.columns if c in rename and rename[c] not in df.columns})
    missing = {"flow", "hour", "volume"} - set(df.columns)
    if missing:
        raise InputError(f"flow statistics lack {', '.join(sorted(missing))}")
    if "error_rate" not in df.columns:
        df["error_rate"] = df["errors"] / df["volume"].where(df["volume"] > 0)
    if "p95_ms" not in df.columns:
        df["p95_ms"] = float("nan")
    df["hour"] = pd.to_datetime(df["hour"], utc=True)
    return df[["flow", "hour", "volume", "error_rate", "p95_ms"]].sort_values(["flow", "hour"]).reset_index(drop=True)


@dataclass
class FlowFigure:
    flow: str
    window_start: datetime
    window_end: datetime
    volume: float  # events in the window
    error_rate: float | None  # errors / events in the window
    p95_ms: float | None  # median of the hourly p95s in the window
    p95_worst_ms: float | None
    bands: dict[str, tuple[float, float]]  # 5th-95th percentile of the same figure over earlier windows
    out_of_band: list[str]
    flags: list[str] = field(default_factory=list)  # what a reader sees: silent, volume below band, ...
    png: bytes = b""


def rolling_figures(df: pd.DataFrame, span: timedelta, end: datetime | None = None) -> pd.DataFrame:
    """Each hour, the figures of the `span` ending there: volume, error rate, median hourly p95.

    Hours without events count as zero volume, up to `end` (the digest window's end, the same for
    every flow), so a flow that stopped logging shows as silent, not as a shorter window.
    """
    hours = max(int(round(span.total_seconds() / 3600)), 1)
    last = df["hour"].max() if end is None else pd.Timestamp(end) - pd.Timedelta(hours=1)
    full = pd.date_range(df["hour"].min(), max(last, df["hour"].min()), freq="h")
    g = df.set_index("hour").reindex(full)
    vol = g["volume"].fillna(0)
    errs = (g["error_rate"].fillna(0) * vol)
    out = pd.DataFrame(index=full)
    out["volume"] = vol.rolling(hours, min_periods=1).sum()
    out["error_rate"] = errs.rolling(hours, min_periods=1).sum() / out["volume"].where(out["volume"] > 0)
    out["p95_ms"] = g["p95_ms"].rolling(hours, min_periods=1).median()
    out.index.name = "hour"
    return out


def window_end(stats: pd.DataFrame, now: datetime) -> datetime:
    """The end of the one window every flow is measured over: now, or the last logged hour of any
    flow when the logs are an export that stops earlier."""
    last = stats["hour"].max().to_pydatetime() + timedelta(hours=1)
    hour = now.replace(minute=0, second=0, microsecond=0)
    return min(hour, last)


def flow_figures(stats: pd.DataFrame, span: timedelta, charts: bool = True, end: datetime | None = None
                 ) -> list[FlowFigure]:
    """Per flow: the figures of one window (`span` ending at `end`, the same for all flows) against
    the same figures over every earlier `span` (sliding hourly); the band is their 5th-95th percentile.
    A flow with no event in the window while its band expects some is flagged silent; a volume under
    its band is flagged low."""
    figures = []
    hours = max(int(round(span.total_seconds() / 3600)), 1)
    end = end or window_end(stats, stats["hour"].max().to_pydatetime() + timedelta(hours=1))
    start = end - timedelta(hours=hours)
    for flow, df in stats.groupby("flow", sort=True):
        roll = rolling_figures(df, span, end)
        base = roll[roll.index < pd.Timestamp(start)]
        base = base.iloc[hours - 1:] if len(base) >= hours else base.iloc[0:0]  # whole windows only
        last = roll.iloc[-1]
        cur = df[(df["hour"] >= start) & (df["hour"] < end)]
        value = {m: (None if pd.isna(last[m]) else float(last[m])) for m, _, _ in METRICS}
        bands: dict[str, tuple[float, float]] = {}
        for metric, _, _ in METRICS:
            vals = base[metric].dropna()
            if len(vals) >= 6:
                bands[metric] = (float(vals.quantile(0.05)), float(vals.quantile(0.95)))
        out = [m for m in bands if m != "volume" and _out_of_band(
            value[m], bands[m], both_sides=False, slack=0.005 if m == "error_rate" else 0.1 * abs(bands[m][1]))]
        flags: list[str] = []
        volume = value["volume"] or 0.0
        if "volume" in bands:
            lo, hi = bands["volume"]
            if volume == 0 and hi > 0:
                flags.append("silent")
            elif volume < lo * 0.95:
                flags.append("volume below band")
            elif volume > hi * 1.1:
                flags.append("volume above band")
            if flags:
                out.insert(0, "volume")
        flags += [f"{m.replace('_ms', '').replace('_', ' ')} above band" for m in out if m != "volume"]
        fig = FlowFigure(flow=str(flow), window_start=start, window_end=end, volume=volume,
                         error_rate=value["error_rate"], p95_ms=value["p95_ms"],
                         p95_worst_ms=float(cur["p95_ms"].max()) if cur["p95_ms"].notna().any() else None,
                         bands=bands, out_of_band=out, flags=flags)
        if charts:
            fig.png = flow_chart(roll, fig)
        figures.append(fig)
    return figures


def _out_of_band(value: float | None, band: tuple[float, float], both_sides: bool, slack: float) -> bool:
    if value is None:
        return False
    lo, hi = band
    return value > hi + slack or (both_sides and value < lo - slack)


def flow_chart(roll: pd.DataFrame, fig_info: FlowFigure) -> bytes:
    """Three small panels of the rolling figures: the normal band shaded, the digest window marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    show = roll[roll.index >= roll.index.max() - pd.Timedelta(days=7)]  # the last week is enough context
    fig, axes = plt.subplots(1, 3, figsize=(9, 1.9), dpi=80)
    try:
        for ax, (metric, label, _) in zip(axes, METRICS, strict=True):
            ax.plot(show.index, show[metric], lw=1, color="#1f4e79")
            if metric in fig_info.bands:
                lo, hi = fig_info.bands[metric]
                ax.axhspan(lo, hi, color="#2e7d32", alpha=0.15, lw=0)
            ax.axvspan(fig_info.window_start, fig_info.window_end, color="#f9a825", alpha=0.2, lw=0)
            out = metric in fig_info.out_of_band
            if len(show):
                ax.plot(show.index[-1], show[metric].iloc[-1], "o", ms=4, color="#c62828" if out else "#1f4e79")
            ax.set_title(label + (" (out of band)" if out else ""), fontsize=8,
                         color="#c62828" if out else "#333333")
            ax.tick_params(labelsize=6)
            ax.xaxis.set_major_locator(mdates.DayLocator(interval=2))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
        fig.suptitle(fig_info.flow, fontsize=9, x=0.01, ha="left")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


# --------------------------------------------------------------------------- the digest


@dataclass
class Digest:
    generated_at: datetime
    since: datetime
    incidents: list[dict[str, Any]]
    clusters_new: list[dict[str, Any]]
    clusters_total: int
    proposals_waiting: list[dict[str, Any]]
    proposals_approved: list[dict[str, Any]]
    flows: list[FlowFigure]
    flows_note: str
    previous: dict[str, Any] | None
    figures: dict[str, Any] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    ended: list[dict[str, Any]] = field(default_factory=list)  # left the open work within the window
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # one line per model

    @property
    def new_incidents(self) -> list[dict[str, Any]]:
        return [i for i in self.incidents if i["new"]]

    @property
    def ongoing_incidents(self) -> list[dict[str, Any]]:
        return [i for i in self.incidents if not i["new"]]


def _duplicates_by_model(clusters: Sequence[Any], new: list[dict[str, Any]], incidents: Sequence[Any]
                         ) -> list[dict[str, Any]]:
    """One line per model: how many clusters (new / in total), how many records, and the
    data-quality incident whose batch reviews them."""
    from odoo_triage.agent.incidents import data_quality_incident_id

    known = {r.incident_id: r for r in incidents}
    out = []
    for model in sorted({c.model for c in clusters}):
        mine = [c for c in clusters if c.model == model]
        iid = data_quality_incident_id(model)
        out.append({"model": model, "clusters": len(mine), "new": sum(1 for c in new if c["model"] == model),
                    "records": sum(len((c.data or {}).get("record_ids", [])) for c in mine),
                    "incident_id": iid if iid in known else None,
                    "status": known[iid].status if iid in known else None})
    return out


def _age_h(then: datetime | None, now: datetime) -> float:
    then = _aware(then)
    return round((now - then).total_seconds() / 3600, 1) if then else 0.0


def build_digest(
    store: Store,
    since: datetime,
    *,
    now: datetime | None = None,
    flow_stats: pd.DataFrame | None = None,
    charts: bool = True,
) -> Digest:
    now = now or utcnow()
    with store.session() as s:
        inc_rows = s.scalars(select(IncidentRow)).all()
        clusters = s.scalars(select(DuplicateClusterRow)).all()
        props = s.scalars(select(ProposalRow).where(
            ProposalRow.status.in_([ProposalStatus.proposed.value, ProposalStatus.approved.value]))).all()
        titles = {r.incident_id: r.title for r in inc_rows}
        incidents, ended = [], []
        for r in inc_rows:
            created = _aware(r.created_at)
            if created and created > now:
                continue
            is_new = created is not None and since <= created <= now
            started = _aware(r.started_at) or _aware(r.window_start)
            item = {
                "incident_id": r.incident_id, "title": r.title, "flow": r.flow, "severity": r.severity,
                "severity_score": r.severity_score, "cause": r.cause, "status": r.status, "new": is_new,
                "created_at": created.isoformat() if created else None,
                "started_at": started.isoformat() if started else None, "age_h": _age_h(started, now),
                "summary": (r.data or {}).get("summary", ""), "clusters": len((r.data or {}).get("cluster_ids", [])),
            }
            if is_open_work(r.status, r.snoozed_until, now):
                incidents.append(item)
            else:
                changed = _aware(r.status_changed_at) or created
                if changed is not None and since <= changed <= now:
                    ended.append(item)  # left the open work within the window: one line, not a table
        incidents.sort(key=lambda i: (SEVERITIES.index(i["severity"]) if i["severity"] in SEVERITIES else 9,
                                      -i["severity_score"], i["incident_id"]))
        clusters_new = [
            {"cluster_id": c.cluster_id, "model": c.model, "probability": c.probability,
             "record_ids": (c.data or {}).get("record_ids", []), "reason": (c.data or {}).get("reason", "")}
            for c in clusters if (_aware(c.created_at) or now) >= since
        ]
        clusters_new.sort(key=lambda c: -c["probability"])
        duplicates = _duplicates_by_model(clusters, clusters_new, inc_rows)

        def _prop(p: ProposalRow) -> dict[str, Any]:
            return {"proposal_id": p.proposal_id, "incident_id": p.incident_id, "incident": titles.get(p.incident_id, ""),
                    "action": p.action, "proposed_by": p.proposed_by, "status": p.status,
                    "age_h": _age_h(p.created_at, now), "rationale": p.rationale}

        waiting = sorted((_prop(p) for p in props if p.status == ProposalStatus.proposed.value), key=lambda p: -p["age_h"])
        approved = sorted((_prop(p) for p in props if p.status == ProposalStatus.approved.value), key=lambda p: -p["age_h"])
        prev_row = s.scalars(select(DigestRow).order_by(DigestRow.created_at.desc(), DigestRow.id.desc()).limit(1)).first()
        previous = dict(prev_row.data, created_at=_aware(prev_row.created_at).isoformat()) if prev_row else None  # type: ignore[union-attr]

    flows: list[FlowFigure] = []
    note = ""
    if flow_stats is not None and not flow_stats.empty:
        flows = flow_figures(flow_stats, now - since, charts=charts, end=window_end(flow_stats, now))
        if flow_stats.attrs.get("rejected"):
            note = f"{flow_stats.attrs['rejected']} malformed log line(s) were kept aside by the readers and are not counted."
    else:
        note = "No flow figures: pass --logs DIR (the integration logs) to chart each flow against its normal band."
    digest = Digest(generated_at=now, since=since, incidents=incidents, clusters_new=clusters_new,
                    clusters_total=len(clusters), proposals_waiting=waiting, proposals_approved=approved,
                    flows=flows, flows_note=note, previous=previous, ended=ended, duplicates=duplicates)
    digest.figures = figures_of(digest)
    digest.changes = diff_figures(previous, digest.figures)
    return digest


def figures_of(d: Digest) -> dict[str, Any]:
    """The numbers saved with each digest, so the next one can say what changed."""
    open_inc = list(d.incidents)  # build_digest keeps only the open work
    return {
        "generated_at": d.generated_at.isoformat(),
        "since": d.since.isoformat(),
        "incidents_new": len(d.new_incidents),
        "incidents_open": len(open_inc),
        "open_by_severity": {s: sum(1 for i in open_inc if i["severity"] == s) for s in SEVERITIES},
        "new_by_severity": {s: sum(1 for i in d.new_incidents if i["severity"] == s) for s in SEVERITIES},
        "open_incident_ids": sorted(i["incident_id"] for i in open_inc),
        "duplicate_clusters_total": d.clusters_total,
        "duplicate_clusters_new": len(d.clusters_new),
        "proposals_waiting": len(d.proposals_waiting),
        "oldest_waiting_h": max((p["age_h"] for p in d.proposals_waiting), default=0.0),
        "proposals_approved_not_executed": len(d.proposals_approved),
        "flows": {f.flow: {"volume": f.volume, "error_rate": f.error_rate, "p95_ms": f.p95_ms,
                           "out_of_band": f.out_of_band} for f in d.flows},
    }


def _delta(label: str, old: float | int | None, new: float | int | None, fmt: str = "{}") -> str | None:
    if old is None or new is None or old == new:
        return None
    sign = "+" if new > old else "-"
    diff = abs(new - old)
    return f"{label}: {fmt.format(old)} -> {fmt.format(new)} ({sign}{fmt.format(diff)})"


def diff_figures(prev: dict[str, Any] | None, cur: dict[str, Any]) -> list[str]:
    if not prev:
        return ["First digest: nothing to compare with yet."]
    lines = []
    for key, label in [("incidents_open", "open incidents"), ("proposals_waiting", "proposals waiting"),
                       ("duplicate_clusters_total", "duplicate clusters"),
                       ("proposals_approved_not_executed", "approved, not executed")]:
        line = _delta(label, prev.get(key), cur.get(key))
        if line:
            lines.append(line)
    for sev in SEVERITIES:
        line = _delta(f"open {sev}", prev.get("open_by_severity", {}).get(sev), cur["open_by_severity"].get(sev))
        if line:
            lines.append(line)
    before, now_ids = set(prev.get("open_incident_ids", [])), set(cur["open_incident_ids"])
    if now_ids - before:
        lines.append(f"{len(now_ids - before)} incident(s) opened since: {', '.join(sorted(now_ids - before)[:8])}")
    if before - now_ids:
        lines.append(f"{len(before - now_ids)} incident(s) closed since: {', '.join(sorted(before - now_ids)[:8])}")
    for flow, f in cur["flows"].items():
        p = prev.get("flows", {}).get(flow)
        if not p:
            continue
        if f["error_rate"] is not None and p.get("error_rate") is not None and abs(f["error_rate"] - p["error_rate"]) >= 0.005:
            lines.append(_delta(f"{flow} error rate", p["error_rate"], f["error_rate"], "{:.1%}") or "")
        if f["p95_ms"] and p.get("p95_ms") and abs(f["p95_ms"] - p["p95_ms"]) / max(p["p95_ms"], 1) >= 0.1:
            lines.append(_delta(f"{flow} p95 ms", p["p95_ms"], f["p95_ms"], "{:.0f}") or "")
    return [x for x in lines if x] or [f"No change since the previous digest ({prev.get('generated_at', '?')[:16]})."]


def save_digest(store: Store, digest: Digest) -> None:
    with store.session() as s:
        s.add(DigestRow(created_at=digest.generated_at, since=digest.since, data=digest.figures))


# --------------------------------------------------------------------------- rendering


def _fmt(metric: str, value: float | None) -> str:
    if value is None or value != value:
        return "-"
    return dict((m, f) for m, _, f in METRICS)[metric].format(value)


def _band(f: FlowFigure, metric: str) -> str:
    if metric not in f.bands:
        return "-"
    lo, hi = f.bands[metric]
    return f"{_fmt(metric, lo)}-{_fmt(metric, hi)}"


def _flow_window(d: Digest) -> str:
    if not d.flows:
        return ""
    f = d.flows[0]  # one window for every flow
    tail = ("" if f.window_end >= d.generated_at.replace(minute=0, second=0, microsecond=0)
            else "; the logs end before now, so it ends at their last logged hour")
    return f"Flow window {f.window_start:%Y-%m-%d %H:%M} - {f.window_end:%Y-%m-%d %H:%M} UTC for every flow{tail}."


def _headline(d: Digest) -> str:
    sev = ", ".join(f"{n} {s}" for s, n in d.figures["open_by_severity"].items() if n)
    batches = len({p["incident_id"] for p in d.proposals_waiting})
    return (f"{len(d.incidents)} open incident(s){f' ({sev})' if sev else ''}, {len(d.new_incidents)} new; "
            f"{len(d.ended)} ended since; {len(d.proposals_waiting)} proposal(s) waiting in {batches} batch(es); "
            f"{len(d.clusters_new)} new duplicate cluster(s).")


def _waiting_by_incident(d: Digest) -> list[dict[str, Any]]:
    """Proposals waiting, one row per incident (its batch): how many, which actions, the oldest."""
    rows: dict[str, dict[str, Any]] = {}
    for p in d.proposals_waiting:
        r = rows.setdefault(p["incident_id"], {"incident_id": p["incident_id"], "incident": p["incident"],
                                               "count": 0, "actions": {}, "oldest_h": 0.0})
        r["count"] += 1
        r["actions"][p["action"]] = r["actions"].get(p["action"], 0) + 1
        r["oldest_h"] = max(r["oldest_h"], p["age_h"])
    return sorted(rows.values(), key=lambda r: -r["oldest_h"])


def _actions(r: dict[str, Any]) -> str:
    return ", ".join(f"{n} {a}" for a, n in sorted(r["actions"].items()))


def _ended_line(d: Digest) -> str:
    if not d.ended:
        return "No incident ended in the window."
    by: dict[str, int] = {}
    for i in d.ended:
        by[i["status"]] = by.get(i["status"], 0) + 1
    return f"{len(d.ended)} incident(s) left the open work: " + ", ".join(f"{n} {k}" for k, n in sorted(by.items())) + "."


def _dup_line(x: dict[str, Any]) -> str:
    batch = f"; batch: incident {x['incident_id']} ({x['status']})" if x["incident_id"] else ""
    return f"{x['model']}: {x['clusters']} cluster(s), {x['records']} records, {x['new']} new{batch}"


def render_markdown(d: Digest, chart_dir: Path | None = None, link_base: Path | None = None) -> str:
    """Markdown; when chart_dir is given the flow charts are written there and linked."""
    out = [f"# Integration digest {d.generated_at:%Y-%m-%d %H:%M} UTC",
           f"Since {d.since:%Y-%m-%d %H:%M} UTC. {_headline(d)}", ""]
    out.append(f"## Open incidents ({len(d.incidents)})")
    if not d.incidents:
        out.append("None.")
    for sev in SEVERITIES:
        group = [i for i in d.incidents if i["severity"] == sev]
        if group:
            out.append(f"### {sev} ({len(group)})")
            out.append("| incident | flow | cause | status | age h (since start) |\n|---|---|---|---|---|")
            out.extend(f"| {'**new** ' if i['new'] else ''}{_md(i['title'])} `{i['incident_id']}` | {i['flow']} | "
                       f"{i['cause']} | {i['status']} | {i['age_h']:.1f} |" for i in group)
    out.append(_ended_line(d))
    out.append("")
    out.append("## Flows against their normal band")
    if d.flows_note:
        out.append(d.flows_note)
    if d.flows:
        out.append(_flow_window(d) + "\n")
        out.append("| flow | volume (band) | error rate (band) | p95 ms median hour (band) | flagged |\n|---|---|---|---|---|")
        for f in d.flows:
            out.append(f"| {f.flow} | {f.volume:.0f} ({_band(f, 'volume')}) | {_fmt('error_rate', f.error_rate)} ({_band(f, 'error_rate')}) | "
                       f"{_fmt('p95_ms', f.p95_ms)} ({_band(f, 'p95_ms')}) | {', '.join(f.out_of_band) or '-'} |")
        flagged = [f for f in d.flows if f.flags]
        out.extend(f"- **{f.flow}**: {', '.join(f.flags)}" for f in flagged)
        if chart_dir is not None:
            chart_dir.mkdir(parents=True, exist_ok=True)
            out.append("")
            for f in d.flows:
                if f.png:
                    png = chart_dir / f"{_slug(f.flow)}.png"
                    png.write_bytes(f.png)
                    rel = png.relative_to(link_base) if link_base else png
                    out.append(f"![{f.flow}]({rel.as_posix()})")
    out.append("")
    out.append(f"## Duplicates found ({len(d.clusters_new)} new, {d.clusters_total} in total)")
    out.extend(f"- {_dup_line(x)}" for x in d.duplicates)
    out.append("")
    batches = _waiting_by_incident(d)
    out.append(f"## Proposals waiting for approval ({len(d.proposals_waiting)} in {len(batches)} batch(es))")
    if batches:
        out.append("| incident | waiting | actions | oldest h |\n|---|---|---|---|")
        out.extend(f"| {_md(r['incident'])} `{r['incident_id']}` | {r['count']} | {_actions(r)} | {r['oldest_h']:.1f} |"
                   for r in batches)
    else:
        out.append("None.")
    if d.proposals_approved:
        out.append(f"\nApproved but not executed yet: {len(d.proposals_approved)}.")
    out.append("")
    out.append("## Change since the previous digest")
    out.extend(f"- {c}" for c in d.changes)
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


_CSS = """body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:980px;margin:24px auto;color:#222}
h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
h3{font-size:14px;margin:12px 0 4px}table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border:1px solid #e3e3e3;padding:4px 6px;text-align:left}th{background:#f6f6f6}
.sev-critical{color:#fff;background:#b71c1c}.sev-high{color:#fff;background:#e65100}.sev-medium{background:#ffe082}
.sev-low{background:#e0e0e0}.badge{padding:1px 6px;border-radius:3px;font-size:12px}.out{color:#c62828;font-weight:bold}
.muted{color:#777;font-size:12px}img{max-width:100%}"""


def render_html(d: Digest, console_url: str | None = None) -> str:
    """HTML with the charts embedded; with `console_url`, incident ids link to the review console."""
    e = html.escape

    def link(iid: str) -> str:
        if not console_url:
            return e(iid)
        return f"<a href='{e(console_url.rstrip('/'))}/?incident={e(iid)}'>{e(iid)}</a>"

    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Integration digest {d.generated_at:%Y-%m-%d}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>Integration digest {d.generated_at:%Y-%m-%d %H:%M} UTC</h1>",
             f"<p>Since {d.since:%Y-%m-%d %H:%M} UTC. <b>{e(_headline(d))}</b></p>"]
    parts.append(f"<h2 id='open-incidents'>Open incidents ({len(d.incidents)})</h2>")
    if d.incidents:
        parts.append("<table><tr><th>severity</th><th>incident</th><th>flow</th><th>cause</th><th>status</th>"
                     "<th>age h (since start)</th></tr>")
        for i in d.incidents:
            new = "<b>new</b> " if i["new"] else ""
            parts.append(f"<tr><td><span class='badge sev-{e(i['severity'])}'>{e(i['severity'])}</span></td>"
                         f"<td>{new}{e(i['title'])}<br><span class='muted'>{link(i['incident_id'])}</span></td>"
                         f"<td>{e(i['flow'])}</td><td>{e(i['cause'])}</td><td>{e(i['status'])}</td>"
                         f"<td>{i['age_h']:.1f}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append(f"<p class='muted'>{e(_ended_line(d))}</p>")
    parts.append("<h2 id='flows'>Flows against their normal band</h2>")
    if d.flows_note:
        parts.append(f"<p class='muted'>{e(d.flows_note)}</p>")
    if d.flows:
        parts.append(f"<p class='muted'>{e(_flow_window(d))}</p>")
        parts.append("<p class='muted'>Each chart follows the figure over a sliding window as long as the digest's; "
                     "shaded green: its normal band (5th-95th percentile before the window); amber: the digest window.</p>")
        parts.append("<table><tr><th>flow</th><th>volume (band)</th><th>error rate (band)</th><th>p95 ms median hour (band)</th>"
                     "<th>flagged</th></tr>")
        for f in d.flows:
            cls = " class='out'" if f.flags else ""
            parts.append(f"<tr><td>{e(f.flow)}</td><td>{f.volume:.0f} <span class='muted'>({_band(f, 'volume')})</span></td>"
                         f"<td>{_fmt('error_rate', f.error_rate)} "
                         f"<span class='muted'>({_band(f, 'error_rate')})</span></td><td>{_fmt('p95_ms', f.p95_ms)} "
                         f"<span class='muted'>({_band(f, 'p95_ms')})</span></td><td{cls}>{e(', '.join(f.flags) or '-')}</td></tr>")
        parts.append("</table>")
        for f in d.flows:
            if f.png:
                b64 = base64.b64encode(f.png).decode()
                parts.append(f"<div><img alt='{e(f.flow)}' src='data:image/png;base64,{b64}'></div>")
    parts.append(f"<h2 id='duplicates'>Duplicates found ({len(d.clusters_new)} new, {d.clusters_total} in total)</h2>")
    if d.duplicates:
        parts.append("<ul>")
        for x in d.duplicates:
            batch = f"; batch: {link(x['incident_id'])} ({e(str(x['status']))})" if x["incident_id"] else ""
            parts.append(f"<li>{e(x['model'])}: {x['clusters']} cluster(s), {x['records']} records, "
                         f"{x['new']} new{batch}</li>")
        parts.append("</ul>")
    else:
        parts.append("<p>None.</p>")
    batches = _waiting_by_incident(d)
    parts.append(f"<h2 id='proposals'>Proposals waiting for approval ({len(d.proposals_waiting)} in "
                 f"{len(batches)} batch(es))</h2>")
    if batches:
        parts.append("<table><tr><th>incident</th><th>waiting</th><th>actions</th><th>oldest h</th></tr>")
        for r in batches:
            parts.append(f"<tr><td>{e(r['incident'])}<br><span class='muted'>{link(r['incident_id'])}</span></td>"
                         f"<td>{r['count']}</td><td>{e(_actions(r))}</td><td>{r['oldest_h']:.1f}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    if d.proposals_approved:
        parts.append(f"<p>Approved but not executed yet: {len(d.proposals_approved)}.</p>")
    parts.append("<h2 id='changes'>Change since the previous digest</h2><ul>")
    parts.extend(f"<li>{e(c)}</li>" for c in d.changes)
    parts.append("</ul></body></html>")
    return "\n".join(parts)


# --------------------------------------------------------------------------- delivery


@dataclass
class SmtpConfig:
    host: str
    port: int
    sender: str
    to: list[str]
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed
    starttls: bool = False
    ssl: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SmtpConfig:
        env = dict(os.environ if env is None else env)
        host = env.get("TRIAGE_SMTP_HOST", "").strip()
        to = [a.strip() for a in env.get("TRIAGE_SMTP_TO", "").split(",") if a.strip()]
        if not host or not to:
            raise InputError("--send needs TRIAGE_SMTP_HOST and TRIAGE_SMTP_TO (and optionally TRIAGE_SMTP_PORT, "
                             "TRIAGE_SMTP_USER, TRIAGE_SMTP_PASSWORD, TRIAGE_SMTP_FROM, TRIAGE_SMTP_STARTTLS)")
        ssl = env.get("TRIAGE_SMTP_SSL", "").lower() in ("1", "true", "yes")
        try:
            port = int(env.get("TRIAGE_SMTP_PORT") or (465 if ssl else 25))
        except ValueError:
            raise InputError(f"TRIAGE_SMTP_PORT must be a number, got {env.get('TRIAGE_SMTP_PORT')!r}") from None
        starttls = env.get("TRIAGE_SMTP_STARTTLS", "1" if port == 587 else "").lower() in ("1", "true", "yes")
        return cls(host=host, port=port, to=to, user=env.get("TRIAGE_SMTP_USER") or None,
                   password=env.get("TRIAGE_SMTP_PASSWORD") or None, starttls=starttls, ssl=ssl,
                   sender=env.get("TRIAGE_SMTP_FROM") or f"odoo-triage@{socket.getfqdn()}")


def send_digest(cfg: SmtpConfig, subject: str, text: str, html_body: str | None = None) -> None:
    """Send by SMTP; errors name the server, never the password."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.to)
    msg.set_content(text)
    if html_body:
        msg.add_alternative(html_body, subtype="html")
    cls = smtplib.SMTP_SSL if cfg.ssl else smtplib.SMTP
    try:
        with cls(cfg.host, cfg.port, timeout=30) as smtp:
            if cfg.starttls:
                smtp.starttls()
            if cfg.user:
                smtp.login(cfg.user, cfg.password or "")
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        detail = str(exc)
        if cfg.password:
            detail = detail.replace(cfg.password, "***")
        raise InputError(f"could not send the digest via {cfg.host}:{cfg.port}: {detail}") from None


def subject_of(d: Digest) -> str:
    crit = d.figures["open_by_severity"].get("critical", 0)
    return (f"[odoo-triage] {d.generated_at:%Y-%m-%d}: {len(d.new_incidents)} new incident(s)"
            f"{f', {crit} critical open' if crit else ''}, {len(d.proposals_waiting)} waiting for approval")
