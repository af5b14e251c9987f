"""The review console (Streamlit): queue, incident, duplicates, proposal, approve/reject, execute, audit.

Run with `triage console`; the store URL arrives in TRIAGE_DATABASE_URL. Every decision goes through
agent/approvals.py, the same functions the CLI calls, so the rules (roles, four eyes, payload hash,
expiry, execute once, audit) are the same wherever a reviewer clicks.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from odoo_triage.agent import approvals
from odoo_triage.agent.store import Store, open_store
from odoo_triage.app.console import data
from odoo_triage.app.console.identity import Reviewer, resolve_reviewer
from odoo_triage.core.settings import Permission, Settings, load_settings

LOGS_ENV = "TRIAGE_CONSOLE_LOGS"
SEVERITY_COLORS = {"critical": "red", "high": "orange", "medium": "blue", "low": "gray"}
STATUS_COLORS = {"proposed": "orange", "approved": "green", "rejected": "gray", "executed": "blue", "failed": "red"}


@st.cache_resource(show_spinner=False)
def _store(url: str | None) -> Store:
    return open_store(url)


def _headers() -> dict[str, str]:
    try:
        return dict(st.context.headers or {})
    except Exception:  # no request (AppTest, bare mode)
        return {}


def _flash(kind: str, text: str) -> None:
    st.session_state["flash"] = (kind, text)


def _show_flash() -> None:
    if "flash" in st.session_state:
        kind, text = st.session_state.pop("flash")
        getattr(st, kind)(text)


@st.cache_data(show_spinner=False)
def _log_stats(paths: tuple[str, ...]) -> pd.DataFrame | None:
    from odoo_triage.app.digest import flow_stats_from_logs

    try:
        return flow_stats_from_logs([Path(p) for p in paths])
    except Exception:
        return None


def _gateway(settings: Settings):  # type: ignore[no-untyped-def]
    from odoo_triage.agent.odoo_gateway import OdooGateway

    return OdooGateway.from_settings(settings)


# --------------------------------------------------------------------------- sidebar


def sidebar(store: Store, settings: Settings, reviewer: Reviewer) -> tuple[str, dict]:
    sb = st.sidebar
    sb.title("odoo-triage")
    sb.caption("Review console")
    sb.markdown(f"**Signed in as** {reviewer.label}  \n<small>identity from {reviewer.source}; "
                f"roles from {settings.source}</small>", unsafe_allow_html=True)
    view = sb.radio("View", ["Incident queue", "Duplicate clusters", "Audit trail"], key="view")
    filters: dict = {}
    if view == "Incident queue":
        opts = data.queue_options(store)
        sb.subheader("Filters")
        filters["flows"] = sb.multiselect("Flow", opts["flows"], key="f_flow")
        filters["severities"] = sb.multiselect("Severity", opts["severities"], key="f_severity")
        filters["statuses"] = sb.multiselect("Status", opts["statuses"], key="f_status")
        age = sb.number_input("Max age (hours, 0 = any)", min_value=0, value=0, step=12, key="f_age")
        filters["max_age_h"] = float(age) or None
    return view, filters


# --------------------------------------------------------------------------- incident page


def anomaly_chart(view: data.IncidentView):  # type: ignore[no-untyped-def]  # -> (Figure, source) | None
    """The flow's hourly figures from the logs when given, else the flow's anomalies over time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates
    import matplotlib.pyplot as plt

    logs = os.environ.get(LOGS_ENV)
    stats = None
    if logs:
        with st.spinner("Reading the logs…"):
            stats = _log_stats(tuple(logs.split(os.pathsep)))
    df = stats[stats["flow"] == view.flow] if stats is not None else None
    if df is not None and view.window_start and view.window_end:  # three days either side of the incident
        df = df[(df["hour"] >= view.window_start - timedelta(days=3)) & (df["hour"] <= view.window_end + timedelta(days=3))]
    if df is not None and not df.empty:
        fig, axes = plt.subplots(3, 1, figsize=(6, 4.2), sharex=True, dpi=90)
        for ax, col, label in zip(axes, ["volume", "error_rate", "p95_ms"], ["events / h", "error rate", "p95 ms"],
                                  strict=True):
            ax.plot(df["hour"], df[col], lw=1, color="#1f4e79")
            ax.set_ylabel(label, fontsize=7)
            ax.tick_params(labelsize=6)
            if view.window_start and view.window_end:
                ax.axvspan(view.window_start, view.window_end, color="#c62828", alpha=0.25, lw=0)
        axes[-1].xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%m-%d"))
        axes[0].set_title(f"{view.flow}, hour by hour (incident window shaded)", fontsize=9)
        fig.tight_layout()
        return fig, "hour by hour from the logs"
    if not view.flow_anomalies:
        return None
    fig, ax = plt.subplots(figsize=(6, 2.6), dpi=90)
    rows = view.flow_anomalies
    if rows:
        for in_inc, color, label in ((False, "#9e9e9e", "other anomalies of the flow"), (True, "#c62828", "this incident")):
            pts = [a for a in rows if a["in_incident"] is in_inc]
            if pts:
                ax.scatter([a["window_start"] for a in pts], [a["score"] for a in pts], s=28, color=color, label=label)
                for a in pts:
                    ax.hlines(a["score"], a["window_start"], a["window_end"], color=color, lw=2)
        ax.legend(fontsize=7, loc="lower left")
    if view.window_start and view.window_end:
        ax.axvspan(view.window_start, view.window_end + timedelta(minutes=1), color="#f9a825", alpha=0.2, lw=0)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("anomaly score", fontsize=8)
    ax.set_title(f"{view.flow}: anomalies over time", fontsize=9)
    ax.tick_params(labelsize=7)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig, "the flow's stored anomalies (start the console with --logs for the hourly figures)"


