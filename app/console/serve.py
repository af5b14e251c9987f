"""`python -m odoo_triage.app.console.serve run main.py ...`: `streamlit run`, with the console's heavy
imports done before the server listens, so the first reviewer to open the page does not wait for
pandas, matplotlib, SQLAlchemy and the approval rules to load (the script runs in this process)."""

from __future__ import annotations

import sys


def preload() -> None:
    """Import what the console's first run imports; the script then finds them in sys.modules."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401

    import odoo_triage.agent.approvals  # noqa: F401
    import odoo_triage.agent.lifecycle  # noqa: F401
    import odoo_triage.agent.preview  # noqa: F401
    import odoo_triage.app.console.data  # noqa: F401
    import odoo_triage.app.console.identity  # noqa: F401


def main() -> None:
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
