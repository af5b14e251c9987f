"""Flow attribution as data: which logger, queue channel, endpoint or model belongs to which flow.

`flows.json` entries may list `aliases`, `loggers` (prefixes), `channels`, `endpoints` and `models`
(core/domain.py `FlowInfo`). Without a catalog the readers keep their conventions (the flow field,
a channel's last component, an addon's name), and say which Odoo loggers they turned into flows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from odoo_triage.core.domain import FlowInfo
from odoo_triage.core.settings import ReaderSettings


class FlowCatalog:
    def __init__(self, flows: Iterable[FlowInfo] = (), settings: ReaderSettings | None = None) -> None:
        self.flows = list(flows)
        cfg = settings or ReaderSettings()
        self.names: dict[str, str] = {}
        self.loggers: list[tuple[str, str]] = []
        self.channels: dict[str, str] = {}
        self.endpoints: list[tuple[str, str]] = []
        self.models: dict[str, str] = {}
        for f in self.flows:
            self.names[f.name.lower()] = f.name
            for a in f.aliases:
                self.names[a.lower()] = f.name
            self.loggers += [(lg, f.name) for lg in f.loggers]
            self.channels.update({c: f.name for c in f.channels})
            self.endpoints += [(e, f.name) for e in f.endpoints]
            self.models.update({m: f.name for m in f.models})
        self.loggers.sort(key=lambda x: -len(x[0]))  # the longest prefix wins
        self.ignored = tuple(cfg.ignored_loggers)

    def __bool__(self) -> bool:
        return bool(self.flows)

    def by_name(self, name: str) -> str:
        """A flow value from a log, as the catalog names it (unchanged when unknown)."""
        return self.names.get(name.lower(), name) if self.names else name

    def by_channel(self, channel: str, model: str = "") -> str:
        if channel in self.channels:
            return self.channels[channel]
        parts = channel.split(".")
        for i in range(len(parts) - 1, 0, -1):  # root.a.b is attributed where root.a is
            if ".".join(parts[:i]) in self.channels and ".".join(parts[:i]) != "root":
                return self.channels[".".join(parts[:i])]
        if model and model in self.models:
            return self.models[model]
        last = parts[-1] or channel
        return self.by_name(last)

    def by_file_name(self, stem: str) -> tuple[str, str] | None:
        """(flow, name or alias) when a file's name holds one flow's name or alias as whole words, `-_./`
        alike (`cloudwatch_aws-lambda-nfse-emissor-sp` holds `/aws/lambda/nfse-emissor-sp`): the longest
        wins; two flows' names of that length in one file name are no attribution."""
        text = f"-{_words(stem)}-"
        best: tuple[str, str, int] | None = None
        tie = False
        for name, flow in self.names.items():
            w = _words(name)
            if not w or f"-{w}-" not in text:
                continue
            if best is None or len(w) > best[2]:
                best, tie = (flow, name, len(w)), False
            elif len(w) == best[2] and flow != best[0]:
                tie = True
        return None if best is None or tie else (best[0], best[1])

    def by_endpoint(self, path: str) -> str | None:
        for prefix, name in self.endpoints:
            if path.startswith(prefix):
                return name
        return None

    def by_logger(self, logger: str) -> tuple[str | None, bool]:
        """(flow, attributed): attributed is False when the flow is only a naming-convention guess."""
        for prefix, name in self.loggers:
            if logger == prefix or logger.startswith(prefix + "."):
                return name, True
        if not logger.startswith("odoo.addons.") or logger.startswith(self.ignored):
            return None, True  # framework noise: skipped, not reported
        addon = logger.split(".", 3)[2]
        if addon.lower() in self.names:
            return self.names[addon.lower()], True
        if self:
            return None, False  # a catalog exists and does not claim it: reported, not a flow
        return addon, False  # no catalog: the addon's name, reported as a guess


_SEPARATORS = re.compile(r"[-_./\s]+")


def _words(text: str) -> str:
    return _SEPARATORS.sub("-", text.lower()).strip("-")


def file_flow(stem: str, catalog: FlowCatalog | None) -> tuple[str, str]:
    """The flow of a file whose lines name none: a flows.json name or alias its name holds, else its stem;
    with how it was found (printed with the mapping)."""
    got = catalog.by_file_name(stem) if catalog else None
    if got is not None:
        return got[0], f"flows.json name/alias {got[1]!r} in the file name"
    return stem, "the file name"
