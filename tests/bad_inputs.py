"""The table of bad inputs every verb must refuse in one line (used by a test and a bench).

Each case is ``(name, args)``; in ``args`` the words ``{osm}`` (the packaged demo
district), ``{out}`` (a fresh output folder) and ``{tmp}/<file>`` (a file of
:data:`FILES`, written before the run) are filled in by :func:`prepare`.
"""

from __future__ import annotations

from pathlib import Path

#: Input files the cases refer to, by name: content, or ``None`` for a folder.
FILES: dict[str, bytes | None] = {
    "empty.osm": b"",
    "broken.osm": b"<osm version='0.6'><node id='1' lat='28.3' lon=",
    "junk.osm.pbf": bytes(range(256)) * 16,
    "roads.txt": b"not an OSM file",
    "folder.osm": None,
    "plain_file": b"I am a file, not a folder",
    "bad.toml": b"[grades.1\nsweeps_per_day = 4\n",
    "negative.toml": b"[grades.1]\nsweeps_per_day = -1\n",
    "unknown_key.toml": b"[grades.1]\nsweeps_per_dya = 4\n",
    "net_bad.toml": b"include_ways = [\"x\"]\n",
    "net_unknown.toml": b"exclude_wayz = [1]\n",
    "overrides_no_road.csv": "grade\n一级\n".encode("utf-8-sig"),
    "overrides_bad_grade.csv": "road_id,grade\n信州路,五级\n".encode("utf-8-sig"),
    "stations_no_lat.csv": "chief_id,lon\nC01,117.22\n".encode("utf-8-sig"),
    "stations_far.csv": "chief_id,lat,lon\nC01,95,117.22\n".encode("utf-8-sig"),
    "pins_unknown.csv": "segment_id,chief_id\n1-2-3,C01\n".encode("utf-8-sig"),
    "previous_foreign.csv": "segment_id,chief_id\n9-8-7,C01\n9-8-6,C02\n".encode("utf-8-sig"),
    "segments_unknown.csv": "segment_id\n1-2-3\n".encode("utf-8-sig"),
    "segments_no_column.csv": "id\n1\n".encode("utf-8-sig"),
    "reports_empty.csv": b"",
    "reports_all_bad.csv": "id,reported_at,category,lat,lon\n1,昨天,环境,abc,117\n".encode(),
    "reports_future.csv": ("id,reported_at,category,subcategory,lat,lon\n"
                           "1,2099-01-01 08:00,市容环境,暴露垃圾,28.30,117.22\n").encode(),
    "assignments_no_chief.csv": "segment_id\n1-2-3\n".encode("utf-8-sig"),
    "carp_bad.dat": b"NOMBRE : x\nVERTICES : -3\n",
}

D = "{osm}"
OUT = ["--out", "{out}"]

