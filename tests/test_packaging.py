"""The wheel installs one import name, `odoo_triage`, and works beside a distribution that owns `app`.

Built and installed as a user would (pip wheel, a fresh venv), then `triage demo` runs from an
unrelated folder, so neither the checkout nor the editable install can stand in for the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd: str | Path, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "TRIAGE_DATABASE_URL", "TRIAGE_CONFIG"}}
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{cmd}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def _colliding_wheel(tmp: Path) -> Path:
    """A distribution owning a top-level `app` package, like PyPI's `app`."""
    src = tmp / "collider"
    (src / "app").mkdir(parents=True)
    (src / "app" / "__init__.py").write_text('WHO = "collider"\n')
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "app-collider"\nversion = "1.0"\n[tool.setuptools]\npackages = ["app"]\n')
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", src)
    return next((tmp / "dist").glob("app_collider-*.whl"))


def _source_copy(tmp: Path) -> Path:
    """The checkout's tracked files, links kept: setuptools builds in place, and must not litter the checkout."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        src, dst = ROOT / name, tmp / "src" / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            dst.symlink_to(os.readlink(src))
        elif src.is_file():
            shutil.copy2(src, dst)
    return tmp / "src"


def test_wheel_has_one_import_name_and_runs_the_demo_beside_a_colliding_app(tmp_path):
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", tmp_path / "dist",
         _source_copy(tmp_path))
    wheel = next((tmp_path / "dist").glob("odoo_triage-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"odoo_triage", wheel.name.split("-")[0] + "-" +
                                                 wheel.name.split("-")[1] + ".dist-info"}
    for data in ("odoo_triage/prompts/triage_report/v1.md", "odoo_triage/matchers/models/project.joblib",
                 "odoo_triage/agent/store/migrations/env.py"):
        assert data in names

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv)  # dependencies from here
    py = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps", wheel, _colliding_wheel(tmp_path))

    where = tmp_path / "elsewhere"
    where.mkdir()
    probe = "import app, odoo_triage.app.cli as cli; print(app.WHO); print(cli.__file__)"
    who, cli_file = _run(py, "-c", probe, cwd=where).split()
    assert who == "collider"
    assert cli_file.startswith(str(venv))  # the wheel's copy, not the checkout
    out = _run(venv / "bin" / "triage", "demo", "--out", where / "demo", cwd=where)
    assert "odoo-triage demo" in out and (where / "demo" / "digest.html").exists()
