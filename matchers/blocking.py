"""Blocking: only records that share at least one cheap key are ever compared.

Each key is an integer code per record (or several per record for name tokens); records with the
same code form a block and every pair inside a block is a candidate. Blocks larger than the cap
are not paired in full: their members are sorted by name and each is paired with its next
`window` neighbours, so a popular key costs O(n * window) instead of O(n^2).
Everything is numpy on integer codes; no Python object per pair.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_BLOCK = 20
WINDOW = 3


def codes_of(values: list[str] | np.ndarray) -> np.ndarray:
    """Integer code per value, -1 for an empty value."""
    arr = np.asarray(values, dtype=object)
    codes, _uniques = pd.factorize(arr)
    codes = codes.astype(np.int64)
    codes[arr == ""] = -1
    return codes


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting: faster than numpy 2's hash-based unique on large int64 arrays."""
    if len(values) == 0:
        return values
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]]


def _encode(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    lo = np.minimum(left, right)
    hi = np.maximum(left, right)
    keep = lo != hi
    return lo[keep].astype(np.int64) * n + hi[keep].astype(np.int64)


def block_pairs(
    members: np.ndarray,
    codes: np.ndarray,
    n: int,
    *,
    order_key: np.ndarray,
    max_block: int = MAX_BLOCK,
    window: int = WINDOW,
) -> np.ndarray:
    """Encoded pairs (low * n + high) of records sharing a code.

    `members[k]` is the record index holding `codes[k]` (a record may appear under several codes).
    `order_key[record]` is the sort rank used for the sorted neighbourhood inside oversized blocks.
    """
    valid = codes >= 0
    members, codes = members[valid], codes[valid]
    if len(codes) < 2:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((order_key[members], codes))
    members, codes = members[order], codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[starts, len(codes)])
    out: list[np.ndarray] = []
    for size in np.unique(sizes):
        if size < 2:
            continue
        sel = starts[sizes == size]
        if size <= max_block:
            grid = members[sel[:, None] + np.arange(size)]
            iu, ju = np.triu_indices(size, 1)
            out.append(_encode(grid[:, iu].ravel(), grid[:, ju].ravel(), n))
        else:
            for start in sel:  # oversized: sorted neighbourhood, members are sorted by order_key
                block = members[start : start + size]
                for step in range(1, window + 1):
                    out.append(_encode(block[:-step], block[step:], n))
    if not out:
        return np.empty(0, dtype=np.int64)
    return unique_sorted(np.concatenate(out))


def single_key_pairs(values: list[str], n: int, order_key: np.ndarray, **kw: int) -> np.ndarray:
    return block_pairs(np.arange(n), codes_of(values), n, order_key=order_key, **kw)


def token_key_pairs(
    token_lists: list[list[str]], n: int, order_key: np.ndarray, *, max_df: int = MAX_BLOCK, **kw: int
) -> np.ndarray:
    """Pairs sharing a rare token: tokens held by more than `max_df` records are no key at all."""
    lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=n)
    members = np.repeat(np.arange(n), lengths)
    flat = [tok for toks in token_lists for tok in toks]
    if not flat:
        return np.empty(0, dtype=np.int64)
    codes = codes_of(flat)
    counts = np.bincount(codes[codes >= 0])
    rare = np.where(codes >= 0, counts[np.maximum(codes, 0)] <= max_df, False)
    codes = np.where(rare, codes, -1)
    return block_pairs(members, codes, n, order_key=order_key, **kw)


def decode(pairs: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    return pairs // n, pairs % n
