"""`python -m odoo_triage.app.console.serve run main.py ...`: `streamlit run`, with the console's heavy
imports done before the server listens, so the first reviewer to open the page does not wait for
pandas, Altair, SQLAlchemy and the approval rules to load (the script runs in this process)."""

from __future__ import annotations

import sys


def preload() -> None:
    """Import what the console's first run imports; the script then finds them in sys.modules."""
    import altair  # noqa: F401  (st.line_chart / st.scatter_chart)
    import pandas  # noqa: F401

    import odoo_triage.agent.approvals  # noqa: F401
    import odoo_triage.agent.lifecycle  # noqa: F401
    import odoo_triage.agent.preview  # noqa: F401
    import odoo_triage.app.console.identity  # noqa: F401
    from odoo_triage.agent.store import open_store
    from odoo_triage.app.console import data

    try:  # the queue's queries once on an empty in-memory store: SQLAlchemy builds its loaders now
        store = open_store("sqlite://")
        data.incident_queue(store)
        data.running_executions(store)
        store.dispose()
    except Exception:  # a warm-up only: the console still starts
        pass


def main() -> None:
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