def incident_page(store: Store, settings: Settings, reviewer: Reviewer, incident_id: str) -> None:
    view = data.incident_detail(store, incident_id)
    if view is None:
        st.warning(f"Incident {incident_id} is gone.")
        return
    color = SEVERITY_COLORS.get(view.severity, "gray")
    st.header(view.title)
    st.markdown(f":{color}-badge[{view.severity}] :gray-badge[{view.status}] :violet-badge[{view.flow}] "
                f"`{view.incident_id}`")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Cause", view.cause, help="from the cause classifier and the triage report")
    c1.caption(f"{view.cause_confidence:.0%} confidence")
    c2.metric("Anomalies", view.anomaly_count)
    c3.metric("Affected records", len(view.affected_records))
    c4.metric("Proposals", len(view.proposals))
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Summary")
        st.write(view.summary or "No summary yet: run `triage triage`.")
        if view.business_impact:
            st.markdown(f"**Business impact.** {view.business_impact}")
        if view.report_provider:
            st.caption(f"report by {view.report_provider}")
        if view.window_start:
            st.caption(f"window {view.window_start:%Y-%m-%d %H:%M} - {view.window_end:%Y-%m-%d %H:%M} UTC")
    with right:
        st.subheader("Anomaly chart")
        chart = anomaly_chart(view)
        if chart is None:
            st.caption("No stored anomaly for this flow; start the console with --logs to chart the flow hour by hour.")
        else:
            st.pyplot(chart[0], clear_figure=True)
            st.caption(f"Chart: {chart[1]}.")
    st.subheader("Error signatures")
    if view.signatures:
        for sig in view.signatures:
            st.code(sig, language=None)
    else:
        st.caption("No error signature in this incident.")
    st.subheader(f"Evidence ({len(view.evidence)})")
    if view.evidence:
        ev = pd.DataFrame([{"id": e.get("evidence_id"), "kind": e.get("kind"), "text": e.get("text"),
                            "records": ", ".join(e.get("record_ids", []))} for e in view.evidence])
        st.dataframe(ev, hide_index=True, width="stretch", key=f"evidence_{incident_id}")
    if view.affected_records:
        with st.expander(f"Affected records ({len(view.affected_records)})"):
            st.write(", ".join(view.affected_records))
    if view.cluster_ids:
        st.subheader("Duplicate clusters")
        for cid in view.cluster_ids:
            cluster_block(store, cid)
    st.subheader("Proposals")
    if not view.proposals:
        st.caption("No proposal for this incident.")
    for p in view.proposals:
        proposal_block(store, settings, reviewer, p)
    st.subheader("Audit trail of this incident")
    st.dataframe(data.audit_rows(store, incident_id=incident_id), hide_index=True, width="stretch",
                 key=f"audit_{incident_id}")