CASES: list[tuple[str, list[str]]] = [
    # --------------------------------------------------------------- roads: files
    ("roads: file missing", ["roads", "--osm", "{tmp}/missing.osm", *OUT]),
    ("roads: a folder as the file", ["roads", "--osm", "{tmp}/folder.osm", *OUT]),
    ("roads: empty file", ["roads", "--osm", "{tmp}/empty.osm", *OUT]),
    ("roads: broken XML", ["roads", "--osm", "{tmp}/broken.osm", *OUT]),
    ("roads: junk PBF", ["roads", "--osm", "{tmp}/junk.osm.pbf", *OUT]),
    ("roads: unknown extension", ["roads", "--osm", "{tmp}/roads.txt", *OUT]),
    ("roads: no source at all", ["roads", *OUT]),
    # --------------------------------------------------------------- roads: options
    ("roads: bbox not four numbers", ["roads", "--osm", D, "--bbox", "117.2,28.3", *OUT]),
    ("roads: bbox inverted", ["roads", "--osm", D, "--bbox", "117.3,28.4,117.2,28.3", *OUT]),
    ("roads: bbox outside the data", ["roads", "--osm", D, "--bbox", "120,30,120.1,30.1", *OUT]),
    ("roads: bbox beyond ±180", ["roads", "--osm", D, "--bbox", "-200,28,117,29", *OUT]),
    ("roads: unknown mode", ["roads", "--osm", D, "--mode", "fly", *OUT]),
    ("roads: unknown network", ["roads", "--osm", D, "--network", "county", *OUT]),
    ("roads: unknown language", ["roads", "--osm", D, "--lang", "fr", *OUT]),
    ("roads: unknown basemap", ["roads", "--osm", D, "--basemap", "google", *OUT]),
    ("roads: network rules missing", ["roads", "--osm", D, "--network-rules",
                                      "{tmp}/missing.toml", *OUT]),
    ("roads: network rules of wrong type", ["roads", "--osm", D, "--network-rules",
                                            "{tmp}/net_bad.toml", *OUT]),
    ("roads: network rules unknown key", ["roads", "--osm", D, "--network-rules",
                                          "{tmp}/net_unknown.toml", *OUT]),
    ("roads: city network of a download", ["roads", "--place", "贵溪市", *OUT]),
    # --------------------------------------------------------------- output folders
    ("roads: --out is a file", ["roads", "--osm", D, "--out", "{tmp}/plain_file"]),
    ("roads: --out below a file", ["roads", "--osm", D, "--out", "{tmp}/plain_file/x"]),
    ("demo: --out is a file", ["demo", "--out", "{tmp}/plain_file"]),
    ("demo: broken OSM file", ["demo", "--osm", "{tmp}/broken.osm", *OUT]),
    ("demo: unknown language", ["demo", "--lang", "xx", *OUT]),
    # --------------------------------------------------------------- plan
    ("plan: no --osm", ["plan", *OUT]),
    ("plan: rules file missing", ["plan", "--osm", D, "--rules", "{tmp}/missing.toml", *OUT]),
    ("plan: rules not TOML", ["plan", "--osm", D, "--rules", "{tmp}/bad.toml", *OUT]),
    ("plan: rules negative sweeps", ["plan", "--osm", D, "--rules", "{tmp}/negative.toml",
                                     *OUT]),
    ("plan: rules unknown key", ["plan", "--osm", D, "--rules", "{tmp}/unknown_key.toml",
                                 *OUT]),
    ("plan: overrides without road_id", ["plan", "--osm", D, "--overrides",
                                         "{tmp}/overrides_no_road.csv", *OUT]),
    ("plan: overrides with grade 五级", ["plan", "--osm", D, "--overrides",
                                        "{tmp}/overrides_bad_grade.csv", *OUT]),
    # --------------------------------------------------------------- assign
    ("assign: no chiefs", ["assign", "--osm", D, *OUT]),
    ("assign: --chiefs 0", ["assign", "--osm", D, "--chiefs", "0", *OUT]),
    ("assign: --chiefs -3", ["assign", "--osm", D, "--chiefs", "-3", *OUT]),
    ("assign: --chiefs 100000", ["assign", "--osm", D, "--chiefs", "100000", *OUT]),
    ("assign: --chiefs not a number", ["assign", "--osm", D, "--chiefs", "八", *OUT]),
    ("assign: --tolerance 2", ["assign", "--osm", D, "--chiefs", "3", "--tolerance", "2",
                               *OUT]),
    ("assign: --road-share 0", ["assign", "--osm", D, "--chiefs", "3", "--road-share", "0",
                                *OUT]),
    ("assign: stations without lat", ["assign", "--osm", D, "--stations",
                                      "{tmp}/stations_no_lat.csv", *OUT]),
    ("assign: station latitude 95", ["assign", "--osm", D, "--stations",
                                     "{tmp}/stations_far.csv", *OUT]),
    ("assign: pin on an unknown segment", ["assign", "--osm", D, "--chiefs", "3", "--pins",
                                           "{tmp}/pins_unknown.csv", *OUT]),
    ("assign: previous shares no segment", ["assign", "--osm", D, "--previous",
                                            "{tmp}/previous_foreign.csv", *OUT]),
    # --------------------------------------------------------------- route
    ("route: no --osm", ["route", *OUT]),
    ("route: --start not a point", ["route", "--osm", D, "--start", "north gate", *OUT]),
    ("route: --start far away", ["route", "--osm", D, "--start", "0,0", *OUT]),
    ("route: --speed 0", ["route", "--osm", D, "--speed", "0", *OUT]),
    ("route: segments not on the network", ["route", "--osm", D, "--segments",
                                            "{tmp}/segments_unknown.csv", *OUT]),
    ("route: segments without segment_id", ["route", "--osm", D, "--segments",
                                            "{tmp}/segments_no_column.csv", *OUT]),
    ("route: segments file missing", ["route", "--osm", D, "--segments",
                                      "{tmp}/missing.csv", *OUT]),
    # --------------------------------------------------------------- shifts
    ("shifts: --shift-hours -2", ["shifts", "--osm", D, "--shift-hours", "-2", *OUT]),
    ("shifts: --radius 0", ["shifts", "--osm", D, "--radius", "0", *OUT]),
    ("shifts: --crews 0", ["shifts", "--osm", D, "--crews", "0", *OUT]),
    ("shifts: --speed 0", ["shifts", "--osm", D, "--speed", "0", *OUT]),
    ("shifts: --depot 500 km away", ["shifts", "--osm", D, "--depot", "122.2,28.3", *OUT]),
    ("shifts: --depot swapped", ["shifts", "--osm", D, "--depot", "28.30,117.22", *OUT]),
    ("shifts: --depot not a point", ["shifts", "--osm", D, "--depot", "depot", *OUT]),
    ("shifts: --start 25:00", ["shifts", "--osm", D, "--start", "25:00", *OUT]),
    ("shifts: start after end", ["shifts", "--osm", D, "--start", "18:00", "--end", "07:00",
                                 *OUT]),
    ("shifts: --capacity -1", ["shifts", "--osm", D, "--capacity", "-1", *OUT]),
    ("shifts: --iterations 0", ["shifts", "--osm", D, "--iterations", "0", *OUT]),
    ("shifts: --seconds 0", ["shifts", "--osm", D, "--seconds", "0", *OUT]),
    ("shifts: --school-gate swapped", ["shifts", "--osm", D, "--school-gate", "28.3,117.2",
                                       *OUT]),
    # --------------------------------------------------------------- hotspots
    ("hotspots: no --issues", ["hotspots", "--osm", D, *OUT]),
    ("hotspots: issues file missing", ["hotspots", "--osm", D, "--issues",
                                       "{tmp}/missing.csv", *OUT]),
    ("hotspots: empty issues file", ["hotspots", "--osm", D, "--issues",
                                     "{tmp}/reports_empty.csv", *OUT]),
    ("hotspots: no valid report", ["hotspots", "--osm", D, "--issues",
                                   "{tmp}/reports_all_bad.csv", *OUT]),
    ("hotspots: unknown time zone", ["hotspots", "--osm", D, "--issues",
                                     "{tmp}/reports_future.csv", "--tz", "Mars/Base", *OUT]),
    ("hotspots: unknown datum", ["hotspots", "--osm", D, "--issues",
                                 "{tmp}/reports_future.csv", "--crs", "mars2000", *OUT]),
    # --------------------------------------------------------------- map, carp
    ("map: assignments file missing", ["map", "--osm", D, "--assignments",
                                       "{tmp}/missing.csv", *OUT]),
    ("map: assignments without chief_id", ["map", "--osm", D, "--assignments",
                                           "{tmp}/assignments_no_chief.csv", *OUT]),
    ("carp: file missing", ["carp", "{tmp}/missing.dat"]),
    ("carp: not a CARP file", ["carp", "{tmp}/carp_bad.dat"]),
    ("carp: --out is a folder", ["carp", "{tmp}/carp_bad.dat", "--out", "{tmp}/folder.osm"]),
]


def prepare(tmp: Path, out: Path, args: list[str], osm: Path) -> list[str]:
    """Write :data:`FILES` under ``tmp`` (once) and fill the placeholders of ``args``."""
    for name, content in FILES.items():
        path = tmp / name
        if path.exists():
            continue
        if content is None:
            path.mkdir(parents=True)
        else:
            path.write_bytes(content)
    return [a.replace("{osm}", str(osm)).replace("{out}", str(out)).replace("{tmp}", str(tmp))
            for a in args]
