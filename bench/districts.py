"""What a bureau sees of a district: the responsibility network, one-way law and grades.

``python bench/districts.py`` loads the packaged demo district (Guixi) and Helsinki and
prints, for each, Markdown tables of:

* the network: km, roads and roads under 30 m, and the share of km named by OSM, named
  from context, and still bare ``无名路-<way>``, for osmnx's raw walk network ("today")
  and the responsibility network (``network="city"``);
* the city network's km by highway class, and the km left out by reason;
* drive and bike postman routes: traversals against a one-way rule, counted by the
  independent checker of ``tests/oneway_check.py`` (which re-derives the rules from the
  OSM tags), and the km the route cannot reach;
* the grades: the share of km at each grade, and the 一级 sections with their reasons.

``--district guixi`` or ``--district helsinki`` runs one of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from oneway_check import check_route  # noqa: E402  (the tests' independent checker)
from patrolgeo import pipeline, plans, pois, roads  # noqa: E402
from patrolgeo.outputs.plans import reasons_text  # noqa: E402

DISTRICTS = {"guixi": pipeline.demo_osm_path, "helsinki": pipeline.helsinki_osm_path}
SHORT_ROAD_M = 30.0


def _md(frame: pd.DataFrame) -> str:
    """A frame as a Markdown table (no tabulate dependency)."""
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _names(result: pipeline.RoadsResult) -> dict[str, object]:
    """Km, roads, short roads and how the km are named."""
    seg = result.segments
    km = seg["length_m"].sum() / 1000
    source = seg["name_source"].fillna("")
    bare = seg["road_id"].astype(str).str.startswith(roads.UNNAMED_PREFIX) & (source == "")
    osm = source.isin(["name:zh", "name", "ref"])
    context = source.str.startswith("context:") | (source == "merged")
    share = lambda mask: f"{seg.loc[mask, 'length_m'].sum() / 1000 / km:.1%}"  # noqa: E731
    return {"km": round(km, 2), "roads": len(result.roads),
            "roads < 30 m": int((result.roads["length_m"] < SHORT_ROAD_M).sum()),
            "OSM-named km": share(osm), "context-named km": share(context & ~osm),
            "bare 无名路 km": share(bare)}


def network_tables(osm: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The raw-walk vs city comparison, the city km by class, the excluded km by reason."""
    raw = pipeline.load_roads(osm, network=pipeline.NetworkOptions("walk"))
    city = pipeline.load_roads(osm)
    compare = pd.DataFrame([{"network": "walk (raw, today)", **_names(raw)},
                            {"network": "city (responsibility)", **_names(city)}])
    by_class = (city.segments.groupby("highway")["length_m"].sum() / 1000).round(2)
    by_class = by_class.sort_values(ascending=False).rename("km").reset_index()
    excluded = pd.DataFrame(roads.excluded_summary(city.excluded),
                            columns=["reason", "ways", "km"])
    return compare, by_class, excluded


def oneway_table(osm: Path) -> pd.DataFrame:
    """Wrong-way traversals (independent checker) and unreachable km of vehicle routes."""
    rows = []
    for mode in ("drive", "bike"):
        result = pipeline.load_roads(osm, mode=mode)
        planned = pipeline.plan_route(result, mode=mode)
        route = planned.route
        wrong = check_route(osm, route, mode)
        rows.append({"mode": mode, "route km": round(route.total_length_m / 1000, 2),
                     "traversals": len(route.traversals),
                     "against a one-way rule": len(wrong),
                     "unreachable segments": len(route.unreachable_ids),
                     "unreachable km": round(route.unreachable_length_m / 1000, 2)})
    return pd.DataFrame(rows)


def grade_tables(osm: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Share of km per grade, and the 一级 sections with their reasons."""
    result = pipeline.load_roads(osm)
    plan = plans.plan_roads(result.segments, pois.read_evidence(osm))
    seg = plan.segments
    mix = (seg.groupby("grade")["length_m"].sum() / seg["length_m"].sum()).rename("share of km")
    mix = mix.map(lambda x: f"{x:.1%}").reset_index()
    table = getattr(plan, "sections", plan.roads)
    key = "section_id" if "section_id" in table.columns else "road_id"
    first = table[table["grade"] == 1]
    rules = plans.load_rules()
    rows = [{"section": r[key], "road": r["road_name"], "km": round(r["length_m"] / 1000, 2),
             "reasons": reasons_text(r["reasons"], rules, "en")}
            for _, r in first.iterrows()]
    return mix, pd.DataFrame(rows, columns=["section", "road", "km", "reasons"])


def main() -> None:
    """Print the tables for each district."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--district", choices=sorted(DISTRICTS))
    args = parser.parse_args()
    for name, path_of in DISTRICTS.items():
        if args.district and name != args.district:
            continue
        osm = path_of()
        print(f"\n## {name} ({osm.name})\n")
        compare, by_class, excluded = network_tables(osm)
        print("### Network\n\n" + _md(compare) + "\n")
        print("### City network km by class\n\n" + _md(by_class) + "\n")
        print("### Left out, by reason\n\n" + _md(excluded) + "\n")
        print("### Vehicle routes\n\n" + _md(oneway_table(osm)) + "\n")
        mix, first = grade_tables(osm)
        print("### Grades (city network, walk)\n\n" + _md(mix) + "\n")
        print(f"### 一级 sections ({len(first)})\n\n" + _md(first) + "\n")


if __name__ == "__main__":
    main()
