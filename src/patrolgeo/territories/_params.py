"""Defaults, objective weights and the search budgets of the territories stage."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PATROL_SPEED_KMH = 4.0
"""Foot-patrol speed of the fallback workload: minutes to walk a segment once."""

DEFAULT_TOLERANCE = 0.05
"""Allowed relative deviation of a territory's workload from its target."""

DEFAULT_ROAD_SHARE = 0.25
"""A named road stays whole unless its workload exceeds this share of a mean territory."""

DEFAULT_ISSUE_WEIGHT = 1.0
"""Minutes of workload per unit of issue load."""

MAX_STATION_SNAP_M = 2000.0
"""A station farther than this from every segment is an error (swapped lat/lon, wrong city)."""

#: Weights of the refine objective, in cut segment pairs.
COMPACTNESS_WEIGHT = 1.0  # per (segment length / mean length) x (distance / territory side)
WHOLE_ROAD_WEIGHT = 12.0  # per extra chief on a named road that should stay whole
LONG_ROAD_WEIGHT = 1.0  # per extra chief on a named road allowed to be split
UNNAMED_ROAD_WEIGHT = 0.3  # per extra chief on one unnamed way
MOVE_WEIGHT = 2.0  # per segment taken from its previous chief
BALANCE_MARGIN = 0.5  # balance to this share of the tolerance, leaving slack to refine
BISECTION_TRIES = 2  # seeds per bisection (each on units and on single segments)
BISECTION_TOLERANCE = 0.25  # each bisection is evened out to this share of the tolerance
BULK_VIOLATION = 2.0  # beyond this many tolerances, borders shift in bulk before unit moves

EPS = 1e-9  # slack of load comparisons against the band, and of "moved nothing"
MIN_LENGTH_M = 1e-6  # floor of a length used as a weight, so zero-length segments count
NEAR_ZERO_WEIGHT = 1e-9  # added to workloads so a piece of zero workload still has a weight

ASSIGNMENT_COLUMNS = ["segment_id", "road_name", "chief_id", "workload"]


@dataclass(frozen=True)
class SearchParams:
    """Budgets and thresholds of the local search (the defaults are the tuned values).

    Attributes
    ----------
    balance_candidates
        Best-ranked single moves tried (each needs a connectivity check) per balance step.
    swap_ranked
        Unit pairs kept by balance gain before their cost is computed, per balance swap.
    swap_tried
        Cheapest of those pairs tried (connectivity checks), per balance swap.
    refine_passes
        Passes of boundary moves (and swaps when no move helps) of the refine step.
    refine_swaps
        Units moved by swaps in one refine pass, at most.
    refine_swap_options
        Partners tried for one unit in a refine swap.
    improvement
        A refine move or swap must lower the cost by more than this (cut pairs).
    moves_per_segment, moves_extra
        The balance step stops after ``moves_per_segment x segments + moves_extra`` moves.
    path_steps_per_pair
        Bulk balancing stops after ``path_steps_per_pair x k x k`` path transfers.
    path_ends
        Fullest and emptiest territories tried as the ends of a bulk transfer path.
    bisection_rounds
        Transfers that even out one bisection candidate, at most.
    open_rounds
        Rounds of opening whole roads when they block the balance; the last opens all.
    metis_ufactor
        METIS load imbalance allowed in one cut, in 1/1000 (METIS' own ``ufactor``).
    metis_weight_scale
        Total of the integer vertex weights METIS sees (workloads scaled to it).
    metis_seed_stride
        METIS seed of a try: ``seed x metis_seed_stride + try``.
    """

    balance_candidates: int = 60  # enough good moves that one passes the connectivity check
    swap_ranked: int = 200  # pairs costed per swap: the cost is the slow part
    swap_tried: int = 40  # connectivity checks per swap
    refine_passes: int = 30  # refine converges in a few passes; a bound for safety
    refine_swaps: int = 50  # keeps one swap pass linear in the boundary size
    refine_swap_options: int = 5  # partners per unit: the best few are all that pay off
    improvement: float = 1e-6  # ignore float noise in cost deltas
    moves_per_segment: int = 20  # each segment may move a few times while balancing
    moves_extra: int = 100  # so small networks get a budget too
    path_steps_per_pair: int = 4  # bulk transfers per pair of territories
    path_ends: int = 3  # fullest/emptiest territories considered as path ends
    bisection_rounds: int = 8  # transfers rarely need more than two or three rounds
    open_rounds: int = 3  # two rounds near violating borders, then every road
    metis_ufactor: int = 30  # 3 % imbalance: the repair and transfers even out the rest
    metis_weight_scale: int = 1_000_000  # integer weights fine enough for minutes
    metis_seed_stride: int = 1000  # distinct METIS seeds per (seed, try)


DEFAULT_SEARCH = SearchParams()
"""The tuned search parameters, the default of every step."""
