"""Evaluation reports: one Markdown table a reviewer can paste, and HTML with the plots embedded."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import Any

from odoo_triage.evals.runs import Change


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{float(x):.3f}"


def summary_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline figures as (name, value) rows, in reading order."""
    det = figures.get("detection", {})
    ov = det.get("overall", {})
    files = figures.get("files", {})
    rows = []
    if files:
        tot = {k: sum(int(f.get(k, 0)) for f in files.values()) for k in ("lines", "parsed_lines", "set_aside_lines",
                                                                          "blank", "events")}
        rows.append(("lines read = parsed + set aside + blank",
                     f"{tot['lines']:,} = {tot['parsed_lines']:,} + {tot['set_aside_lines']:,} + {tot['blank']:,}"))
    rows += [
        ("detection precision", _pct(ov.get("precision"))),
        ("detection recall", _pct(ov.get("recall"))),
        ("detection F1", _pct(ov.get("f1"))),
        ("incidents found / labeled", f"{ov.get('found', 0)} / {ov.get('labeled', 0)}"),
        ("false alarms per flow-day", _pct(det.get("false_alarms_per_flow_day"))),
        ("max false alarms in one flow-day", str(det.get("max_false_alarms_one_flow_day", "n/a"))),
        ("time to detect, median (min)", _pct(det.get("time_to_detect_median_min"))),
    ]
    for model, s in figures.get("duplicates", {}).items():
        if "error" in s:  # its records file could not be read: no figure, the reason
            rows.append((f"{model} matching", f"not run: {s['error']}"))
            continue
        rows += [(f"{model} pair precision", _pct(s.get("precision"))),
                 (f"{model} pair recall", _pct(s.get("recall"))),
                 (f"{model} pair F1", _pct(s.get("f1"))),
                 (f"{model} labeled pairs out of scope (archived)", str(s.get("labeled_pairs_out_of_scope", "n/a")))]
    tri = figures.get("triage", {})
    rows += [("cause accuracy", _pct(tri.get("cause_accuracy"))),
             ("remediation-action accuracy", _pct(tri.get("action_accuracy"))),
             ("labeled affected records the proposals cover", _pct(tri.get("affected_records_covered"))),
             ("merge proposals on true duplicates", _pct(tri.get("merge_proposals_correct"))),
             ("archive proposals on true duplicates", _pct(tri.get("archive_proposals_correct")))]
    g = figures.get("grounding", {})
    rows += [("ungrounded ids caught", str(g.get("ungrounded_caught", "n/a"))),
             ("ungrounded ids passed on", str(g.get("ungrounded_passed_on", "n/a")))]
    llm = figures.get("llm", {})
    rows += [("LLM provider", str(llm.get("provider", "n/a"))),
             ("LLM answered by the model / fell back to offline",
              f"{llm.get('answered_by_model', 'n/a')} / {llm.get('fell_back', 'n/a')}"
              + (f" ({', '.join(f'{k} {v}' for k, v in llm['fallback_reasons'].items())})"
                 if llm.get("fallback_reasons") else "")),
             ("LLM tokens per incident", str(llm.get("tokens_per_incident", "n/a"))),
             ("LLM cost per incident (USD)", str(llm.get("cost_usd_per_incident", "n/a"))),
             ("LLM latency per incident (s)", str(llm.get("latency_s_per_incident", "n/a")))]
    if figures.get("events_per_second"):
        rows.append(("detection events per second", f"{figures['events_per_second']:,}"))
    for stage, m in figures.get("stages", {}).items():
        rows.append((f"stage {stage}", f"{m['seconds']:.2f} s, peak RSS {m['peak_rss_mb']:.0f} MB"))
    return rows


