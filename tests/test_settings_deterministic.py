"""The settings are the same in every process: a saved state keys what readers learned on a fingerprint of
them, so a set-ordered default (string hashing differs per process) would make every incremental run re-infer."""

from __future__ import annotations

import os
import subprocess
import sys

DUMP = "from odoo_triage.core.settings import load_settings; print(load_settings().model_dump_json())"


def test_settings_dump_does_not_depend_on_the_hash_seed(tmp_path):
    outs = set()
    for seed in ("1", "2", "3"):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "XDG_"))}
        env |= {"PYTHONHASHSEED": seed, "HOME": str(tmp_path)}
        outs.add(subprocess.run([sys.executable, "-c", DUMP], env=env, capture_output=True, text=True,
                                check=True).stdout)
    assert len(outs) == 1