def proposal_block(store: Store, settings: Settings, reviewer: Reviewer, p: data.ProposalView) -> None:
    with st.container(border=True):
        st.markdown(f"**{p.action}** :{STATUS_COLORS.get(p.status, 'gray')}-badge[{p.status}] · proposed by "
                    f"{p.proposed_by} {data.age_text(p.created_at)} ago · `{p.proposal_id}`")
        if p.rationale:
            st.caption(p.rationale)
        st.markdown("Parameters")
        st.code(json.dumps(p.params, indent=2, sort_keys=True, default=str), language="json")
        st.markdown("Exact Odoo calls it would make")
        if p.invalid:
            st.error(p.invalid)
        else:
            st.code("\n".join(p.odoo_calls), language=None, wrap_lines=True)
        st.caption(f"payload hash {p.payload_hash[:16]}…: an approval is bound to exactly this payload")
        if p.result:
            box = st.success if p.result.get("status") == "executed" else st.error
            box(f"Result: {p.result.get('status')}: {p.result.get('summary') or p.result.get('error') or ''}")
        can_approve = reviewer.can(settings, Permission.approve)
        can_reject = reviewer.can(settings, Permission.reject)
        can_execute = reviewer.can(settings, Permission.execute)
        if p.status in ("proposed", "approved"):
            reason = st.text_input("Reason", key=f"reason_{p.proposal_id}",
                                   placeholder="why you approve or reject (required to reject)")
            b1, b2, b3, _ = st.columns([1, 1, 1, 3])
            if p.status == "proposed" and b1.button("Approve", key=f"approve_{p.proposal_id}", type="primary",
                                                    disabled=not can_approve):
                decide(store, settings, reviewer, p.proposal_id, "approve", reason)
            if b2.button("Reject", key=f"reject_{p.proposal_id}", disabled=not can_reject):
                decide(store, settings, reviewer, p.proposal_id, "reject", reason)
            if p.status == "approved" and b3.button("Execute", key=f"execute_{p.proposal_id}", type="primary",
                                                    disabled=not can_execute):
                run(store, settings, reviewer, p)
            if not can_approve:
                who = reviewer.user or "nobody"
                st.caption(f"{who} ({reviewer.role or 'no role'}) may not approve; approvers: "
                           f"{', '.join(settings.users_with(Permission.approve)) or 'none configured'}.")


def decide(store: Store, settings: Settings, reviewer: Reviewer, pid: str, what: str, reason: str) -> None:
    """approvals.approve / approvals.reject: the same calls as `triage approve` / `triage reject`."""
    user = reviewer.user or ""
    try:
        if what == "approve":
            a = approvals.approve(store, pid, user, reason, settings)
            _flash("success", f"Approved {pid} as {user}; valid until {a.expires_at:%Y-%m-%d %H:%M} UTC.")
        else:
            approvals.reject(store, pid, user, reason, settings)
            _flash("info", f"Rejected {pid} as {user}: {reason}")
    except approvals.ApprovalRefused as exc:
        _flash("error", f"Refused ({exc.code}): {exc.reason}")
    st.rerun()


