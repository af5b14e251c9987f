#!/usr/bin/env bash
# The README's test command: install the project with its dev extras, lint, check the layers and the types,
# run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[dev]"
python -m ruff check .
lint-imports --no-cache                 # the layer contract (pyproject.toml [tool.importlinter])
python -m mypy -p odoo_triage           # the types (pyproject.toml [tool.mypy])
python -m pytest -n 2 "$@"
