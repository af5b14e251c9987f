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
from odoo_triage.agent.preview import compact_params, job_table
from odoo_triage.agent.store import Store, open_store
from odoo_triage.app.console import data
from odoo_triage.app.console.identity import SESSION_KEY, Reviewer, can_sign_in, resolve_reviewer, sign_in
from odoo_triage.core.settings import Permission, Settings, load_settings

LOGS_ENV = "TRIAGE_CONSOLE_LOGS"
SEVERITY_COLORS = {"critical": "red", "high": "orange", "medium": "blue", "low": "gray"}
BATCH_FROM = 5  # more proposals than this in one incident: reviewed as one batch table
STATUS_COLORS = {"proposed": "orange", "approved": "green", "rejected": "gray", "executed": "blue", "failed": "red"}


@st.cache_resource(show_spinner=False)
def _store(url: str | None) -> Store:
    return open_store(url)


def _headers() -> dict[str, str]:
    try:
        return dict(st.context.headers or {})
    except Exception:  # no request (AppTest, bare mode)
        return {}


def _flash(kind: str, text: str, where: str = "page") -> None:
    """Feedback shown next to the control that caused it (`where`: a proposal id, "batch", ...)."""
    st.session_state[f"flash_{where}"] = (kind, text)


def _show_flash(where: str = "page") -> None:
    key = f"flash_{where}"
    if key in st.session_state:
        kind, text = st.session_state.pop(key)
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
    sign_in_box(settings, reviewer)
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
        filters["open_only"] = not sb.checkbox("Include ended incidents", key="f_all")
    return view, filters


def sign_in_box(settings: Settings, reviewer: Reviewer) -> None:
    """Password sign-in (hashes in the settings file); without one configured the console stays read-only."""
    sb = st.sidebar
    if reviewer.source == "password":
        if sb.button("Sign out", key="sign_out"):
            st.session_state.pop(SESSION_KEY, None)
            st.rerun()
        return
    if reviewer.user is not None or not can_sign_in(settings):
        return
    with sb.form("sign_in", clear_on_submit=True):
        user = st.text_input("User", key="sign_in_user")
        password = st.text_input("Password", type="password", key="sign_in_password")
        if st.form_submit_button("Sign in"):
            who = sign_in(settings, user, password)
            if who is None:
                _flash("error", "Sign-in failed: unknown user or wrong password.")
            else:
                st.session_state[SESSION_KEY] = who.user
            st.rerun()


# --------------------------------------------------------------------------- incident page


def anomaly_chart(view: data.IncidentView) -> tuple[str, pd.DataFrame] | None:
    """The flow's hourly figures from the logs when given, else the flow's anomalies over time, as
    data for the browser to draw (Vega-Lite): nothing is rendered to an image on the server."""
    logs = os.environ.get(LOGS_ENV)
    stats = None
    if logs:
        with st.spinner("Reading the logs…"):
            stats = _log_stats(tuple(logs.split(os.pathsep)))
    df = stats[stats["flow"] == view.flow] if stats is not None else None
    if df is not None and view.window_start and view.window_end:  # three days either side of the incident
        df = df[(df["hour"] >= view.window_start - timedelta(days=3)) & (df["hour"] <= view.window_end + timedelta(days=3))]
    if df is not None and not df.empty:
        return "logs", df.set_index("hour")[["volume", "error_rate", "p95_ms"]]
    if not view.flow_anomalies:
        return None
    rows = [{"start": a["window_start"], "score": a["score"],
             "anomaly": "this incident" if a["in_incident"] else "other anomalies of the flow"}
            for a in view.flow_anomalies]
    return "anomalies", pd.DataFrame(rows)