def run(store: Store, settings: Settings, reviewer: Reviewer, p: data.ProposalView) -> None:
    user = reviewer.user or ""
    try:
        with st.spinner(f"Executing {p.action} on Odoo…"):
            needs_odoo = bool(p.odoo_calls) and not p.odoo_calls[0].startswith("(no Odoo call")
            gateway = _gateway(settings) if needs_odoo else None
            try:
                result = approvals.execute(store, p.proposal_id, user, gateway, settings=settings)
            finally:
                if gateway is not None:
                    gateway.close()
        kind = "success" if result.ok else "error"
        _flash(kind, f"{result.status}: {result.summary}" + (f" ({result.error})" if result.error else ""))
    except approvals.ApprovalRefused as exc:
        _flash("error", f"Refused ({exc.code}): {exc.reason}")
    except Exception as exc:  # the gateway could not reach Odoo: say so, the audit log has it
        _flash("error", f"Execution failed: {type(exc).__name__}: {exc}")
    st.rerun()


# --------------------------------------------------------------------------- other views


def cluster_block(store: Store, cluster_id: str) -> None:
    got = data.cluster_side_by_side(store, cluster_id)
    if got is None:
        st.caption(f"cluster {cluster_id} is not in the store")
        return
    df, meta = got
    st.markdown(f"**{meta['model']}** records {', '.join(f'#{i}' for i in meta['record_ids'])} · "
                f"p={meta['probability']:.2f} · suggested master #{meta['suggested_master_id']}  \n{meta['reason']}")
    if df.empty:
        st.caption("no field comparison stored")
        return
    styled = df.style.apply(
        lambda row: ["background-color: #ffe0e0" if row["differs"] and c != "field" else "" for c in row.index], axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", key=f"cluster_{cluster_id}")


def clusters_view(store: Store, settings: Settings, reviewer: Reviewer) -> None:
    st.header("Duplicate clusters")
    clusters = data.cluster_ids_all(store)
    if not clusters:
        st.info("No duplicate cluster in the store yet: run `triage match`.")
        return
    labels = {cid: f"{model} · p={prob:.2f} · {cid}" for cid, model, prob in clusters}
    cid = st.selectbox("Cluster", list(labels), format_func=labels.get, key="cluster")
    st.caption("Fields the records disagree on are highlighted.")
    cluster_block(store, cid)
    if reviewer.can(settings, Permission.reject) and st.button("Not a duplicate", key=f"nodup_{cid}",
                                                                 help="Never propose these records as one again"):
        n = data.mark_not_duplicate(store, cid, reviewer.user, settings.odoo.db)
        _flash("success", f"marked {n} pair(s) of {cid} as not a duplicate: the next `triage match` skips them")
        st.rerun()


def audit_view(store: Store) -> None:
    st.header("Audit trail")
    df = data.audit_rows(store)
    if df.empty:
        st.info("The audit log is empty.")
        return
    actors = st.multiselect("Actor", sorted(df["actor"].unique()), key="a_actor")
    if actors:
        df = df[df["actor"].isin(actors)]
    st.dataframe(df, hide_index=True, width="stretch", key="audit_all")


def queue_view(store: Store, settings: Settings, reviewer: Reviewer, filters: dict) -> None:
    st.header("Incident queue")
    queue = data.incident_queue(store, **filters)
    st.caption(f"{len(queue)} incident(s) match the filters, most severe first.")
    if queue.empty:
        st.info("No incident matches. Widen the filters, or run `triage detect` and `triage triage`.")
        return
    st.dataframe(queue.drop(columns=["window_start"]), hide_index=True, width="stretch", key="queue",
                 column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=1)})
    labels = {r.incident_id: f"[{r.severity}] {r.title}" for r in queue.itertuples()}
    chosen = st.selectbox("Open incident", list(labels), format_func=labels.get, key="incident")
    if chosen:
        st.divider()
        incident_page(store, settings, reviewer, chosen)


def main() -> None:
    st.set_page_config(page_title="odoo-triage review", layout="wide")
    store = _store(os.environ.get("TRIAGE_DATABASE_URL"))
    settings = load_settings()
    reviewer = resolve_reviewer(settings, _headers())
    view, filters = sidebar(store, settings, reviewer)
    _show_flash()
    if view == "Incident queue":
        queue_view(store, settings, reviewer, filters)
    elif view == "Duplicate clusters":
        clusters_view(store, settings, reviewer)
    else:
        audit_view(store)


main()
