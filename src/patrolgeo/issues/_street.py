"""Hot streets: segments with many more reports than their length predicts.

Each segment's report count is tested against what the network's rate predicts for its
length (and, optionally, a relative exposure weight): under the null hypothesis the count
of segment ``i`` is negative binomial with mean ``mu_i = rate * exposure_i`` and variance
``mu_i + alpha * mu_i**2``; ``alpha = 0`` is the Poisson law of reports placed at random
along the streets, ``alpha > 0`` the extra variation of real streets (some are busier than
their length says, one incident draws several reports). The rate and ``alpha`` are
estimated from the data by maximum likelihood with every count *censored* at a high
quantile of its Poisson expectation, so that a hot street cannot inflate the dispersion
that is meant to describe ordinary streets (censoring keeps the likelihood exact when the
model holds, so the estimates stay consistent). The upper-tail probability
``P(X >= count)`` is the p-value; Benjamini–Hochberg controls the false discovery rate.

Validity and limits: the counts of different segments are taken as independent given the
rate (reports of one event on two segments, or a patrol that reports every block of a
street, break this); the null is "no different from the network's average street of this
length", not "no different from similar streets" (give an exposure weight for that); the
discrete tail probability makes the test conservative for small expected counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, sparse, stats

from patrolgeo.errors import InputRowError

#: False discovery rate of hot streets (and hot areas in the combined class).
DEFAULT_FDR = 0.05

#: Shortest exposure of a segment (metres): reports carry location errors of about 10 m
#: either way, so even a 5 m crossing piece collects the reports of some 20 m of street;
#: counting it as 20 m keeps two or three reports at a crossing from passing for a hot
#: street (and only makes the test more conservative for short pieces).
MIN_STREET_EXPOSURE_M = 20.0

#: Upper-tail probability of the Poisson expectation above which a count is censored in
#: the fit: one count in a thousand under the Poisson null, so the fit loses next to no
#: information, while a planted street (hundreds of reports) weighs no more than a count
#: just over the cap.
CENSOR_TAIL = 1e-3

#: Bounds of the dispersion alpha searched (1e-6 is Poisson to any useful precision; 100
#: is far beyond the dispersion of any report data, where the test can find nothing).
ALPHA_BOUNDS = (1e-6, 100.0)

#: Extra variance (``alpha * sum(mu**2)``) below this share of the mean, the sum of a
#: neighbourhood is taken as Poisson (the negative binomial's size would overflow).
POISSON_EXTRA_SHARE = 1e-6

#: The columns :func:`street_test` returns.
STREET_COLUMNS = ["street_expected", "street_ratio", "street_p", "street_q", "street_hot"]


def _nb(mu: np.ndarray, alpha: float):
    """The negative binomial of mean ``mu`` and dispersion ``alpha`` (scipy's form)."""
    size = 1.0 / alpha
    return stats.nbinom(size, size / (size + mu))


def _censored_nll(theta: np.ndarray, counts: np.ndarray, exposure: np.ndarray,
                  cap: np.ndarray) -> float:
    """Negative log-likelihood of the counts, censored at ``cap``, at ``theta``."""
    rate, alpha = np.exp(theta)
    mu = rate * exposure
    below = counts < cap
    ll = (_nb(mu[below], alpha).logpmf(counts[below]).sum()
          + _nb(mu[~below], alpha).logsf(cap[~below] - 1).sum())
    return float(-ll) if np.isfinite(ll) else 1e300


def fit_rate_dispersion(counts: np.ndarray, exposure: np.ndarray) -> tuple[float, float]:
    """Network rate (reports per unit exposure) and dispersion alpha, censored ML.

    Parameters
    ----------
    counts
        ``(n,)`` report counts per segment.
    exposure
        ``(n,)`` positive exposures (e.g. kilometres of street).

    Returns
    -------
    rate, alpha
        ``alpha`` is at least ``ALPHA_BOUNDS[0]`` (Poisson, in effect).
    """
    counts = np.asarray(counts, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    total = counts.sum()
    if total == 0:
        return 0.0, ALPHA_BOUNDS[0]
    rate0 = total / exposure.sum()
    cap = stats.poisson.isf(CENSOR_TAIL, rate0 * exposure) + 1
    start = np.log([rate0, 0.1])
    bounds = [(np.log(rate0) - 5, np.log(rate0) + 5), tuple(np.log(ALPHA_BOUNDS))]
    fit = optimize.minimize(_censored_nll, start, args=(counts, exposure, cap),
                            method="L-BFGS-B", bounds=bounds)
    rate, alpha = np.exp(fit.x)
    return float(rate), float(alpha)


def exposure_km(length_m: np.ndarray, exposure: np.ndarray | None = None) -> np.ndarray:
    """Exposure of each segment in km: its length (at least the minimum) times a weight.

    Raises
    ------
    InputRowError
        Weights that are not positive numbers, one per segment.
    """
    km = np.maximum(np.asarray(length_m, dtype=float), MIN_STREET_EXPOSURE_M) / 1000.0
    if exposure is None:
        return km
    weights = np.asarray(exposure, dtype=float)
    if weights.shape != km.shape or not (np.isfinite(weights) & (weights > 0)).all():
        raise InputRowError("exposure weights must be positive numbers, one per segment",
                            field="exposure")
    return km * weights / weights.mean()


def street_test(
    counts: np.ndarray,
    length_m: np.ndarray,
    *,
    exposure: np.ndarray | None = None,
    fdr: float = DEFAULT_FDR,
    dispersion: float | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Test every segment for more reports than its length predicts (hot streets).

    Parameters
    ----------
    counts
        ``(n,)`` reports per segment.
    length_m
        ``(n,)`` segment lengths in metres (at least :data:`MIN_STREET_EXPOSURE_M`).
    exposure
        Optional ``(n,)`` relative exposure weights (e.g. footfall), multiplying length;
        ``None`` for length alone.
    fdr
        Benjamini–Hochberg false discovery rate of the hot streets.
    dispersion
        A fixed alpha (``0`` for the Poisson test) instead of the estimate.

    Returns
    -------
    table, fit
        ``street_expected`` (reports the rate predicts), ``street_ratio`` (observed over
        expected), ``street_p`` (``P(X >= count)``), ``street_q`` (BH-adjusted) and
        ``street_hot``; and ``{"rate_per_km", "alpha", "km"}`` of the fit (``km`` the
        exposure of each segment).
    """
    if not 0 < fdr < 1:
        raise InputRowError(f"false discovery rate {fdr!r} must lie between 0 and 1",
                            field="fdr")
    counts = np.asarray(counts, dtype=float)
    km = exposure_km(length_m, exposure)
    rate, alpha = fit_rate_dispersion(counts, km)
    if dispersion is not None:
        alpha = max(float(dispersion), ALPHA_BOUNDS[0])
    mu = rate * km
    if rate > 0:
        p = np.where(counts > 0, _nb(mu, alpha).sf(counts - 1), 1.0)
    else:
        p = np.ones(len(counts))
    p = np.clip(p, 0.0, 1.0)
    q = stats.false_discovery_control(p, method="bh") if len(p) else p
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mu > 0, counts / mu, 0.0)
    table = pd.DataFrame({"street_expected": mu, "street_ratio": ratio, "street_p": p,
                          "street_q": q, "street_hot": q <= fdr})
    return table, {"rate_per_km": rate, "alpha": alpha, "km": km}


def star_matrix(adjacency: sparse.spmatrix) -> sparse.csr_matrix:
    """Binary adjacency plus the diagonal: each row sums the segment and its neighbours."""
    star = sparse.csr_matrix(adjacency, dtype=float, copy=True)
    star.setdiag(1.0)
    star.data[:] = 1.0
    return star


def area_test(
    counts: np.ndarray,
    km: np.ndarray,
    rate: float | np.ndarray,
    alpha: float,
    adjacency: sparse.spmatrix,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gi* of counts against the street model: z and both tails of each neighbourhood.

    The Getis-Ord sum over a segment and its neighbours ``S = sum(c_j)`` is compared with
    what the fitted model predicts for it: mean ``M = sum(mu_j)`` and variance
    ``V = sum(mu_j + alpha mu_j**2)`` with ``mu_j = rate * km_j``. ``z = (S - M) /
    sqrt(V)``; the tails come from the sum's law (Poisson when ``alpha`` is negligible,
    else the negative binomial with the same mean and variance). Unlike the classical
    randomisation z, the expectation follows each segment's length, so a district of
    very unequal segments (5 m crossings beside 3 km roads) gets valid p-values.

    Parameters
    ----------
    counts
        ``(n,)`` or ``(n, t)`` counts (columns: weeks, each with its own ``rate``).
    km
        ``(n,)`` exposure in kilometres (as in :func:`street_test`).
    rate
        Reports per km: a number, or ``(t,)`` per column.
    alpha
        Dispersion of the street model.
    adjacency
        ``(n, n)`` binary segment adjacency.

    Returns
    -------
    z, upper, lower
        Shaped like ``counts``; ``upper = P(S' >= S)``, ``lower = P(S' <= S)``. A
        segment without neighbours is no area: ``z = 0`` and both tails 1.
    """
    c = np.asarray(counts, dtype=float)
    flat = c.ndim == 1
    c = c.reshape(len(c), -1)
    mu = np.asarray(km, dtype=float)[:, None] * np.broadcast_to(
        np.asarray(rate, dtype=float), (c.shape[1],))[None, :]
    star = star_matrix(adjacency)
    observed, mean = star @ c, star @ mu
    extra = alpha * (star @ mu**2)
    var = mean + extra
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, (observed - mean) / np.sqrt(var), 0.0)
        poisson = extra <= POISSON_EXTRA_SHARE * mean
        size = np.where(poisson, 1.0, mean**2 / np.where(poisson, 1.0, extra))
        prob = np.where(poisson, 0.5, mean / np.where(var > 0, var, 1.0))
    upper = np.where(poisson, stats.poisson.sf(observed - 1, mean),
                     stats.nbinom.sf(observed - 1, size, prob))
    lower = np.where(poisson, stats.poisson.cdf(observed, mean),
                     stats.nbinom.cdf(observed, size, prob))
    upper = np.where(mean > 0, upper, 1.0)
    lower = np.where(mean > 0, lower, 1.0)
    island = np.diff(sparse.csr_matrix(adjacency).indptr) == 0
    z[island], upper[island], lower[island] = 0.0, 1.0, 1.0
    if flat:
        return z[:, 0], upper[:, 0], lower[:, 0]
    return z, upper, lower
