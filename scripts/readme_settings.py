"""Regenerate the README's table of TRIAGE_* variables from the settings object.

    python scripts/readme_settings.py          # rewrite README.md between the markers
    python scripts/readme_settings.py --check  # exit 1 if the README is out of date (tests run this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from odoo_triage.core.settings import environment_table

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"


def rendered(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{environment_table()}{END}{tail}"


def main() -> int:
    text = README.read_text()
    if START not in text or END not in text:
        print(f"README.md lacks the markers {START} ... {END}")
        return 1
    new = rendered(text)
    if "--check" in sys.argv:
        return 0 if new == text else 1
    README.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
