"""What every log-reading command says about its inputs, and where its field mapping comes from.

One place for: `--mapping` or a `mapping.json` beside the inputs (`resolve_mapping`), and the lines
that describe each file read: format, encoding, lines = parsed + set aside + blank, the mapping that
was inferred with its confidence (or that it was given), and the top set-aside reasons
(`describe_files`). detect, triage, digest, eval and batch all print these same lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from odoo_triage.detectors.readers.mapping import FieldMapping, load_mapping_file

LOW_CONFIDENCE = 0.6
MAPPING_FILE = "mapping.json"


def find_mapping_file(inputs: Iterable[Path]) -> Path | None:
    """A mapping.json next to the inputs, one level up, or in a labels/ folder there."""
    for p in dict.fromkeys(Path(i) for i in inputs):
        folder = p if p.is_dir() else p.parent
        for candidate in (folder / MAPPING_FILE, folder.parent / MAPPING_FILE, folder / "labels" / MAPPING_FILE,
                          folder.parent / "labels" / MAPPING_FILE):
            if candidate.is_file():
                return candidate
    return None


def resolve_mapping(option: Path | None, inputs: Iterable[Path]) -> tuple[FieldMapping | None, Path | None]:
    """The mapping given with --mapping, else a mapping.json beside the inputs, else none (inferred)."""
    path = option if option is not None else find_mapping_file(inputs)
    return (load_mapping_file(path), path) if path is not None else (None, None)


def _get(st: Any, key: str, default: Any = None) -> Any:
    return st.get(key, default) if isinstance(st, Mapping) else getattr(st, key, default)


def mapping_line(mapping: Mapping[str, str], confidence: float | None, given: Path | str | None = None) -> str:
    """`mapping inferred (confidence 0.83): timestamp<-@timestamp, ...` or `mapping given (...)`."""
    pairs = ", ".join(f"{k}<-{v}" for k, v in mapping.items())
    if given is not None:
        return f"mapping given ({given}): {pairs}"
    line = f"mapping inferred (confidence {confidence or 0.0:.2f}): {pairs}"
    if (confidence or 0.0) < LOW_CONFIDENCE:
        line += "\n  low confidence: check it, or pass --mapping"
    return line


def describe_files(stats: Mapping[str, Any], given: Path | str | None = None,
                   unattributed: Mapping[str, int] | None = None, reasons: int = 3) -> list[str]:
    """One entry per file (FileStats or its as_dict()), then the Odoo loggers no flow claims."""
    out = []
    for name, st in stats.items():
        line = (f"{name}: {_get(st, 'format')}, {_get(st, 'encoding', 'utf-8')}; {_get(st, 'lines', 0):,} lines = "
                f"{_get(st, 'parsed_lines', 0):,} parsed + {_get(st, 'set_aside_lines', 0):,} set aside + "
                f"{_get(st, 'blank', 0):,} blank; {_get(st, 'events', 0):,} events")
        skipped = (_get(st, "skipped_reasons") if isinstance(st, Mapping)
                   else dict(st.skip_reasons.most_common(reasons)))
        if skipped:
            line += "; skipped: " + ", ".join(f"{n:,} {why}" for why, n in list(skipped.items())[:reasons])
        mapping = _get(st, "mapping") or {}
        if mapping:
            line += "\n  " + mapping_line(mapping, _get(st, "mapping_confidence"), given)
        top = _get(st, "set_aside_reasons") if isinstance(st, Mapping) else dict(st.top_reasons(reasons))
        if top:
            line += "\n  set aside: " + "; ".join(f"{r} ×{n:,}" for r, n in list(top.items())[:reasons])
        out.append(line)
    for logger, n in sorted((unattributed or {}).items(), key=lambda kv: -kv[1])[:10]:
        out.append(f"logger {logger}: {n:,} line(s); add it to a flow's \"loggers\" in flows.json")
    return out


def given_line(mapping: FieldMapping, path: Path | str) -> str:
    return mapping_line(mapping.sources(), None, path)
