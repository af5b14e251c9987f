"""Labeled estates the demo generator did not make: one folder per estate, each with its own generator.

An estate's `generate.py` (stdlib only, no code shared with sim/world or with another estate)
writes logs/, labels/incidents.jsonl, labels/not_incidents.jsonl (distractors that must not alarm),
flows.json and manifest.json. `manifest.json` says `"heldout": true` for the estate no reader or
detector was tuned on. Estates are built at eval time into the cache, keyed by their generator's hash,
so git holds only a few kB of code per estate.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
from pathlib import Path

from platformdirs import user_cache_dir

HERE = Path(__file__).parent
ESTATES = ("harbor", "meridian", "alder", "birch", "cedar", "dogwood", "elm", "fir", "ginkgo")
HELDOUT = "ginkgo"  # designed blind (#13, fifth wave): scored once as it came; no rule written or tuned with it yet


def estate_folder(name: str, root: Path | None = None) -> Path:
    """Build (once) and return the folder of a named estate."""
    if name not in ESTATES:
        raise ValueError(f"unknown estate {name!r}; known: {', '.join(ESTATES)}")
    source = HERE / name / "generate.py"
    digest = hashlib.sha1(source.read_bytes()).hexdigest()[:10]
    base = root or Path(user_cache_dir("odoo-triage", appauthor=False)) / "estates"
    folder = base / f"{name}-{digest}"
    if not (folder / "manifest.json").exists():
        module = importlib.import_module(f"odoo_triage.evals.estates.{name}.generate")
        tmp = folder.with_name(f"{folder.name}.{os.getpid()}.part")
        shutil.rmtree(tmp, ignore_errors=True)
        module.build(tmp)
        try:
            tmp.rename(folder)
        except OSError:  # built meanwhile by another process
            shutil.rmtree(tmp, ignore_errors=True)
    return folder
