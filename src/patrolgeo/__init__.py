"""patrolgeo: road-chief (路长制) patrol planning from OpenStreetMap road networks.

Stages, each a module of pure functions over GeoDataFrames and networkx graphs:
``roads`` (load OSM, segments, roads) -> ``plans`` -> ``issues`` -> ``territories``
-> ``routing`` -> ``maps`` / ``io``.
"""

from patrolgeo.errors import PatrolgeoError

__version__ = "0.1.0"

ATTRIBUTION = "© OpenStreetMap contributors"

__all__ = ["ATTRIBUTION", "PatrolgeoError", "__version__"]