def per_kind_rows(figures: dict[str, Any]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for kind, s in figures.get("detection", {}).get("per_kind", {}).items():
        out.append((kind, str(s["labeled"]), str(s["found"]), _pct(s["precision"]), _pct(s["recall"]), _pct(s["f1"])))
    return out


def incident_rows(figures: dict[str, Any]) -> list[tuple[str, ...]]:
    """Per labeled incident: labeled cause/action against the matched incident's, and records covered."""
    out: list[tuple[str, ...]] = []
    for r in figures.get("triage", {}).get("incidents", []):
        def mark(ok: bool, found: bool = bool(r["found"])) -> str:
            return "" if ok or not found else " ✗"
        cover = f"{r['records_covered']} / {r['records_labeled']}" if r["records_labeled"] else "-"
        out.append((r["id"], r["flow"], "yes" if r["found"] else "no", r["cause"],
                    (r["predicted_cause"] or "-") + mark(r["cause_ok"]), r["expected_action"],
                    (", ".join(r["actions"]) or "-") + mark(r["action_ok"]), cover))
    return out


def _md_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def merged_rows(runs: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    """The headline rows of every split side by side, by figure name ("-" where a split has none)."""
    per = {n: dict(summary_rows(f)) for n, f in runs.items()}
    labels: list[str] = []
    for n in runs:
        labels += [lab for lab, _v in summary_rows(runs[n]) if lab not in labels]
    return [(lab, *[per[n].get(lab, "-") for n in runs]) for lab in labels]


def file_rows(figures: dict[str, Any]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, f in figures.get("files", {}).items():
        conf = f.get("mapping_confidence")
        out.append((name, str(f.get("format", "")), str(f.get("encoding", "")), f"{f.get('lines', 0):,}",
                    f"{f.get('parsed_lines', 0):,}", f"{f.get('set_aside_lines', 0):,}", f"{f.get('blank', 0):,}",
                    f"{f.get('events', 0):,}", "-" if conf is None else f"{conf:.2f}", reasons_cell(f)))
    return out


def reasons_cell(f: dict[str, Any], n: int = 3) -> str:
    """The top set-aside reasons of one file, `reason ×count`, most frequent first."""
    reasons = f.get("set_aside_reasons") or {}
    return "; ".join(f"{r.replace('|', '/')} ×{c:,}" for r, c in list(reasons.items())[:n]) or "-"


def markdown(runs: dict[str, dict[str, Any]]) -> str:
    """One column per split (the demo world, each estate, the held-out estate) in the headline table,
    then per split: detection per kind, lines per file, and the distractors that must not alarm."""
    names = list(runs)
    parts = ["# odoo-triage evaluation", "", _md_table(("figure", *names), merged_rows(runs))]
    for n in names:
        parts += ["", f"## Detection per incident kind: {n}", "",
                  _md_table(("kind", "labeled", "found", "precision", "recall", "F1"), per_kind_rows(runs[n]))]
        if rows_ := incident_rows(runs[n]):
            parts += ["", f"## Triage per labeled incident: {n}", "",
                      _md_table(("incident", "flow", "found", "cause", "predicted cause", "expected action",
                                 "proposed actions", "records covered / labeled"), rows_)]
        if runs[n].get("files"):
            parts += ["", f"## Lines per file: {n}", "",
                      _md_table(("file", "format", "encoding", "lines", "parsed", "set aside", "blank", "events",
                                 "mapping confidence", "top set-aside reasons"), file_rows(runs[n]))]
        if runs[n].get("not_incidents"):
            rows = [(d["id"], d["kind"], d["flow"], str(d["false_alarms"]), ", ".join(d["alarm_kinds"]) or "-")
                    for d in runs[n]["not_incidents"]]
            parts += ["", f"## Not incidents (false alarms inside each distractor's window): {n}", "",
                      _md_table(("id", "distractor", "flow", "false alarms", "kinds"), rows)]
        if runs[n].get("unattributed_loggers"):
            logger_rows = [(k, str(v)) for k, v in runs[n]["unattributed_loggers"].items()]
            parts += ["", f"## Odoo loggers without a flow: {n}", "", _md_table(("logger", "lines"), logger_rows)]
    return "\n".join(parts) + "\n"


def compare_markdown(run_a: str, run_b: str, changes: list[Change],
                     settings: Sequence[tuple[str, Any, Any]] = ()) -> str:
    rows = [(c.figure, _fmt(c.before), _fmt(c.after), _fmt(c.delta), "REGRESSION" if c.regression else "")
            for c in changes]
    head = f"# {run_a} -> {run_b}\n\n{sum(c.regression for c in changes)} regression(s)\n\n"
    text = head + _md_table(("figure", run_a, run_b, "change", ""), rows) + "\n"
    if settings:
        text += "\n## Settings that differ\n\n" + _md_table(
            ("setting", run_a, run_b), [(k, str(a), str(b)) for k, a, b in settings]) + "\n"
    return text


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


def _plot_png(runs: dict[str, dict[str, Any]]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    width = 0.8 / max(len(runs), 1)
    for i, (name, figs) in enumerate(runs.items()):
        kinds = list(figs.get("detection", {}).get("per_kind", {}))
        recalls = [figs["detection"]["per_kind"][k]["recall"] for k in kinds]
        axes[0].bar([x + i * width for x in range(len(kinds))], recalls, width, label=name)
        axes[0].set_xticks(range(len(kinds)), kinds, rotation=35, ha="right", fontsize=7)
        stages = figs.get("stages", {})
        axes[1].bar([x + i * width for x in range(len(stages))], [m["seconds"] for m in stages.values()], width,
                    label=name)
        axes[1].set_xticks(range(len(stages)), list(stages), rotation=20, fontsize=8)
    axes[0].set_title("recall per incident kind")
    axes[0].set_ylim(0, 1.05)
    axes[1].set_title("wall time per stage (s)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return buf.getvalue()


def html_report(runs: dict[str, dict[str, Any]]) -> str:
    names = list(runs)
    body = ["<h1>odoo-triage evaluation</h1>", "<table border=1 cellpadding=4><tr><th>figure</th>"
            + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"]
    for label, *values in merged_rows(runs):
        cells = "".join(f"<td>{html.escape(v)}</td>" for v in values)
        body.append(f"<tr><td>{html.escape(label)}</td>{cells}</tr>")
    body.append("</table>")
    header = ("incident", "flow", "found", "cause", "predicted cause", "expected action", "proposed actions",
              "records covered / labeled")
    for n in names:
        if rows := incident_rows(runs[n]):
            body.append(f"<h2>Triage per labeled incident: {html.escape(n)}</h2><table border=1 cellpadding=4><tr>"
                        + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
            body += ["<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows]
            body.append("</table>")
    png = base64.b64encode(_plot_png(runs)).decode()
    body.append(f'<p><img alt="per-kind recall and stage times" src="data:image/png;base64,{png}"></p>')
    return "<!doctype html><html><head><meta charset='utf-8'><title>odoo-triage eval</title></head><body>" + \
        "\n".join(body) + "</body></html>\n"
