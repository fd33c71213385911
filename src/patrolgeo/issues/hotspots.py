"""Aggregation, hotspots (Getis-Ord Gi*), emerging trends and issue load per segment.

Hotspots: Gi* (esda) over the segment adjacency graph (segments sharing an end node,
libpysal weights built from a sparse matrix). By default the value tested is each
segment's issue rate per km, smoothed by global empirical Bayes (esda.smoothing), so that
short segments with one report do not pass for clusters and long segments are not hot
merely for being long. P-values come from conditional permutations (two-sided), and the
classes hot/cold at 99, 95 and 90 %
confidence apply the Benjamini–Hochberg false-discovery-rate control at each level.

Emerging trends follow the rules of space-time "emerging hot spot analysis": Gi* per
week, a Mann–Kendall test on each segment's weekly Gi* z-scores, and the patterns new,
consecutive, intensifying, persistent, diminishing, sporadic, oscillating and historical
(and their cold counterparts).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse, stats

from patrolgeo.errors import InputRowError
from patrolgeo.i18n import tr

#: Confidence levels of the hot/cold classes, strictest first: (bin, FDR level).
LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))

GI_CLASSES = {3: "hot_99", 2: "hot_95", 1: "hot_90", 0: "not_significant", -1: "cold_90",
              -2: "cold_95", -3: "cold_99"}

TRENDS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic",
          "oscillating", "historical")

VALUES = ("rate", "count")

DEFAULT_PERMUTATIONS = 99_999


def gi_class_label(gi_class: str) -> str:
    """User-facing label of a Gi* class."""
    labels = {
        "hot_99": ("热点 99%", "Hot spot 99%"), "hot_95": ("热点 95%", "Hot spot 95%"),
        "hot_90": ("热点 90%", "Hot spot 90%"), "cold_99": ("冷点 99%", "Cold spot 99%"),
        "cold_95": ("冷点 95%", "Cold spot 95%"), "cold_90": ("冷点 90%", "Cold spot 90%"),
        "not_significant": ("不显著", "Not significant"),
    }
    zh, en = labels.get(gi_class, (gi_class, gi_class))
    return tr(zh, en)


def trend_label(trend: str) -> str:
    """User-facing label of an emerging-trend pattern (``cold_`` prefix for cold spots)."""
    names = {
        "new": ("新增", "New"), "consecutive": ("连续", "Consecutive"),
        "intensifying": ("加剧", "Intensifying"), "persistent": ("持续", "Persistent"),
        "diminishing": ("减弱", "Diminishing"), "sporadic": ("零星", "Sporadic"),
        "oscillating": ("振荡", "Oscillating"), "historical": ("历史", "Historical"),
    }
    if trend == "none" or not trend:
        return tr("无明显模式", "No pattern")
    cold = trend.startswith("cold_")
    zh, en = names.get(trend.removeprefix("cold_"), (trend, trend))
    return tr(f"{zh}{'冷点' if cold else '热点'}", f"{en} {'cold' if cold else 'hot'} spot")


# --------------------------------------------------------------------------- adjacency


def segment_adjacency(segments: gpd.GeoDataFrame) -> sparse.csr_matrix:
    """Binary adjacency of segments sharing an end node (``u`` or ``v``), zero diagonal.

    Built with a join on node ids, so it costs O(segments + pairs), no loop in Python.
    Row ``i`` is the segment at position ``i`` of ``segments``.
    """
    n = len(segments)
    idx = np.arange(n)
    ends = pd.DataFrame({
        "node": np.concatenate([segments["u"].to_numpy(), segments["v"].to_numpy()]),
        "seg": np.concatenate([idx, idx]),
    }).drop_duplicates()
    pairs = ends.merge(ends, on="node")
    pairs = pairs[pairs["seg_x"] != pairs["seg_y"]]
    matrix = sparse.coo_matrix(
        (np.ones(len(pairs)), (pairs["seg_x"].to_numpy(), pairs["seg_y"].to_numpy())),
        shape=(n, n)).tocsr()
    matrix.data[:] = 1.0  # two segments joined at both ends are still one neighbour
    return matrix


def adjacency_weights(segments: gpd.GeoDataFrame, matrix: sparse.spmatrix | None = None):
    """Return libpysal weights (``W``) of the segment adjacency, ids = ``segment_id``."""
    from libpysal.weights import WSP

    matrix = segment_adjacency(segments) if matrix is None else matrix
    ids = segments["segment_id"].astype(str).tolist()
    return WSP(sparse.csr_matrix(matrix), id_order=ids).to_W(silence_warnings=True)


# --------------------------------------------------------------------------- values


def segment_values(counts: np.ndarray, length_m: np.ndarray, value: str = "rate") -> np.ndarray:
    """The value tested by Gi*: raw counts, or the empirical-Bayes rate per km.

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

    exposure = (np.maximum(np.asarray(length_m, dtype=float), 1.0) / 1000.0).reshape(-1, 1)
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
    chunk: int = 50_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Upper- and lower-tail conditional-randomisation p-values of Gi*.

    Under conditional randomisation a segment keeps its own value and its ``k``
    neighbours take ``k`` values drawn at random, without replacement, from the
    segments; Gi* is then ``y_i`` plus their sum over a constant, so it suffices to
    compare the observed sum of neighbour values with the sums of random draws. The draws
    are made once per neighbourhood size ``k`` and sorted, and every segment with ``k``
    neighbours is compared with the same sorted sample (esda's engine likewise shares
    its permutations between segments, but computes each segment's sums anew); this
    makes a hundred thousand permutations cost about a second. The pool is every
    segment's value (including the segment's own, an O(1/n) difference from esda's
    pool of the others, checked in the tests against ``esda.crand``).

    Returns
    -------
    upper, lower
        ``(count(sim >= obs) + 1) / (permutations + 1)`` and the same with ``<=``:
        ties count as at least as extreme in both tails.
    """
    y = np.asarray(values, dtype=float)
    n = len(y)
    adjacency = sparse.csr_matrix(adjacency)
    adjacency.setdiag(0)
    adjacency.eliminate_zeros()
    k = np.diff(adjacency.indptr)
    observed = np.asarray(adjacency @ y).ravel()
    upper = np.ones(n)
    lower = np.ones(n)
    rng = np.random.default_rng(seed)
    # sums are compared with a relative tolerance so float rounding makes no false ties
    tol = 1e-9 * max(float(np.abs(y).max()) * max(int(k.max(initial=0)), 1), 1.0)
    for size in np.unique(k):
        sites = np.flatnonzero(k == size)
        if size == 0:
            continue  # an island has no neighbours to test: p = 1
        size = int(min(size, n))
        sums = np.empty(0)
        while len(sums) < permutations:
            draw = rng.integers(0, n, size=(min(chunk, permutations - len(sums)), size))
            if size > 1:
                ordered = np.sort(draw, axis=1)
                draw = draw[(ordered[:, 1:] != ordered[:, :-1]).all(axis=1)]
            sums = np.concatenate([sums, y[draw].sum(axis=1)])
        sums.sort()
        obs = observed[sites]
        at_least = permutations - np.searchsorted(sums, obs - tol, side="left")
        at_most = np.searchsorted(sums, obs + tol, side="right")
        upper[sites] = (at_least + 1) / (permutations + 1)
        lower[sites] = (at_most + 1) / (permutations + 1)
    return upper, lower


def gi_star(
    values: np.ndarray,
    adjacency: sparse.spmatrix,
    *,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """Local Getis-Ord Gi* with permutation p-values and FDR-controlled classes.

    The statistic and its analytic z-score come from ``esda.G_Local`` (binary weights
    of the segment adjacency as a libpysal ``W``, the segment itself included). The
    p-value is two-sided from conditional randomisation (:func:`permutation_pvalues`):
    twice the smaller of the two one-tailed p-values, each counting ties as extreme.
    (esda's ``p_sim`` folds the two tails so that a segment tied with every permutation
    — no issues on it or around it — gets the smallest p-value; counting ties in both
    tails gives it ``p = 1``.) Classes: Benjamini–Hochberg at 1, 5 and 10 %.

    Parameters
    ----------
    values
        ``(n,)`` values per segment (see :func:`segment_values`).
    adjacency
        ``(n, n)`` binary segment adjacency without self-loops (:func:`segment_adjacency`).
    permutations
        Random draws per neighbourhood size; the smallest two-sided p-value is
        ``2 / (permutations + 1)``, which bounds the classes FDR can reach.
    seed
        Seed of the draws.

    Returns
    -------
    pandas.DataFrame
        ``gi_z`` (analytic z-score), ``gi_p`` (two-sided permutation p), ``gi_q``
        (Benjamini–Hochberg adjusted), ``gi_bin`` (−3…3) and ``gi_class``.
    """
    import esda
    from libpysal.weights import WSP

    if permutations < 1:
        raise InputRowError("permutations must be at least 1", field="permutations")
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n < 3 or np.ptp(y) == 0:
        z, p = np.zeros(n), np.ones(n)
    else:
        shifted = y - y.min() + 1.0  # Gi* needs positive values; its z is shift-invariant
        weights = WSP(sparse.csr_matrix(adjacency)).to_W(silence_warnings=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # esda's notices about its future defaults
            local = esda.G_Local(shifted, weights, transform="B", star=True, permutations=0)
        z = np.nan_to_num(np.asarray(local.Zs, dtype=float))
        upper, lower = permutation_pvalues(shifted, adjacency, permutations=permutations,
                                           seed=seed)
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


# --------------------------------------------------------------------------- Mann-Kendall


def mann_kendall(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mann–Kendall trend test of every row of an ``(n, t)`` matrix, vectorised.

    The statistic S, its variance with the correction for ties, the continuity-corrected
    normal z, and the two-sided p-value, as in Hipel and McLeod (1994) and pymannkendall's
    ``original_test``.

    Returns
    -------
    tau, z, p
        Kendall's tau (S over the number of pairs), z-score and p-value per row; a row
        of constants gives ``tau = z = 0`` and ``p = 1``.
    """
    x = np.asarray(series, dtype=float)
    n_rows, t = x.shape
    if t < 2:
        return np.zeros(n_rows), np.zeros(n_rows), np.ones(n_rows)
    s = np.zeros(n_rows)
    for lag in range(1, t):
        s += np.sign(x[:, lag:] - x[:, :-lag]).sum(axis=1)
    # ties: lengths of runs of equal values in each sorted row
    ordered = np.sort(x, axis=1)
    starts = np.ones((n_rows, t + 1), dtype=bool)
    starts[:, 1:t] = ordered[:, 1:] != ordered[:, :-1]
    rows, cols = np.nonzero(starts)
    same_row = rows[1:] == rows[:-1]
    run = np.diff(cols)[same_row].astype(float)
    tie_term = np.bincount(rows[:-1][same_row], weights=run * (run - 1) * (2 * run + 5),
                           minlength=n_rows)
    var = (t * (t - 1) * (2 * t + 5) - tie_term) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var), np.where(s < 0, (s + 1) / np.sqrt(var), 0))
    z = np.nan_to_num(z)
    p = 2 * stats.norm.sf(np.abs(z))
    tau = s / (t * (t - 1) / 2)
    return tau, z, p