def _draw_chart(chart: tuple[str, pd.DataFrame]) -> str:
    kind, df = chart
    if kind == "logs":
        for col, label in (("volume", "events / h"), ("error_rate", "error rate"), ("p95_ms", "p95 ms")):
            st.line_chart(df[[col]].rename(columns={col: label}), height=140)
        return "hour by hour from the logs"
    st.scatter_chart(df, x="start", y="score", color="anomaly", height=220)
    return "the flow's stored anomalies (start the console with --logs for the hourly figures)"


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
            st.caption(f"Chart: {_draw_chart(chart)}.")
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
    lifecycle_block(store, settings, reviewer, view)
    batch = len(view.proposals) > BATCH_FROM
    if view.cluster_ids and not batch:
        st.subheader("Duplicate clusters")
        for cid in view.cluster_ids:
            cluster_block(store, cid)
    st.subheader("Proposals")
    if not view.proposals:
        st.caption("No proposal for this incident.")
    if batch:
        batch_block(store, settings, reviewer, view)
    else:
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
        st.code(json.dumps(compact_params(p.params), indent=2, sort_keys=True, default=str), language="json")
        if p.action == "requeue_jobs":
            st.dataframe(pd.DataFrame(job_table(list(p.params.get("job_uuids") or []), _evidence(store, p))),
                         hide_index=True, width="stretch", key=f"jobs_{p.proposal_id}")
        st.markdown("Exact Odoo calls it would make")
        if p.invalid:
            st.error(p.invalid)
        else:
            st.code("\n".join(p.display_calls or p.odoo_calls), language=None, wrap_lines=True)
        st.caption(f"payload hash {p.payload_hash[:16]}…: an approval is bound to exactly this payload")
        _show_flash(p.proposal_id)
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
            if p.status == "approved" and b3.button("Execute…", key=f"execute_{p.proposal_id}", type="primary",
                                                    disabled=not can_execute):
                st.session_state[f"confirm_{p.proposal_id}"] = True
            if st.session_state.get(f"confirm_{p.proposal_id}") and p.status == "approved":
                confirm_block(store, settings, reviewer, p)
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
            _flash("success", f"Approved {pid} as {user}; valid until {a.expires_at:%Y-%m-%d %H:%M} UTC.", pid)
        else:
            approvals.reject(store, pid, user, reason, settings)
            _flash("info", f"Rejected {pid} as {user}: {reason}", pid)
    except approvals.ApprovalRefused as exc:
        _flash("error", f"Refused ({exc.code}): {exc.reason}", pid)
    st.rerun()


def run(store: Store, settings: Settings, reviewer: Reviewer, p: data.ProposalView) -> None:
    user = reviewer.user or ""
    pid = p.proposal_id
    st.session_state.pop(f"confirm_{pid}", None)
    try:
        with st.spinner(f"Executing {p.action} on Odoo…"):
            needs_odoo = bool(p.odoo_calls) and not p.odoo_calls[0].startswith("(no Odoo call")
            gateway = _gateway(settings) if needs_odoo else None
            try:
                result = approvals.execute(store, pid, user, gateway, settings=settings)
            finally:
                if gateway is not None:
                    gateway.close()
        kind = "success" if result.ok else "error"
        _flash(kind, f"{result.status}: {result.summary}" + (f" ({result.error})" if result.error else ""), pid)
    except approvals.ApprovalRefused as exc:
        _flash("error", f"Refused ({exc.code}): {exc.reason}", pid)
    except Exception as exc:  # the gateway could not reach Odoo: say so, the audit log has it
        _flash("error", f"Execution failed: {type(exc).__name__}: {exc}", pid)
    st.rerun()


def _preview(settings: Settings, p: data.ProposalView) -> dict:
    """What Odoo holds now for the proposal's records (read-only user) and what it will hold after."""
    from odoo_triage.agent.approvals import action_of
    from odoo_triage.agent.preview import diff, missing_targets, predict_after, read_targets

    row = approvals.get_proposal(_store(os.environ.get("TRIAGE_DATABASE_URL")), p.proposal_id)
    assert row is not None  # p was read from this store
    action = action_of(row)
    if not action.record_refs():
        return {"diff": [], "missing": [], "note": "nothing in Odoo changes"}
    if settings.odoo.read_key is None:
        return {"error": "no read-only Odoo key (TRIAGE_ODOO_READ_KEY): cannot show what Odoo holds now"}
    try:
        with _gateway(settings) as gw:
            before = read_targets(gw, action)
    except Exception as exc:  # Odoo unreachable or refusing: the confirmation says so
        return {"error": f"cannot read Odoo: {type(exc).__name__}: {exc}"}
    return {"diff": diff(before, predict_after(action, before)), "missing": missing_targets(action, before)}


def confirm_block(store: Store, settings: Settings, reviewer: Reviewer, p: data.ProposalView) -> None:
    """Execute asks first: the exact calls, and what Odoo holds now against what it will hold after."""
    with st.container(border=True):
        st.warning(f"Execute {p.action} on Odoo? This writes to Odoo once and cannot be run again.")
        st.markdown("Exact calls")
        st.code("\n".join(p.odoo_calls), language=None, wrap_lines=True)
        key = f"preview_{p.proposal_id}"
        if key not in st.session_state:
            st.session_state[key] = _preview(settings, p)
        pv = st.session_state[key]
        if pv.get("error"):
            st.error(pv["error"])
        elif pv.get("note"):
            st.caption(pv["note"])
        else:
            st.markdown("Odoo now → after (read with the read-only user)")
            if pv["diff"]:
                st.dataframe(pd.DataFrame(pv["diff"]), hide_index=True, width="stretch", key=f"diff_{p.proposal_id}")
            for ref in pv["missing"]:
                st.caption(f"{ref} is not in Odoo now")
        c1, c2, _ = st.columns([1, 1, 3])
        if c1.button("Confirm execute", key=f"confirm_execute_{p.proposal_id}", type="primary"):
            st.session_state.pop(key, None)
            run(store, settings, reviewer, p)
        if c2.button("Cancel", key=f"cancel_execute_{p.proposal_id}"):
            st.session_state.pop(f"confirm_{p.proposal_id}", None)
            st.session_state.pop(key, None)
            st.rerun()


