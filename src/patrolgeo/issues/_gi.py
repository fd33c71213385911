"""Getis-Ord Gi* on the segment adjacency graph: hot and cold areas, FDR-controlled.

Hot areas: Gi* (esda) over the segment adjacency graph (segments sharing an end node,
:func:`patrolgeo.segments.adjacency_matrix`; libpysal weights built from the sparse
matrix). By default the value tested is each segment's issue rate per km, smoothed by
global empirical Bayes (esda.smoothing), so that short segments with one report do not
pass for clusters and long segments are not hot merely for being long.

P-values: by default the analytic normal p-value of the Gi* z-score (Getis and Ord's
moments under randomisation), optionally a *total* permutation (every segment's value,
the focal one included, drawn at random). Not the *conditional* permutation of local
Moran's I, which keeps the focal value fixed: Gi*'s numerator contains the focal value
itself, so conditioning on it tests only whether the neighbours are unusual given the
focal segment, and a street with many reports and quiet neighbours is never extreme
(z-scores of 10–12 came with conditional p-values of 0.05–0.07). The classes hot/cold at
99, 95 and 90 % confidence apply the Benjamini–Hochberg false-discovery-rate control at
each level.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse, stats

from patrolgeo.errors import InputRowError
from patrolgeo.issues._street import area_test
from patrolgeo.segments import adjacency_matrix

#: Confidence levels of the hot/cold classes, strictest first: (bin, FDR level).
LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))

#: Gi* class codes by signed bin (words: ``patrolgeo.labels`` table ``gi_class``).
GI_CLASSES = {3: "hot_99", 2: "hot_95", 1: "hot_90", 0: "not_significant", -1: "cold_90",
              -2: "cold_95", -3: "cold_99"}

VALUES = ("rate", "count")

#: Gi* permutations (``gi_pvalue="permutation"``): the smallest two-sided p-value is
#: 2 / (n + 1), small enough for the 99 % class to survive FDR control on a district of
#: thousands of segments.
DEFAULT_PERMUTATIONS = 99_999

#: How Gi* p-values are found: against the street model (the default), or the classical
#: randomisation z with an analytic normal p-value, or a total permutation.
GI_PVALUES = ("model", "normal", "permutation")

#: Permutation schemes: total (valid for Gi*) and conditional (local Moran's scheme, kept
#: to show why it fails for Gi*).
SCHEMES = ("total", "conditional")

#: Shortest exposure of a segment in the rate (metres): a zero-length piece must not
#: divide by zero.
MIN_EXPOSURE_M = 1.0

#: Permutation draws made at once (bounds the memory of one draw matrix).
DRAW_CHUNK = 50_000

#: Relative tolerance of the comparison of neighbour sums, so float rounding makes no
#: false ties.
SUM_TOLERANCE = 1e-9

#: Fewest segments Gi* is computed on (fewer: every z is 0 and every p is 1).
MIN_SEGMENTS = 3


def adjacency_weights(segments: gpd.GeoDataFrame, matrix: sparse.spmatrix | None = None):
    """Return libpysal weights (``W``) of the segment adjacency, ids = ``segment_id``."""
    from libpysal.weights import WSP

    matrix = adjacency_matrix(segments) if matrix is None else matrix
    ids = segments["segment_id"].astype(str).tolist()
    return WSP(sparse.csr_matrix(matrix), id_order=ids).to_W(silence_warnings=True)


# --------------------------------------------------------------------------- values


def segment_values(counts: np.ndarray, length_m: np.ndarray, value: str = "rate") -> np.ndarray:
    """Return the value tested by Gi*: raw counts, or the empirical-Bayes rate per km.

    The rate is Marshall's global empirical-Bayes estimate (``esda.smoothing.
    Empirical_Bayes``): each segment's issues per km shrunk toward the network's rate,
    the more the shorter the segment, so a 5 m crossing with one report is not taken
    for a hot street and a long quiet road is not cold for being long.

    Parameters
    ----------
    counts
        ``(n,)`` or ``(n, t)`` issue counts (columns are treated separately).
    length_m
        ``(n,)`` segment lengths in metres (the exposure of the rate).
    value
        ``"rate"`` or ``"count"``.
    """
    if value not in VALUES:
        raise InputRowError(f"unknown value {value!r}; use {', '.join(VALUES)}", field="value")
    counts = np.asarray(counts, dtype=float)
    if value == "count":
        return counts
    from esda.smoothing import Empirical_Bayes

    lengths = np.maximum(np.asarray(length_m, dtype=float), MIN_EXPOSURE_M)
    exposure = (lengths / 1000.0).reshape(-1, 1)
    columns = counts.reshape(len(counts), -1)
    out = np.zeros_like(columns)
    for j in range(columns.shape[1]):
        if columns[:, j].sum() > 0:
            with np.errstate(divide="ignore", invalid="ignore"):
                rate = Empirical_Bayes(columns[:, [j]], exposure).r
            out[:, j] = np.nan_to_num(np.asarray(rate, dtype=float).ravel())
    return out.reshape(counts.shape)


# --------------------------------------------------------------------------- Gi*


def _levels_bin(z: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """FDR-adjusted p (Benjamini–Hochberg) and the signed class bin of each site."""
    q = stats.false_discovery_control(np.clip(p, 0, 1), method="bh") if len(p) else p
    level = np.zeros(len(p), dtype=int)
    for bin_, alpha in reversed(LEVELS):  # loosest first, stricter levels overwrite
        level[q <= alpha] = bin_
    return q, (np.sign(z) * level).astype(int)


def permutation_pvalues(
    values: np.ndarray,
    adjacency: sparse.spmatrix,
    *,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    chunk: int = DRAW_CHUNK,
    scheme: str = "total",
) -> tuple[np.ndarray, np.ndarray]:
    """Upper- and lower-tail randomisation p-values of Gi*.

    Gi* of segment ``i`` is the sum of ``y`` over the segment and its ``k`` neighbours
    over a constant, so it suffices to compare that sum with sums of random draws.

    - ``scheme="total"`` (valid for Gi*): the ``k + 1`` values of the neighbourhood,
      the focal one included, are drawn at random without replacement from all
      segments; the p-value is the share of draws whose sum is at least the observed.
    - ``scheme="conditional"`` (local Moran's scheme): the segment keeps its own value
      and only its ``k`` neighbours are drawn (compared with the observed sum of the
      neighbours). For Gi* this tests whether the neighbours are unusual *given* the
      focal value, so a segment with many reports among quiet neighbours is not extreme;
      kept to show that (and checked against ``esda.crand``).

    The draws are made once per neighbourhood size and sorted, and every segment of
    that size is compared with the same sorted sample (esda's engine likewise shares
    its permutations between segments); a hundred thousand permutations cost about a
    second. The pool is every segment's value.

    Returns
    -------
    upper, lower
        ``(count(sim >= obs) + 1) / (permutations + 1)`` and the same with ``<=``:
        ties count as at least as extreme in both tails.
    """
    if scheme not in SCHEMES:
        raise InputRowError(f"unknown permutation scheme {scheme!r}; use "
                            f"{', '.join(SCHEMES)}", field="scheme")
    y = np.asarray(values, dtype=float)
    n = len(y)
    adjacency = sparse.csr_matrix(adjacency, copy=True)
    adjacency.setdiag(0)
    adjacency.eliminate_zeros()
    k = np.diff(adjacency.indptr)
    observed = np.asarray(adjacency @ y).ravel()
    drawn = k.copy()
    if scheme == "total":
        observed = observed + y
        drawn = k + 1
    upper = np.ones(n)
    lower = np.ones(n)
    rng = np.random.default_rng(seed)
    # sums are compared with a relative tolerance so float rounding makes no false ties
    tol = SUM_TOLERANCE * max(float(np.abs(y).max()) * max(int(drawn.max(initial=0)), 1), 1.0)
    for size in np.unique(drawn):
        sites = np.flatnonzero(drawn == size)
        if k[sites[0]] == 0:
            continue  # an island has no neighbours to test: p = 1
        sums = _draw_sums(y, int(min(size, n)), permutations, rng, chunk)
        obs = observed[sites]
        at_least = permutations - np.searchsorted(sums, obs - tol, side="left")
        at_most = np.searchsorted(sums, obs + tol, side="right")
        upper[sites] = (at_least + 1) / (permutations + 1)
        lower[sites] = (at_most + 1) / (permutations + 1)
    return upper, lower


def _draw_sums(y: np.ndarray, size: int, permutations: int, rng: np.random.Generator,
               chunk: int) -> np.ndarray:
    """Sorted sums of ``size`` values of ``y`` drawn without replacement, many times."""
    n = len(y)
    sums = np.empty(0)
    while len(sums) < permutations:
        draw = rng.integers(0, n, size=(min(chunk, permutations - len(sums)), size))
        if size > 1:
            ordered = np.sort(draw, axis=1)
            draw = draw[(ordered[:, 1:] != ordered[:, :-1]).all(axis=1)]
        sums = np.concatenate([sums, y[draw].sum(axis=1)])
    sums.sort()
    return sums


def gi_star(
    values: np.ndarray,
    adjacency: sparse.spmatrix,
    *,
    pvalue: str = "normal",
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """Local Getis-Ord Gi* with valid p-values and FDR-controlled classes.

    The statistic and its analytic z-score come from ``esda.G_Local`` (binary weights
    of the segment adjacency as a libpysal ``W``, the segment itself included). The
    two-sided p-value is ``2 * P(Z > |z|)`` for ``pvalue="normal"`` (the moments of
    Gi* under randomisation are exact; the normal shape is an approximation that is
    good when neighbourhoods are not tiny and the values not very skewed), or twice the
    smaller tail of a total permutation (:func:`permutation_pvalues`, exact up to Monte
    Carlo error under exchangeability, resolution ``2 / (permutations + 1)``); ties
    count as extreme in both tails, so a segment with no issues on it or around it gets
    ``p = 1``. Classes: Benjamini–Hochberg at 1, 5 and 10 %.

    Parameters
    ----------
    values
        ``(n,)`` values per segment (see :func:`segment_values`).
    adjacency
        ``(n, n)`` binary segment adjacency without self-loops
        (:func:`patrolgeo.segments.adjacency_matrix`).
    pvalue
        ``"normal"`` or ``"permutation"`` (total permutation).
    permutations
        Random draws per neighbourhood size (``pvalue="permutation"``).
    seed
        Seed of the draws.

    Returns
    -------
    pandas.DataFrame
        ``gi_z`` (analytic z-score), ``gi_p`` (two-sided), ``gi_q`` (Benjamini–Hochberg
        adjusted), ``gi_bin`` (−3…3) and ``gi_class``.
    """
    import esda
    from libpysal.weights import WSP

    if pvalue not in GI_PVALUES[1:]:
        raise InputRowError(f"unknown Gi* p-value {pvalue!r}; use normal or permutation "
                            "(the model p-value: model_gi_star)", field="gi_pvalue")
    if permutations < 1:
        raise InputRowError("permutations must be at least 1", field="permutations")
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n < MIN_SEGMENTS or np.ptp(y) == 0:
        z, p = np.zeros(n), np.ones(n)
    else:
        shifted = y - y.min() + 1.0  # Gi* needs positive values; its z is shift-invariant
        weights = WSP(sparse.csr_matrix(adjacency)).to_W(silence_warnings=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # esda's notices about its future defaults
            local = esda.G_Local(shifted, weights, transform="B", star=True, permutations=0)
        z = np.nan_to_num(np.asarray(local.Zs, dtype=float))
        if pvalue == "normal":
            p = 2.0 * stats.norm.sf(np.abs(z))
            p[np.diff(sparse.csr_matrix(adjacency).indptr) == 0] = 1.0  # islands
        else:
            upper, lower = permutation_pvalues(shifted, adjacency, permutations=permutations,
                                               seed=seed)
            p = np.minimum(1.0, 2.0 * np.minimum(upper, lower))
    q, bins = _levels_bin(z, p)
    return pd.DataFrame({"gi_z": z, "gi_p": p, "gi_q": q, "gi_bin": bins,
                         "gi_class": [GI_CLASSES[b] for b in bins]})


def model_gi_star(counts: np.ndarray, km: np.ndarray, rate: float, alpha: float,
                  adjacency: sparse.spmatrix) -> pd.DataFrame:
    """Gi* of the counts against the street model, with FDR-controlled classes.

    The z-score and both tails of each neighbourhood's count (:func:`area_test`); the
    two-sided p-value is twice the smaller tail; classes as in :func:`gi_star`. Valid
    under the model of the street test (independent counts, negative binomial with mean
    proportional to exposure), whatever the spread of segment lengths; Benjamini–Hochberg
    stays valid for these overlapping sums because sums of independent counts over
    overlapping neighbourhoods are positively dependent (PRDS).

    Returns
    -------
    pandas.DataFrame
        ``gi_z``, ``gi_p``, ``gi_q``, ``gi_bin`` and ``gi_class``.
    """
    n = len(counts)
    if n < MIN_SEGMENTS or rate <= 0:
        z, p = np.zeros(n), np.ones(n)
    else:
        z, upper, lower = area_test(counts, km, rate, alpha, adjacency)
        p = np.minimum(1.0, 2.0 * np.minimum(upper, lower))
    q, bins = _levels_bin(z, p)
    return pd.DataFrame({"gi_z": z, "gi_p": p, "gi_q": q, "gi_bin": bins,
                         "gi_class": [GI_CLASSES[b] for b in bins]})


def gi_star_z(adjacency: sparse.spmatrix, values: np.ndarray) -> np.ndarray:
    """Analytic Gi* z-scores of many value columns at once (binary weights plus self).

    The same formula as ``esda.G_Local(..., star=True, transform="B").Zs`` (Getis and
    Ord 1992; Ord and Getis 1995), as one sparse product for an ``(n, t)`` matrix.
    """
    y = np.asarray(values, dtype=float)
    y = y.reshape(len(y), -1)
    n = y.shape[0]
    star = sparse.csr_matrix(adjacency) + sparse.identity(n, format="csr")
    star.data[:] = 1.0
    k = np.asarray(star.sum(axis=1)).ravel()[:, None]
    mean = y.mean(axis=0, keepdims=True)
    sd = y.std(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (star @ y - k * mean) / (sd * np.sqrt(k * (n - k) / (n - 1)))
    return np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)