# --------------------------------------------------------------------------- trends


def classify_trends(hot: np.ndarray, cold: np.ndarray, tau: np.ndarray, p: np.ndarray,
                    *, alpha: float = 0.10) -> np.ndarray:
    """Emerging hot/cold spot pattern of each segment from its weekly significance.

    ``hot``/``cold`` are ``(n, t)`` booleans (significant hot/cold in each week, the
    last column the latest week); ``tau``/``p`` the Mann–Kendall trend of the weekly
    z-scores. Patterns (Esri's definitions, 90 % of weeks as "almost always"):

    - new: hot in the latest week only;
    - consecutive: an unbroken run of at least two hot weeks up to the latest, none
      before it, under 90 % of weeks;
    - intensifying / persistent / diminishing: hot in at least 90 % of weeks including
      the latest, with a significant rising / no / a significant falling trend;
    - sporadic: hot in the latest week, on and off before, never cold;
    - oscillating: hot in the latest week, cold in some earlier week;
    - historical: not hot in the latest week but hot in at least 90 % of weeks.

    Cold patterns mirror these with a ``cold_`` prefix; everything else is ``none``.
    """
    out = np.full(len(hot), "none", dtype=object)
    t = hot.shape[1] if hot.ndim == 2 else 0
    if t == 0:
        return out
    rising = (p <= alpha) & (tau > 0)
    falling = (p <= alpha) & (tau < 0)
    for prefix, this, other, up, down in (("cold_", cold, hot, falling, rising),
                                          ("", hot, cold, rising, falling)):
        count = this.sum(axis=1)
        last = this[:, -1]
        almost_always = count >= 0.9 * t
        # length of the run of significant weeks that ends at the latest week
        not_this = ~this[:, ::-1]
        run = np.where(not_this.any(axis=1), not_this.argmax(axis=1), t)
        pattern = np.full(len(hot), "", dtype=object)
        pattern[last & ~almost_always & other[:, :-1].any(axis=1)] = "oscillating"
        pattern[last & ~almost_always & ~other[:, :-1].any(axis=1)] = "sporadic"
        pattern[last & ~almost_always & (run >= 2) & (run == count)] = "consecutive"
        pattern[last & (count == 1)] = "new"
        pattern[last & almost_always] = "persistent"
        pattern[last & almost_always & up] = "intensifying"
        pattern[last & almost_always & down] = "diminishing"
        pattern[~last & almost_always] = "historical"
        # hot patterns are written last, so a segment hot now wins over an old cold one
        chosen = pattern != ""
        out[chosen] = np.char.add(prefix, pattern[chosen].astype(str)).astype(object)
    return out


