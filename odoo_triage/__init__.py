"""odoo-triage: AI-assisted exception triage for the integrations around Odoo.

One import name. The card's folders live at the repository's top level and are linked in here, so
`odoo_triage.detectors` is `detectors/`. Layers, bottom up: core; detectors | matchers; agent; evals; app.
sim (the demo world and the Odoo stand-in) and prompts stand on core only. docs/architecture.md has the rules.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("odoo-triage")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
