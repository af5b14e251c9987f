"""`triage demo`: build the labeled demo world and run every stage on it, in pipeline order.

Each stage lives with its own command module as `demo_stage(ctx) -> str`; the string is the
one-line summary a newcomer reads at the end.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from odoo_triage.agent.store import Store

STAGE_MODULES = [
    "odoo_triage.app.commands.detect",
    "odoo_triage.app.commands.match",
    "odoo_triage.app.commands.triage",
    "odoo_triage.app.commands.approvals",
    "odoo_triage.app.commands.digest",
    "odoo_triage.app.commands.evaluate",
]


@dataclass
class DemoContext:
    world_dir: Path
    store: Store
    console: Console
    results: dict[str, Any] = field(default_factory=dict)  # what a stage hands to later ones


def stages() -> list[tuple[str, Any]]:
    found = []
    for name in STAGE_MODULES:
        mod = importlib.import_module(name)
        fn = getattr(mod, "demo_stage", None)
        if fn is not None:
            found.append((name.rsplit(".", 1)[-1], fn))
    return found
