"""Snapping, adjacency, Gi*, Mann-Kendall, trends, aggregation, issue load, synthetic data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from scipy import sparse

from issue_builders import grid_segments, points_on_segments, reports_table
from patrolgeo import issues
from patrolgeo.errors import InputRowError
from patrolgeo.segments import adjacency_matrix


def _snapped(table, segments, **kw):
    intake = issues.validate(issues.reports_from_frame(table), **kw)
    assert intake.rejects.empty
    return issues.snap_reports(intake.reports, segments)


# --------------------------------------------------------------------------- snapping


def test_snapping_matches_brute_force(helsinki_walk_segments):
    seg = helsinki_walk_segments
    rng = np.random.default_rng(0)
    west, south, east, north = seg.to_crs("EPSG:4326").total_bounds
    lon = rng.uniform(west, east, 400)
    lat = rng.uniform(south, north, 400)
    table = reports_table(lon, lat, rng)
    snapped = _snapped(table, seg)
    x, y = Transformer.from_crs("EPSG:4326", seg.crs, always_xy=True).transform(lon, lat)
    points = shapely.points(x, y)
    # brute force: every point against every segment
    dist = shapely.distance(points[:, None], seg.geometry.to_numpy()[None, :])
    best = dist.min(axis=1)
    assert np.allclose(snapped["snap_distance_m"], best, atol=0.01)
    within = best <= 50
    assert (snapped["on_network"].to_numpy() == within).all()
    chosen = seg.set_index("segment_id").loc[snapped.loc[within, "segment_id"]]
    assert np.allclose(shapely.distance(points[within], chosen.geometry.to_numpy()),
                       best[within], atol=0.01)
    assert (snapped.loc[~within, "segment_id"] == "").all()
    assert 0 < within.sum() < len(within)  # both kinds occur in this sample


def test_offset_along_segment():
    seg = grid_segments(3)
    one = seg[seg["segment_id"] == "0000-0001"].index[0]
    lon, lat = points_on_segments(seg, np.array([one]), np.random.default_rng(1), noise_m=0)
    snapped = _snapped(reports_table(lon, lat, np.random.default_rng(1)), seg)
    x = Transformer.from_crs("EPSG:4326", seg.crs, always_xy=True).transform(lon, lat)[0][0]
    assert snapped["segment_id"].iat[0] == "0000-0001"
    assert snapped["offset_m"].iat[0] == pytest.approx(x - seg.geometry.iat[one].coords[0][0],
                                                       abs=0.01)
    with pytest.raises(InputRowError):
        issues.snap_reports(snapped, seg, max_distance_m=-1)


# --------------------------------------------------------------------------- adjacency


def test_adjacency_is_shared_end_nodes(helsinki_walk_segments):
    seg = helsinki_walk_segments
    matrix = adjacency_matrix(seg)
    ends = [{u, v} for u, v in zip(seg["u"], seg["v"], strict=True)]
    rng = np.random.default_rng(2)
    for i in rng.choice(len(seg), 60, replace=False):
        expected = {j for j in range(len(seg)) if j != i and ends[i] & ends[j]}
        assert set(matrix[i].indices) == expected
    assert (matrix != matrix.T).nnz == 0 and matrix.diagonal().sum() == 0


# --------------------------------------------------------------------------- statistics


def test_gi_star_z_equals_esda(helsinki_walk_segments):
    import esda

    seg = helsinki_walk_segments
    adjacency = adjacency_matrix(seg)
    weights = issues.adjacency_weights(seg, adjacency)
    rng = np.random.default_rng(3)
    values = rng.poisson(2.0, (len(seg), 3)).astype(float) + 1
    ours = issues.gi_star_z(adjacency, values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j in range(3):
            ref = esda.G_Local(values[:, j], weights, transform="B", star=True, permutations=0)
            assert np.allclose(ours[:, j], ref.Zs)


def test_permutation_pvalues_agree_with_esda_crand():
    from esda.crand import crand
    from esda.getisord import _g_local_star_crand
    from libpysal.weights import WSP, fill_diagonal

    seg = grid_segments(10)
    adjacency = adjacency_matrix(seg)
    rng = np.random.default_rng(4)
    y = rng.poisson(1.5, len(seg)).astype(float) + 1
    y[:12] += 4  # some structure so that p-values spread
    upper, lower = issues.permutation_pvalues(y, adjacency, permutations=20_000, seed=1,
                                              scheme="conditional")
    star = fill_diagonal(WSP(adjacency).to_W(silence_warnings=True), 1.0)
    star.transform = "B"
    observed = (adjacency @ y + y) / y.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_upper, _ = crand(y, star, observed, 20_000, False, 1, _g_local_star_crand,
                             scaling=y.sum(), seed=1, alternative="greater")
    # both estimate the same tail probability; Monte Carlo error at p=0.5 is ~0.0035
    assert np.abs(upper - ref_upper).max() < 0.03
    assert np.all(upper + lower >= 1.0)  # ties counted in both tails


def test_mann_kendall_equals_pymannkendall():
    pymk = pytest.importorskip("pymannkendall")
    rng = np.random.default_rng(5)
    series = np.vstack([rng.integers(0, 4, 12), np.arange(12.0), np.arange(12.0)[::-1],
                        np.full(12, 3.0), rng.normal(size=12), rng.integers(0, 2, 12)])
    tau, z, p = issues.mann_kendall(series)
    for i, row in enumerate(series):
        ref = pymk.original_test(row)
        assert tau[i] == pytest.approx(ref.Tau)
        assert z[i] == pytest.approx(ref.z)
        assert p[i] == pytest.approx(ref.p)


def test_classify_trends_patterns():
    t = 10
    rows = {
        "new": [0] * 9 + [1],
        "consecutive": [0] * 7 + [1] * 3,
        "intensifying": [1] * 10,
        "persistent": [1] * 10,
        "diminishing": [1] * 10,
        "sporadic": [1, 0, 0, 1, 0, 1, 0, 0, 0, 1],
        "oscillating": [-1, 0, 0, 1, 0, 1, 0, 0, 0, 1],
        "historical": [1] * 9 + [0],
        "cold_new": [0] * 9 + [-1],
        "none": [0] * 10,
    }
    state = np.array(list(rows.values()))
    tau = np.zeros(len(rows))
    p = np.ones(len(rows))
    names = list(rows)
    tau[names.index("intensifying")], p[names.index("intensifying")] = 0.6, 0.01
    tau[names.index("diminishing")], p[names.index("diminishing")] = -0.6, 0.01
    got = issues.classify_trends(state == 1, state == -1, tau, p)
    assert list(got) == names
    assert state.shape[1] == t


# --------------------------------------------------------------------------- hotspots


def _cluster(seg, start: int, size: int) -> list[int]:
    """``size`` segments connected around ``start`` (breadth-first on the adjacency)."""
    adjacency = adjacency_matrix(seg).tolil()
    seen, frontier = [start], [start]
    while frontier and len(seen) < size:
        nxt = []
        for i in frontier:
            for j in adjacency.rows[i]:
                if j not in seen and len(seen) < size:
                    seen.append(j)
                    nxt.append(j)
        frontier = nxt
    return seen


def _random_reports(seg, n, rng, weights=None):
    length = seg["length_m"].to_numpy()
    prob = length / length.sum() if weights is None else weights / weights.sum()
    idx = rng.choice(len(seg), size=n, p=prob)
    lon, lat = points_on_segments(seg, idx, rng)
    return lon, lat


def test_gi_star_finds_a_planted_cluster(helsinki_walk_segments):
    seg = helsinki_walk_segments
    rng = np.random.default_rng(6)
    cluster = _cluster(seg, int(np.argmax(seg["length_m"].to_numpy() > 60)), 15)
    lon, lat = _random_reports(seg, 3000, rng)
    weights = np.zeros(len(seg))
    weights[cluster] = seg["length_m"].to_numpy()[cluster]
    plon, plat = _random_reports(seg, 300, rng, weights)
    table = reports_table(np.r_[lon, plon], np.r_[lat, plat], rng)
    result = issues.find_hotspots(_snapped(table, seg), seg, seed=0).segments
    hot = set(np.flatnonzero(result["gi_bin"].to_numpy() > 0))
    near = set(cluster) | set(adjacency_matrix(seg)[cluster].indices)
    assert len(hot & set(cluster)) >= 0.4 * len(cluster)
    assert len(hot - near) <= 0.1 * len(hot)
    assert (result.loc[list(hot), "gi_z"] > 0).all()
    assert (result["gi_bin"] >= 2).sum() > 0  # reaches at least 95 % somewhere


def test_random_reports_stay_within_the_fdr_level():
    # complete spatial randomness on the network: any flagged segment is a false
    # discovery, and under the complete null FDR control bounds P(any flag) by 10 %
    seg = grid_segments(14)
    flagged_runs = 0
    flagged_total = 0
    for seed in range(8):
        rng = np.random.default_rng(100 + seed)
        lon, lat = _random_reports(seg, 1500, rng)
        result = issues.find_hotspots(_snapped(reports_table(lon, lat, rng), seg), seg,
                                      seed=seed, permutations=19_999).segments
        flags = int((result["gi_bin"] != 0).sum())
        flagged_total += flags
        flagged_runs += flags > 0
    # Binomial(8, 0.1): P(>= 4 runs with a flag) < 0.005
    assert flagged_runs <= 3
    assert flagged_total <= 0.1 * 8 * len(seg)


def test_counts_on_random_reports_flag_long_segments_but_rates_do_not():
    # a grid whose east half has 4x longer blocks (fewer, longer segments): under
    # complete spatial randomness raw counts cluster there, EB rates do not
    seg = grid_segments(14)
    long_side = seg.geometry.centroid.x > seg.geometry.centroid.x.median()
    seg.loc[long_side, "length_m"] = 400.0  # exposure, as if the blocks were longer
    rng = np.random.default_rng(9)
    idx = rng.choice(len(seg), 3000, p=seg["length_m"] / seg["length_m"].sum())
    lon, lat = points_on_segments(seg, idx, rng)
    snapped = _snapped(reports_table(lon, lat, rng), seg)
    by_count = issues.find_hotspots(snapped, seg, value="count", gi_pvalue="normal").segments
    by_rate = issues.find_hotspots(snapped, seg, value="rate", gi_pvalue="normal").segments
    by_model = issues.find_hotspots(snapped, seg).segments  # expectation follows length
    assert (by_count["gi_bin"] > 0).sum() > 10
    assert (by_rate["gi_bin"] != 0).sum() <= 2
    assert (by_model["gi_bin"] != 0).sum() <= 2 and not by_model["street_hot"].any()


def test_emerging_trend_of_a_growing_cluster():
    seg = grid_segments(12)
    rng = np.random.default_rng(11)
    cluster = _cluster(seg, 100, 8)
    start = pd.Timestamp("2024-03-04")
    frames = []
    for week in range(12):
        lon, lat = _random_reports(seg, 120, rng)
        weights = np.zeros(len(seg))
        weights[cluster] = 1
        glon, glat = _random_reports(seg, 10 + 12 * week, rng, weights)
        n = len(lon) + len(glon)
        times = start + pd.Timedelta(weeks=week) + pd.to_timedelta(
            rng.integers(0, 7 * 86400, n), unit="s")
        frames.append(reports_table(np.r_[lon, glon], np.r_[lat, glat], rng,
                                    prefix=f"W{week:02d}-", times=pd.Series(times)))
    snapped = _snapped(pd.concat(frames, ignore_index=True), seg)
    result = issues.find_hotspots(snapped, seg).segments
    assert result.attrs["weeks"] == 12
    trends = result.loc[cluster, "trend"]
    assert (trends == "intensifying").sum() >= len(cluster) // 2, trends.value_counts()
    assert (result.loc[cluster, "trend_tau"] > 0).all()
    others = result.drop(index=cluster)
    assert others["trend"].isin(["intensifying", "persistent"]).sum() <= 6


def test_constant_or_empty_values_are_not_significant():
    seg = grid_segments(4)
    result = issues.gi_star(np.zeros(len(seg)), adjacency_matrix(seg))
    assert (result["gi_class"] == "not_significant").all() and (result["gi_p"] == 1).all()


# --------------------------------------------------------------------------- load, aggregation


def test_issue_load_and_aggregation_by_hand():
    seg = grid_segments(3)
    ids = seg["segment_id"].tolist()
    snapped = pd.DataFrame({
        "id": ["a", "b", "c", "d", "e"],
        "segment_id": [ids[0], ids[0], ids[1], "", ids[2]],
        "road_id": [seg.road_id[0], seg.road_id[0], seg.road_id[1], "", seg.road_id[2]],
        "on_network": [True, True, True, False, True],
        "severity": [1.0, 5.0, 0.5, 3.0, 2.0],
        "week": pd.to_datetime(["2024-03-04", "2024-03-04", "2024-03-11", "2024-03-18",
                                "2024-03-25"]),
        "category_code": ["E04", "C01", "E02", "E04", "E04"],
        "category": ["街面秩序", "公用设施", "宣传广告", "街面秩序", "街面秩序"],
        "synthetic": False,
    })
    load = issues.issue_load(snapped, seg)
    assert load[ids[0]] == pytest.approx(6.0 / 4)  # 4 calendar weeks from 4 to 25 March
    assert load[ids[1]] == pytest.approx(0.5 / 4)
    assert load.sum() == pytest.approx((1 + 5 + 0.5 + 2) / 4)  # off-network excluded
    assert issues.issue_load(snapped, seg, weeks=2)[ids[0]] == pytest.approx(3.0)
    chiefs = pd.Series({ids[0]: "王", ids[1]: "王", ids[2]: "李"})
    by_chief = issues.aggregate(snapped, ["chief"], assignment=chiefs).set_index("chief_id")
    assert by_chief.loc["王", "issue_count"] == 3 and by_chief.loc["李", "severity_sum"] == 2.0
    by_cat = issues.aggregate(snapped, ["category"]).set_index("category_code")
    assert by_cat.loc["E04", "issue_count"] == 3  # off-network reports count here
    with pytest.raises(InputRowError, match="chief"):
        issues.aggregate(snapped, ["chief"])


def test_find_hotspots_is_deterministic_and_carries_assignment():
    seg = grid_segments(8)
    rng = np.random.default_rng(12)
    lon, lat = _random_reports(seg, 400, rng)
    snapped = _snapped(reports_table(lon, lat, rng), seg)
    chiefs = pd.Series("chief-1", index=seg["segment_id"])
    a = issues.find_hotspots(snapped, seg, seed=3, assignment=chiefs).segments
    b = issues.find_hotspots(snapped, seg, seed=3, assignment=chiefs).segments
    pd.testing.assert_frame_equal(a, b)
    assert (a["chief_id"] == "chief-1").all()
    assert a["issue_count"].sum() == int(snapped["on_network"].sum())
    for column in ("issue_count", "street_p", "street_q", "street_hot", "gi_z", "gi_p",
                   "gi_q", "gi_class", "hot_kind", "trend", "issue_load"):
        assert column in a.columns
    assert "synthetic" not in a.columns


# --------------------------------------------------------------------------- synthetic


def test_synthetic_reports_follow_context_and_cycles(helsinki_walk_segments, helsinki_pbf):
    from patrolgeo import pois

    seg = helsinki_walk_segments
    context, _ = pois.read_context(helsinki_pbf)
    table = issues.synthetic_reports(seg, context, seed=7, weeks=8)
    again = issues.synthetic_reports(seg, context, seed=7, weeks=8)
    pd.testing.assert_frame_equal(table, again)
    assert not table.equals(issues.synthetic_reports(seg, context, seed=8, weeks=8))
    assert (table["synthetic"] == "true").all()
    assert table["description"].str.startswith(issues.SYNTHETIC_TAG).all()
    intake = issues.validate(issues.reports_from_frame(table))
    assert intake.rejects.empty and intake.synthetic
    rep = intake.reports
    hours = rep["reported_at"].dt.hour
    weekday = rep["reported_at"].dt.weekday
    # school-gate congestion at school hours on school days
    school = rep[rep["subcategory_code"] == "E0408"]
    assert len(school) > 20
    assert school["reported_at"].dt.hour.isin([7, 8, 16, 17]).mean() > 0.7
    assert (weekday[school.index] < 5).mean() > 0.95
    # muck trucks at night, street vending in the evening
    muck = rep["subcategory_code"].isin(["E0104", "E0304"])
    assert hours[muck].isin([22, 23, 0, 1, 2, 3, 4, 5]).mean() > 0.7
    vending = rep["subcategory_code"] == "E0401"
    assert hours[vending].between(16, 22).mean() > 0.5
    # restaurant fumes concentrate on the segments around restaurants
    snapped = issues.snap_reports(rep, seg)
    counts = issues.synthetic.poi_counts(seg, context)
    near_restaurant = set(counts.index[counts.get("restaurant", 0) > 0])
    fumes = snapped[snapped["subcategory_code"] == "E0105"]
    assert fumes["segment_id"].isin(near_restaurant).mean() > 0.9
    # broken rows for the demo's rejects file
    broken = issues.synthetic_reports(seg, context, seed=7, weeks=2, bad_rows=5)
    bad = issues.validate(issues.reports_from_frame(broken))
    assert bad.n_rejected_rows == 5
    assert set(bad.rejects["reason_code"]) == {"not_a_number", "unknown_category", "bad_time",
                                               "duplicate_id", "out_of_range"}


def test_values_rate_shrinks_short_segments():
    rng = np.random.default_rng(13)
    counts = np.r_[1.0, rng.poisson(1.0, 199)]
    length = np.r_[2.0, np.full(199, 100.0)]
    rate = issues.segment_values(counts, length, "rate")
    raw = counts / (length / 1000)
    assert rate[0] < raw[0] / 10  # one report on a 2 m crossing is shrunk hard
    assert rate[1:][counts[1:] == 3].min() > rate[1:][counts[1:] == 0].max()
    assert np.allclose(issues.segment_values(counts, length, "count"), counts)
    with pytest.raises(InputRowError):
        issues.segment_values(counts, length, "density")
    assert sparse.issparse(adjacency_matrix(grid_segments(3)))


# --------------------------------------------------------------------------- words


def test_classes_and_trends_are_codes_with_words_per_language():
    assert issues.gi_class_label("hot_99", "zh") == "热点 99%"
    assert issues.gi_class_label("cold_95", "en") == "Cold spot 95%"
    assert issues.gi_class_label("mystery", "en") == "mystery"
    assert issues.gi_class_label("not_significant", "en") == "Not significant"
    assert issues.trend_label("intensifying", "zh") == "加剧热点"
    assert issues.trend_label("cold_persistent", "en") == "Persistent cold spot"
    assert issues.trend_label("none", "en") == "No pattern"
    seg = grid_segments(5)
    rng = np.random.default_rng(4)
    lon, lat = _random_reports(seg, 60, rng)
    result = issues.find_hotspots(_snapped(reports_table(lon, lat, rng), seg), seg,
                                  permutations=99)
    assert not set(issues.LABEL_COLUMNS) & set(result.segments.columns)
    for lang in ("zh", "en"):
        words = issues.label_hotspots(result.segments, lang)
        columns = list(words.columns)
        assert columns.index("gi_label") == columns.index("gi_class") + 1
        assert columns.index("hot_label") == columns.index("hot_kind") + 1
        assert list(words["hot_label"]) == [issues.hot_kind_label(k, lang)
                                            for k in words["hot_kind"]]
        assert columns.index("trend_label") == columns.index("cold_weeks") + 1
        assert list(words["gi_label"]) == [issues.gi_class_label(c, lang)
                                           for c in words["gi_class"]]
        assert list(words["trend_label"]) == [issues.trend_label(t, lang)
                                              for t in words["trend"]]


def test_hotspots_check_the_segments_contract():
    from patrolgeo.errors import SegmentsError

    seg = grid_segments(3)
    rng = np.random.default_rng(5)
    lon, lat = _random_reports(seg, 10, rng)
    snapped = _snapped(reports_table(lon, lat, rng), seg)
    with pytest.raises(SegmentsError, match="length_m"):
        issues.find_hotspots(snapped, seg.drop(columns="length_m"))
    intake = issues.validate(issues.reports_from_frame(reports_table(lon, lat, rng)))
    with pytest.raises(SegmentsError, match="road_id"):
        issues.snap_reports(intake.reports, seg.drop(columns="road_id"))
    with pytest.raises(SegmentsError, match="projected"):
        issues.snap_reports(intake.reports, seg.to_crs("EPSG:4326"))
    with pytest.raises(SegmentsError, match="projected"):
        issues.snap_reports(intake.reports, seg.set_crs(None, allow_override=True))