def _evidence(store: Store, p: data.ProposalView) -> list[dict]:
    from odoo_triage.agent.store.tables import IncidentRow

    with store.session() as s:
        row = s.get(IncidentRow, p.incident_id)
        return list((row.data or {}).get("evidence", [])) if row is not None else []


def batch_block(store: Store, settings: Settings, reviewer: Reviewer, view: data.IncidentView) -> None:
    """Many proposals (a duplicates roll-up, an incident's notes): one table, approve by selection,
    then review any one of them with its field-by-field comparison."""
    frame = data.batch_frame(view)
    waiting = int((frame["status"] == "proposed").sum())
    st.caption(f"{len(frame)} proposals, {waiting} waiting. Each keeps its own payload hash and approval; tick "
               "the ones to approve, or review one below.")
    edited = st.data_editor(frame, hide_index=True, width="stretch", key=f"batch_{view.incident_id}",
                            disabled=["proposal", "action", "target", "status", "hash"],
                            column_config={"select": st.column_config.CheckboxColumn("approve?")})
    chosen = [r.proposal for r in edited.itertuples() if r.select and r.status == "proposed"]
    reason = st.text_input("Reason for the batch", key=f"batch_reason_{view.incident_id}")
    c1, c2, _ = st.columns([1, 1, 3])
    can_approve = reviewer.can(settings, Permission.approve)
    if c1.button(f"Approve selected ({len(chosen)})", key=f"batch_approve_{view.incident_id}", type="primary",
                 disabled=not can_approve or not chosen):
        _decide_many(store, settings, reviewer, chosen, reason, view.incident_id)
    if c2.button(f"Approve all waiting ({waiting})", key=f"batch_all_{view.incident_id}",
                 disabled=not can_approve or not waiting):
        _decide_many(store, settings, reviewer, list(frame.loc[frame["status"] == "proposed", "proposal"]), reason,
                     view.incident_id)
    _show_flash(f"batch_{view.incident_id}")
    labels = {r.proposal: f"{r.action} · {r.target} · {r.status}" for r in frame.itertuples()}
    pid = st.selectbox("Review one", list(labels), format_func=lambda k: str(labels.get(k)),
                       key=f"batch_one_{view.incident_id}")
    one = next((p for p in view.proposals if p.proposal_id == pid), None)
    if one is not None:
        for cid in [e for e in one.evidence_ids if e in set(view.cluster_ids)][:1]:
            cluster_block(store, cid)
        proposal_block(store, settings, reviewer, one)


def _decide_many(store: Store, settings: Settings, reviewer: Reviewer, pids: list[str], reason: str,
                 incident_id: str) -> None:
    user = reviewer.user or ""
    refused = []
    for pid in pids:
        try:
            approvals.approve(store, pid, user, reason, settings)
        except approvals.ApprovalRefused as exc:
            refused.append(f"{pid}: {exc.code}")
    ok = len(pids) - len(refused)
    _flash("success" if not refused else "warning", f"Approved {ok} of {len(pids)} as {user}."
           + (f" Refused: {'; '.join(refused[:5])}" if refused else ""), f"batch_{incident_id}")
    st.rerun()


LIFECYCLE_MOVES = {"acknowledge": "acknowledged", "snooze": "snoozed", "resolve": "resolved", "close": "closed",
                   "reopen": "reopened", "dismiss": "dismissed"}


