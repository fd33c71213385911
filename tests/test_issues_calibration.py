"""Calibration of the hotspot tests: planted clusters are found, a uniform null is not.

The scenario of issue 14: 300 reports planted along one street of 460–620 m (or spread
over the streets within 150 m of it) among 2,000 reports uniform over the network, over
12 weeks, on the demo district (Guixi, responsibility network) and on a grid. Every check
is computed here from the reports and the geometry, not read from the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from issue_builders import (
    grid_segments,
    plant_within,
    points_on_segments,
    reports_table,
    snapped_frame,
    to_lonlat,
    uniform_points,
    uniform_segment_draws,
)
from patrolgeo import issues, pipeline
from patrolgeo.segments import adjacency_matrix

PLANTED, BACKGROUND, WEEKS = 300, 2000, 12
HOT = ("street", "area", "street_area")
#: Seeds of the uniform null; with a test whose FDR is exactly 5 %, the number of seeds
#: with any (false) hot segment is Binomial(20, 0.05): P(>= 5) = 0.26 %, so at most 4
#: seeds (an average false discovery proportion of 0.20) is the tolerance.
NULL_SEEDS, NULL_MAX_FLAGGED_SEEDS = 20, 4
HOT_COLUMNS = ["issue_count", "street_p", "street_q", "street_hot", "gi_z", "gi_p", "gi_q",
               "gi_class", "hot_kind", "trend"]


@pytest.fixture(scope="module")
def networks(guixi_osm):
    city = pipeline.load_roads(guixi_osm).segments.reset_index(drop=True)
    return {"guixi": city, "grid": grid_segments(14, spacing=500.0)}


def _planted_segment(seg, seed: int) -> int:
    length = seg["length_m"].to_numpy()
    candidates = np.flatnonzero((length >= 460) & (length <= 620))
    assert len(candidates) >= 5
    return int(candidates[(7 * seed) % len(candidates)])


def _run(seg, kind: str, seed: int, *, shuffle: bool = False, **kw):
    """Plant, snap, test; return the result, the snapped reports and the plant mask."""
    rng = np.random.default_rng(seed)
    target = _planted_segment(seg, seed)
    bx, by = uniform_points(seg, BACKGROUND, rng)
    blon, blat = to_lonlat(seg, bx, by, rng)
    if kind == "single":
        plon, plat = points_on_segments(seg, np.full(PLANTED, target), rng)
    else:
        centre = shapely.line_interpolate_point(seg.geometry.iat[target], 0.5,
                                                normalized=True)
        px, py = plant_within(seg, centre, 150.0, PLANTED, rng)
        plon, plat = to_lonlat(seg, px, py, rng)
    table = reports_table(np.r_[blon, plon], np.r_[blat, plat], rng, weeks=WEEKS)
    table["planted"] = np.r_[np.zeros(BACKGROUND, bool), np.ones(PLANTED, bool)]
    if shuffle:
        table = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    intake = issues.validate(issues.reports_from_frame(table.drop(columns="planted")),
                             as_of="2024-12-31")
    assert intake.rejects.empty
    snapped = issues.snap_reports(intake.reports, seg)
    result = issues.find_hotspots(snapped, seg, **kw)
    planted = table["planted"].to_numpy()
    return result, snapped, planted, target


@pytest.mark.parametrize("network", ["guixi", "grid"])
@pytest.mark.parametrize("kind", ["single", "multi"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_planted_cluster_is_found_and_nothing_far_from_it(networks, network, kind, seed):
    seg = networks[network]
    result, snapped, planted, target = _run(seg, kind, seed)
    out = result.segments.set_index("segment_id")
    plant_segments = snapped.loc[planted & snapped["on_network"].to_numpy(), "segment_id"]
    main = target if kind == "single" else seg.index[
        seg["segment_id"] == plant_segments.value_counts().index[0]][0]
    main_id = seg["segment_id"].iat[main]
    # the planted street is hot; a single-segment plant is a hot street by itself
    assert out.loc[main_id, "hot_kind"] in HOT
    if kind == "single":
        assert out.loc[main_id, "street_hot"]
        assert out.loc[main_id, "street_q"] < 1e-6
    # at least 80 % of the planted reports lie on hot segments
    on_hot = out.loc[plant_segments, "hot_kind"].isin(HOT).to_numpy()
    assert on_hot.sum() >= 0.8 * planted.sum()
    # no hot segment farther than 500 m from the planted reports
    hot = result.segments["hot_kind"].isin(HOT).to_numpy()
    plant_points = shapely.multipoints(snapped.geometry.to_numpy()[planted])
    distance = shapely.distance(seg.geometry.to_numpy()[hot], plant_points)
    assert distance.max() <= 500.0, np.sort(distance)[-5:]
    # the street test's expectation is the network rate times the length, checked by hand
    background_rate = result.params["street_rate_per_km"]
    km = np.maximum(seg["length_m"].to_numpy(), issues.MIN_STREET_EXPOSURE_M) / 1000
    assert np.allclose(result.segments["street_expected"], background_rate * km)
    assert 0.5 < background_rate * km.sum() / (BACKGROUND + PLANTED) <= 1.0


@pytest.mark.parametrize("network", ["guixi", "grid"])
def test_results_do_not_depend_on_row_order(networks, network):
    seg = networks[network]
    a = _run(seg, "multi", 5)[0].segments
    b = _run(seg, "multi", 5, shuffle=True)[0].segments
    pd.testing.assert_frame_equal(a[HOT_COLUMNS], b[HOT_COLUMNS])
    assert (a["hot_kind"] != "none").any()


def _null_flags(seg, seeds: int, *, gi_pvalue: str = "model") -> tuple[np.ndarray, ...]:
    """Per seed: hot streets, hot or cold areas, share of segments flagged."""
    streets, areas, share = [], [], []
    n = BACKGROUND + PLANTED
    for seed in range(seeds):
        rng = np.random.default_rng(10_000 + seed)
        frame = snapped_frame(seg, uniform_segment_draws(seg, n, rng),
                              rng.integers(0, WEEKS, n))
        out = issues.find_hotspots(frame, seg, gi_pvalue=gi_pvalue).segments
        streets.append(int(out["street_hot"].sum()))
        areas.append(int((out["gi_q"] <= issues.DEFAULT_FDR).sum()))
        share.append(float((out["hot_kind"] != "none").mean()))
    return np.array(streets), np.array(areas), np.array(share)


@pytest.mark.parametrize("network", ["guixi", "grid"])
def test_uniform_reports_keep_false_hot_segments_within_the_fdr(networks, network):
    # under a uniform null every flagged segment is false, and the false discovery
    # proportion of a seed is 1 when it flags anything: its mean over seeds is the FDR
    streets, areas, share = _null_flags(networks[network], NULL_SEEDS)
    assert (streets > 0).sum() <= NULL_MAX_FLAGGED_SEEDS, streets
    assert (areas > 0).sum() <= NULL_MAX_FLAGGED_SEEDS, areas
    assert share.mean() <= issues.DEFAULT_FDR / 10  # and hardly any segment at all


def test_classical_normal_gi_over_flags_unequal_segments(networks):
    # the randomisation z treats the segments' EB rates as exchangeable; on a district
    # of 5 m crossings and 3 km roads they are not, and its normal p-values flag far
    # more uniform nulls than 5 % (the reason the default compares with the model)
    _, areas, _ = _null_flags(networks["guixi"], NULL_SEEDS, gi_pvalue="normal")
    assert (areas > 0).sum() > NULL_MAX_FLAGGED_SEEDS, areas


def test_overdispersed_null_needs_the_estimated_dispersion():
    # segments whose rates vary at random (gamma, alpha = 0.5) without any spatial
    # pattern: the Poisson test flags many, the negative binomial with the dispersion
    # estimated from the data keeps the false discovery rate
    seg = grid_segments(14, spacing=500.0)
    length = seg["length_m"].to_numpy()
    adjacency = adjacency_matrix(seg)
    true_alpha = 0.5
    poisson_seeds = nb_seeds = area_seeds = 0
    estimates = []
    for seed in range(NULL_SEEDS):
        rng = np.random.default_rng(20_000 + seed)
        mean = 2300 * length / length.sum()
        counts = rng.poisson(mean * rng.gamma(1 / true_alpha, true_alpha, len(seg)))
        table, fit = issues.street_test(counts, length)
        estimates.append(fit["alpha"])
        nb_seeds += bool(table["street_hot"].any())
        poisson, _ = issues.street_test(counts, length, dispersion=0.0)
        poisson_seeds += bool(poisson["street_hot"].any())
        area = issues.model_gi_star(counts, fit["km"], fit["rate_per_km"], fit["alpha"],
                                    adjacency)
        area_seeds += bool((area["gi_q"] <= issues.DEFAULT_FDR).any())
    assert abs(np.median(estimates) - true_alpha) < 0.15
    assert nb_seeds <= NULL_MAX_FLAGGED_SEEDS
    assert area_seeds <= NULL_MAX_FLAGGED_SEEDS
    assert poisson_seeds >= NULL_SEEDS - 2


def test_conditional_permutation_misses_a_hot_street(networks):
    # Gi*'s numerator holds the focal value: keeping it fixed and permuting only the
    # neighbours tests the neighbours, so a street with 300 reports among quiet ones is
    # never extreme; the model p-values of the same neighbourhood are
    seg = networks["guixi"]
    result, _, _, target = _run(seg, "single", 3)
    adjacency = adjacency_matrix(seg)
    values = issues.segment_values(result.segments["issue_count"].to_numpy(),
                                   seg["length_m"].to_numpy())
    upper, _ = issues.permutation_pvalues(values, adjacency, permutations=9_999,
                                          scheme="conditional")
    n = len(seg)
    assert upper[target] * n > issues.DEFAULT_FDR  # BH cannot keep it, even ranked first
    assert result.segments["gi_q"].iat[target] < 1e-6
    assert result.segments["gi_z"].iat[target] > 5
    # the planted street's own neighbourhood sum, checked by hand against a Poisson law
    star = [target, *adjacency[target].indices]
    counts = result.segments["issue_count"].to_numpy()
    expected = result.segments["street_expected"].to_numpy()[star].sum()
    if result.params["street_dispersion"] < 1e-3:
        assert stats.poisson.sf(counts[star].sum() - 1, expected) < 1e-6
