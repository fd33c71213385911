"""Emerging hot and cold spots: weekly Gi*, Mann–Kendall trends and their patterns.

Emerging trends follow the rules of space-time "emerging hot spot analysis": Gi* per
week, a Mann–Kendall test on each segment's weekly Gi* z-scores, and the patterns new,
consecutive, intensifying, persistent, diminishing, sporadic, oscillating and historical
(and their cold counterparts).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse, stats

from patrolgeo.issues._gi import gi_star_z, segment_values
from patrolgeo.issues._street import area_test

#: Trend pattern codes (hot form; cold ones carry a ``cold_`` prefix; words:
#: ``patrolgeo.labels`` table ``trend``).
TRENDS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic",
          "oscillating", "historical")

#: Significance of a week's hot/cold spots and of the Mann–Kendall trend.
DEFAULT_ALPHA = 0.10

#: Share of weeks that counts as "almost always" (Esri's emerging hot spot rules).
ALMOST_ALWAYS_SHARE = 0.9

#: Fewest weeks a trend is claimed on.
MIN_TREND_WEEKS = 4


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
                    *, alpha: float = DEFAULT_ALPHA) -> np.ndarray:
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
        almost_always = count >= ALMOST_ALWAYS_SHARE * t
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
    """Count on-network reports per segment (rows, in ``segments`` order) and week.

    Weeks start on Monday and run from the first to the last week with a report (every
    week in between included, empty or not), unless ``weeks`` is given.
    """
    mask = (snapped["on_network"].to_numpy(dtype=bool) if "on_network" in snapped
            else np.ones(len(snapped), dtype=bool))
    on = snapped.loc[mask, ["segment_id", "week"]]
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
    alpha: float = DEFAULT_ALPHA,
    min_weeks: int = MIN_TREND_WEEKS,
    model: tuple[np.ndarray, float] | None = None,
) -> pd.DataFrame:
    """Emerging hot/cold spot pattern of each segment from weekly counts.

    Each week: Gi* z-scores and two-sided p-values of the week, Benjamini–Hochberg
    control at ``alpha`` within the week; then the Mann–Kendall test of each segment's
    z-scores over the weeks and :func:`classify_trends`. With ``model = (km, dispersion)``
    (the street model's exposure and dispersion) the week's Gi* is the model one
    (:func:`patrolgeo.issues.area_test`, the week's own network rate); without it, the
    classical randomisation z (:func:`gi_star_z`) of the week's ``value`` with normal
    p-values. Pass only the weeks the data covers: with fewer than ``min_weeks`` no
    trend is claimed.

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
    if model is not None:
        km, dispersion = model
        rates = weekly.sum(axis=0) / float(np.sum(km))
        z, upper, lower = area_test(weekly, km, rates, dispersion, adjacency)
        p = np.minimum(1.0, 2 * np.minimum(upper, lower))
    else:
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