def lifecycle_block(store: Store, settings: Settings, reviewer: Reviewer, view: data.IncidentView) -> None:
    """Acknowledge, snooze, resolve, close, reopen or dismiss the incident, with a reason (audited)."""
    from odoo_triage.agent.lifecycle import set_status
    from odoo_triage.core.clock import utcnow
    from odoo_triage.core.errors import InputError

    label = f"Status: {view.status}" + (f" ({view.status_reason}, by {view.status_by})" if view.status_reason else "")
    if view.snoozed_until:
        label += f", until {view.snoozed_until:%Y-%m-%d %H:%M} UTC"
    with st.expander(label):
        iid = view.incident_id
        c1, c2, c3 = st.columns([1, 3, 1])
        move = c1.selectbox("Action", list(LIFECYCLE_MOVES), key=f"move_{iid}")
        reason = c2.text_input("Reason", key=f"move_reason_{iid}")
        hours = c3.number_input("Snooze hours", min_value=1, value=24, key=f"move_hours_{iid}")
        if st.button("Apply", key=f"move_apply_{iid}", disabled=not reviewer.can(settings, Permission.comment)):
            until = utcnow() + timedelta(hours=int(hours)) if move == "snooze" else None
            try:
                set_status(store, iid, LIFECYCLE_MOVES[move], reviewer.user or "", reason, until=until,
                           settings=settings.lifecycle)
                _flash("success", f"Incident is now {LIFECYCLE_MOVES[move]}.", f"move_{iid}")
            except InputError as exc:
                _flash("error", str(exc), f"move_{iid}")
            st.rerun()
        _show_flash(f"move_{iid}")


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
    cid = st.selectbox("Cluster", list(labels), format_func=lambda k: str(labels.get(k)), key="cluster")
    st.caption("Fields the records disagree on are highlighted.")
    cluster_block(store, cid)
    if reviewer.user is not None and reviewer.can(settings, Permission.reject) and st.button(
            "Not a duplicate", key=f"nodup_{cid}", help="Never propose these records as one again"):
        n = data.mark_not_duplicate(store, cid, reviewer.user, settings.odoo.db)
        _flash("success", f"marked {n} pair(s) of {cid} as not a duplicate: the next `triage match` skips them")
        st.rerun()


def reconcile_block(store: Store, settings: Settings, reviewer: Reviewer) -> None:
    """Executions left `running` by an interrupted executor: read Odoo, then mark executed or failed."""
    running = data.running_executions(store)
    if not running:
        return
    with st.container(border=True):
        st.warning(f"{len(running)} execution(s) still running; an executor may have stopped after claiming them.")
        st.dataframe(pd.DataFrame(running), hide_index=True, width="stretch", key="running")
        if st.button("Reconcile with Odoo", key="reconcile", disabled=not reviewer.can(settings, Permission.execute)):
            from odoo_triage.agent.reconcile import reconcile

            try:
                with _gateway(settings) as gw:
                    done = reconcile(store, gw, reviewer.user or "", proposal_ids=[r["proposal_id"] for r in running])
                _flash("success", "; ".join(f"{d.proposal_id}: {d.status}" for d in done) or "nothing to do",
                       "reconcile")
            except Exception as exc:  # Odoo unreachable: nothing was marked
                _flash("error", f"Could not read Odoo: {type(exc).__name__}: {exc}", "reconcile")
            st.rerun()
        _show_flash("reconcile")


def audit_view(store: Store, settings: Settings | None = None, reviewer: Reviewer | None = None) -> None:
    st.header("Audit trail")
    if settings is not None and reviewer is not None:
        reconcile_block(store, settings, reviewer)
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
    queue = data.incident_queue(store, **filters, keep=st.session_state.get("incident"))
    scope = "open" if filters.get("open_only", True) and not filters.get("statuses") else "matching"
    st.caption(f"{len(queue)} {scope} incident(s), most severe first.")
    if queue.empty:
        st.info("No incident matches. Widen the filters, or run `triage detect` and `triage triage`.")
        return
    st.dataframe(queue.drop(columns=["window_start", "short_id"]), hide_index=True, width="stretch", key="queue",
                 column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=1)})
    labels = {r.incident_id: f"[{r.severity}] {r.title} · {r.short_id}" for r in queue.itertuples()}
    wanted = st.query_params.get("incident")  # a digest link: ?incident=<id>
    if wanted in labels and "incident" not in st.session_state:
        st.session_state["incident"] = wanted
    chosen = st.selectbox("Open incident", list(labels), format_func=lambda k: str(labels.get(k)), key="incident")
    if chosen:
        st.divider()
        incident_page(store, settings, reviewer, chosen)


def main() -> None:
    st.set_page_config(page_title="odoo-triage review", layout="wide")
    store = _store(os.environ.get("TRIAGE_DATABASE_URL"))
    settings = load_settings()
    reviewer = resolve_reviewer(settings, _headers(), st.session_state.get(SESSION_KEY))
    view, filters = sidebar(store, settings, reviewer)
    _show_flash()
    if view == "Incident queue":
        queue_view(store, settings, reviewer, filters)
    elif view == "Duplicate clusters":
        clusters_view(store, settings, reviewer)
    else:
        audit_view(store, settings, reviewer)


main()