def weekly_counts(snapped: pd.DataFrame, segments: gpd.GeoDataFrame,
                  weeks: pd.DatetimeIndex | None = None) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Counts of on-network reports per segment (rows, in ``segments`` order) and week.

    Weeks start on Monday and run from the first to the last week with a report (every
    week in between included, empty or not), unless ``weeks`` is given.
    """
    on = snapped[snapped["on_network"]] if "on_network" in snapped else snapped
    if weeks is None:
        if len(on) == 0:
            return np.zeros((len(segments), 0)), pd.DatetimeIndex([])
        weeks = pd.date_range(on["week"].min(), on["week"].max(), freq="7D")
    position = pd.Series(np.arange(len(segments)), index=segments["segment_id"].to_numpy())
    rows = position.reindex(on["segment_id"].to_numpy()).to_numpy()
    cols = pd.Index(weeks).get_indexer(pd.DatetimeIndex(on["week"]))
    ok = ~np.isnan(rows) & (cols >= 0)
    matrix = sparse.coo_matrix((np.ones(int(ok.sum())), (rows[ok].astype(int), cols[ok])),
                               shape=(len(segments), len(weeks)))
    return np.asarray(matrix.todense()), pd.DatetimeIndex(weeks)


def emerging_trends(
    weekly: np.ndarray,
    adjacency: sparse.spmatrix,
    length_m: np.ndarray,
    *,
    value: str = "rate",
    alpha: float = 0.10,
    min_weeks: int = 4,
) -> pd.DataFrame:
    """Emerging hot/cold spot pattern of each segment from weekly counts.

    Each week: Gi* z-scores (:func:`gi_star_z`) of the week's values, normal two-sided
    p-values, Benjamini–Hochberg control at ``alpha`` within the week; then the
    Mann–Kendall test of each segment's z-scores over the weeks and
    :func:`classify_trends`. With fewer than ``min_weeks`` weeks no trend is claimed.

    Returns
    -------
    pandas.DataFrame
        ``trend, trend_tau, trend_p, hot_weeks, cold_weeks``.
    """
    n, t = weekly.shape
    if t < min_weeks:
        return pd.DataFrame({"trend": np.full(n, "none", dtype=object),
                             "trend_tau": np.zeros(n), "trend_p": np.ones(n),
                             "hot_weeks": np.zeros(n, dtype=int),
                             "cold_weeks": np.zeros(n, dtype=int)})
    z = gi_star_z(adjacency, segment_values(weekly, length_m, value))
    p = 2 * stats.norm.sf(np.abs(z))
    q = np.column_stack([stats.false_discovery_control(p[:, j], method="bh")
                         for j in range(t)])
    hot = (q <= alpha) & (z > 0)
    cold = (q <= alpha) & (z < 0)
    tau, _, mk_p = mann_kendall(z)
    return pd.DataFrame({"trend": classify_trends(hot, cold, tau, mk_p, alpha=alpha),
                         "trend_tau": tau, "trend_p": mk_p,
                         "hot_weeks": hot.sum(axis=1), "cold_weeks": cold.sum(axis=1)})


# --------------------------------------------------------------------------- aggregation


AGGREGATE_KEYS = {
    "segment": ["segment_id"], "road": ["road_id"], "chief": ["chief_id"],
    "category": ["category_code", "category"], "subcategory": ["subcategory_code",
                                                               "subcategory"],
    "week": ["week"], "source": ["source"], "status": ["status"],
}


def aggregate(
    snapped: pd.DataFrame,
    by: Sequence[str],
    *,
    assignment: pd.Series | None = None,
) -> pd.DataFrame:
    """Count reports and sum their severity by any of segment, road, chief, category,
    subcategory, week, source and status.

    Grouping by segment, road or chief uses on-network reports only (off-network ones
    have no segment); the other keys count every kept report.

    Parameters
    ----------
    snapped
        From :func:`patrolgeo.issues.snap_reports`.
    by
        Keys, e.g. ``["road", "week"]``.
    assignment
        ``segment_id -> chief_id`` (from territories), needed for ``"chief"``.

    Returns
    -------
    pandas.DataFrame
        The key columns, ``issue_count`` and ``severity_sum``, sorted by the keys.
    """
    unknown = [k for k in by if k not in AGGREGATE_KEYS]
    if unknown or not by:
        raise InputRowError(f"unknown aggregation key(s) {unknown}; use "
                            f"{', '.join(AGGREGATE_KEYS)}", field="by")
    frame = pd.DataFrame(snapped.drop(columns=snapped.geometry.name)
                         if isinstance(snapped, gpd.GeoDataFrame) else snapped)
    if any(k in ("segment", "road", "chief") for k in by):
        frame = frame[frame["on_network"]]
    if "chief" in by:
        if assignment is None:
            raise InputRowError("aggregating by chief needs an assignment segment_id -> "
                                "chief_id", field="assignment")
        frame = frame.assign(chief_id=frame["segment_id"].map(assignment))
        frame = frame.assign(chief_id=frame["chief_id"].fillna(tr("未分配", "unassigned")))
    columns = [c for k in by for c in AGGREGATE_KEYS[k]]
    out = (frame.groupby(columns, sort=True, dropna=False)
           .agg(issue_count=("id", "size"), severity_sum=("severity", "sum"))
           .reset_index())
    if len(frame) and frame["synthetic"].any():
        out["synthetic"] = True
    return out


def observed_weeks(snapped: pd.DataFrame) -> int:
    """Number of calendar weeks from the first to the last report (at least 1)."""
    if len(snapped) == 0:
        return 1
    span = (snapped["week"].max() - snapped["week"].min()).days // 7 + 1
    return max(int(span), 1)


def issue_load(snapped: pd.DataFrame, segments: gpd.GeoDataFrame,
               *, weeks: int | None = None) -> pd.Series:
    """Issue load per segment: severity-weighted on-network reports per week.

    The weight of a report is its kind's severity in the taxonomy (1 for an ordinary
    street problem). ``weeks`` defaults to the calendar weeks the reports span. Plans
    use it for patrol frequency and territories for workload.

    Returns
    -------
    pandas.Series
        Float per ``segment_id`` (index), in ``segments`` order; 0 without reports.
    """
    weeks = observed_weeks(snapped) if weeks is None else int(weeks)
    if weeks < 1:
        raise InputRowError("weeks must be at least 1", field="weeks")
    on = snapped[snapped["on_network"]]
    sums = on.groupby("segment_id")["severity"].sum()
    load = sums.reindex(segments["segment_id"].to_numpy()).fillna(0.0) / weeks
    load.index.name = "segment_id"
    return load.rename("issue_load").astype(float)


# --------------------------------------------------------------------------- all together


HOTSPOT_COLUMNS = ["issue_count", "severity_sum", "issue_load", "issues_per_km", "gi_z",
                   "gi_p", "gi_q", "gi_bin", "gi_class", "gi_label", "trend", "trend_label",
                   "trend_tau", "trend_p", "hot_weeks", "cold_weeks"]


@dataclass
class HotspotResult:
    """Hotspot analysis of the reports on a network.

    Attributes
    ----------
    segments
        The input segments plus :data:`HOTSPOT_COLUMNS` (``chief_id`` too when an
        assignment was given, ``synthetic`` when the reports were synthetic).
    weeks
        The weeks analysed for trends (Mondays).
    params
        The settings used (value, permutations, seed, alpha, FDR levels …).
    """

    segments: gpd.GeoDataFrame
    weeks: pd.DatetimeIndex
    params: dict = field(default_factory=dict)


def find_hotspots(
    snapped: pd.DataFrame,
    segments: gpd.GeoDataFrame,
    *,
    value: str = "rate",
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    alpha: float = 0.10,
    assignment: pd.Series | None = None,
    weeks: int | None = None,
) -> HotspotResult:
    """Count, weigh and test the reports on every segment; classify hotspots and trends.

    Parameters
    ----------
    snapped
        Reports snapped to ``segments`` (:func:`patrolgeo.issues.snap_reports`).
    segments
        The network's segments (projected).
    value
        ``"rate"`` (EB-standardised issues per km, the default) or ``"count"``.
    permutations, seed
        Conditional permutations of Gi* and their seed.
    alpha
        Significance of a week's hot/cold spots and of the Mann–Kendall trend.
    assignment
        Optional ``segment_id -> chief_id``, added as a column.
    weeks
        Weeks the issue load is spread over (default: the span of the reports).
    """
    segments = segments.reset_index(drop=True)
    adjacency = segment_adjacency(segments)
    weekly, week_index = weekly_counts(snapped, segments)
    counts = weekly.sum(axis=1) if weekly.shape[1] else np.zeros(len(segments))
    length = segments["length_m"].to_numpy(dtype=float)
    gi = gi_star(segment_values(counts, length, value), adjacency, permutations=permutations,
                 seed=seed)
    trends = emerging_trends(weekly, adjacency, length, value=value, alpha=alpha)
    load = issue_load(snapped, segments, weeks=weeks)
    on = snapped[snapped["on_network"]]
    severity = on.groupby("segment_id")["severity"].sum().reindex(
        segments["segment_id"].to_numpy()).fillna(0.0).to_numpy()
    out = segments.copy()
    out["issue_count"] = counts.astype(np.int64)
    out["severity_sum"] = severity
    out["issue_load"] = load.to_numpy()
    out["issues_per_km"] = counts / np.maximum(length, 1.0) * 1000.0
    for column in gi.columns:
        out[column] = gi[column].to_numpy()
    out["gi_label"] = [gi_class_label(c) for c in out["gi_class"]]
    for column in trends.columns:
        out[column] = trends[column].to_numpy()
    out["trend_label"] = [trend_label(t) for t in out["trend"]]
    if assignment is not None:
        out["chief_id"] = out["segment_id"].map(assignment)
    if len(snapped) and bool(snapped["synthetic"].any()):
        out["synthetic"] = True
    params = {"value": value, "permutations": int(permutations), "seed": int(seed),
              "alpha": alpha, "fdr_levels": [a for _, a in LEVELS],
              "weeks": len(week_index), "reports_on_network": len(on)}
    out.attrs.update(params)
    return HotspotResult(segments=out, weeks=week_index, params=params)
