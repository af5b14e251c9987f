"""The binomial, Poisson and negative-binomial tails the checks need, without importing scipy.stats.

`scipy.stats` costs ~0.7 CPU-s to import (every `triage detect` paid it at start-up); its `binom.sf`,
`poisson.cdf`/`pmf` and `nbinom.cdf`/`pmf` are argument checks around `scipy.special` functions.
These are the same checks around the same functions (scipy 1.17's `rv_discrete.sf/cdf/pmf`), so the
values are identical: a test compares them with scipy.stats on a grid with every edge case.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special._ufuncs as scu  # the ufuncs scipy.stats' discrete distributions call

Arr = Any  # a float or an array of them, as scipy.stats takes and returns


def _args(*xs: Any) -> list[np.ndarray]:
    return list(np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in xs)))


def _done(out: np.ndarray) -> Any:
    return out[()] if out.ndim == 0 else out


def _cdf(k: Any, valid: np.ndarray, fn: Any, *shape: np.ndarray) -> Any:
    """rv_discrete.cdf with support [0, inf)."""
    out = np.zeros(k.shape)
    out[k >= np.inf] = 1.0
    out[~valid | np.isnan(k)] = np.nan
    good = valid & (k >= 0) & np.isfinite(k)
    if good.any():
        out[good] = np.clip(fn(np.floor(k[good]), *(s[good] for s in shape)), 0, 1)
    return _done(out)


def binom_sf(k: Arr, n: Arr, p: Arr) -> Any:
    """scipy.stats.binom.sf(k, n, p)."""
    k, n, p = _args(k, n, p)
    valid = (n >= 0) & (n == np.round(n)) & (p >= 0) & (p <= 1)
    out = np.zeros(k.shape)
    out[~valid | np.isnan(k)] = np.nan
    out[(k < 0) & valid] = 1.0
    good = valid & (k >= 0) & (k < n) & np.isfinite(k)
    if good.any():
        out[good] = np.clip(scu._binom_sf(np.floor(k[good]), n[good], p[good]), 0, 1)
    return _done(out)


def poisson_cdf(k: Arr, mu: Arr) -> Any:
    """scipy.stats.poisson.cdf(k, mu)."""
    k, mu = _args(k, mu)
    return _cdf(k, mu >= 0, scu.pdtr, mu)


def nbinom_cdf(k: Arr, n: Arr, p: Arr) -> Any:
    """scipy.stats.nbinom.cdf(k, n, p)."""
    k, n, p = _args(k, n, p)
    return _cdf(k, (n > 0) & (p > 0) & (p <= 1), scu._nbinom_cdf, n, p)


def poisson_pmf0(mu: Arr) -> Any:
    """scipy.stats.poisson.pmf(0, mu): exp(xlogy(0, mu) - gammaln(1) - mu)."""
    (m,) = _args(mu)
    out = np.full(m.shape, np.nan)
    good = m >= 0
    if good.any():
        out[good] = np.clip(np.exp(scu.xlogy(0.0, m[good]) - scu.gammaln(1.0) - m[good]), 0, 1)
    return _done(out)


def nbinom_pmf0(n: Arr, p: Arr) -> Any:
    """scipy.stats.nbinom.pmf(0, n, p)."""
    n, p = _args(n, p)
    out = np.full(n.shape, np.nan)
    good = (n > 0) & (p > 0) & (p <= 1)
    if good.any():
        out[good] = np.clip(scu._nbinom_pmf(0.0, n[good], p[good]), 0, 1)
    return _done(out)
