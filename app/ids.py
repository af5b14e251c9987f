"""Short ids, as git shows commits: the shortest prefix unique in the store, accepted by every command.

Ids are `<kind>-<16 hex>` (core.domain.stable_id). A list shows `prop-d5a5e1f` instead of cutting
`prop-d5a5e…`; `show-proposal d5a5e1f`, `approve prop-d5a5`, or the full id all find the same row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from odoo_triage.agent.store import Store
from odoo_triage.agent.store.database import redact_url
from odoo_triage.agent.store.tables import IncidentRow, ProposalRow
from odoo_triage.core.errors import InputError

MIN_HEX = 7  # like git: short enough to type, long enough to rarely need more

_KINDS: dict[str, tuple[Any, str, str]] = {
    "proposal": (ProposalRow, "proposal_id", "prop-"),
    "incident": (IncidentRow, "incident_id", "inc-"),
}


def short_ids(ids: Iterable[str], among: Iterable[str] | None = None, min_hex: int = MIN_HEX) -> dict[str, str]:
    """id -> its shortest prefix (at least `min_hex` characters after the kind) that no other id in
    `among` (default: `ids`) starts with. Never cut below uniqueness."""
    ids = list(dict.fromkeys(ids))
    pool = sorted(set(among) | set(ids)) if among is not None else sorted(set(ids))
    out: dict[str, str] = {}
    for full in ids:
        head = full.index("-") + 1 if "-" in full else 0
        n = min(head + min_hex, len(full))
        while n < len(full):
            prefix = full[:n]
            if not any(other != full and other.startswith(prefix) for other in pool):
                break
            n += 1
        out[full] = full[:n]
    return out


def all_ids(store: Store, kind: str) -> list[str]:
    table, column, _ = _KINDS[kind]
    with store.session() as s:
        return list(s.scalars(select(getattr(table, column))))


def short_map(store: Store, kind: str, ids: Iterable[str]) -> dict[str, str]:
    """Short ids for `ids`, unique among every id of that kind in the store."""
    return short_ids(ids, all_ids(store, kind))


def resolve_id(store: Store, kind: str, given: str) -> str:
    """The full id for a full id, a unique prefix, or a prefix without its `prop-`/`inc-` kind.
    InputError naming the store when nothing or more than one row matches."""
    table, column, kind_prefix = _KINDS[kind]
    col = getattr(table, column)
    given = (given or "").strip()
    if not given:
        raise InputError(f"give a {kind} id")
    candidates = [given] if given.startswith(kind_prefix) else [given, kind_prefix + given]
    with store.session() as s:
        if s.get(table, given) is not None:
            return given
        found: list[str] = []
        for c in candidates:
            found.extend(s.scalars(select(col).where(col.startswith(c, autoescape=True)).limit(11)))
    found = sorted(set(found))
    if len(found) == 1:
        return found[0]
    where = redact_url(store.url)
    if not found:
        raise InputError(f"no {kind} {given!r} in the store {where}")
    shown = ", ".join(found[:10]) + (" ..." if len(found) > 10 else "")
    raise InputError(f"{kind} id {given!r} is ambiguous in {where}: {shown}; give more characters")
