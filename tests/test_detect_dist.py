"""detectors/checks/dist.py gives exactly scipy.stats' values (the checks' p-values must not move)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy import stats

from odoo_triage.detectors.checks import dist

KS = [-np.inf, -3, -1, -0.5, 0, 0.5, 1, 2, 3.7, 5, 9, 10, 11, 40, 1e6, np.inf, np.nan]


def same(a, b) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)) and np.shape(a) == np.shape(b)


def test_binom_sf():
    for k, n, p in itertools.product(KS, [0, 1, 3, 10, 57, 2.5, -1, np.nan], [0, 1e-4, 0.02, 0.5, 1, 1.5, -0.1]):
        assert same(dist.binom_sf(k, n, p), stats.binom.sf(k, n, p)), (k, n, p)
    count, n = np.array([0, 1, 3, 7, 0, 12]), np.array([0, 5, 3, 100, 10, 12])
    assert same(dist.binom_sf(count - 1, n, 0.03), stats.binom.sf(count - 1, n, 0.03))


def test_poisson_and_nbinom():
    for k, mu in itertools.product(KS, [0, 1e-3, 0.7, 4, 55.5, 1e4, -1, np.inf, np.nan]):
        assert same(dist.poisson_cdf(k, mu), stats.poisson.cdf(k, mu)), (k, mu)
    for mu in [0, 1e-3, 0.7, 4, 55.5, 1e4, -1, np.nan]:
        assert same(dist.poisson_pmf0(mu), stats.poisson.pmf(0, mu)), mu
    for r, mu in itertools.product([0.3, 1, 7.5, 200, 0, -1], [0.5, 3, 40, 1e3]):
        p = r / (r + mu) if r + mu else 0.5
        assert same(dist.nbinom_pmf0(r, p), stats.nbinom.pmf(0, r, p)), (r, p)
        for k in KS:
            assert same(dist.nbinom_cdf(k, r, p), stats.nbinom.cdf(k, r, p)), (k, r, p)
    for p in [0, 1, 1.2, np.nan]:
        assert same(dist.nbinom_cdf(3, 2.0, p), stats.nbinom.cdf(3, 2.0, p))
