"""Areas of a network: bounding boxes and clipping polygons in WGS-84 degrees."""

from __future__ import annotations

from shapely.geometry import Polygon, box

from patrolgeo.errors import AreaError


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse ``"west,south,east,north"`` in degrees (the order osmnx 2 uses)."""
    try:
        west, south, east, north = (float(x) for x in text.split(","))
    except ValueError as exc:
        raise AreaError(f"bbox {text!r} is not four numbers west,south,east,north",
                        field="bbox") from exc
    check_bbox((west, south, east, north))
    return (west, south, east, north)


def check_bbox(bbox: tuple[float, float, float, float]) -> None:
    """Raise :class:`AreaError` unless ``bbox`` is a valid west,south,east,north box."""
    west, south, east, north = bbox
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise AreaError(
            f"bbox {bbox} is not west<east, south<north within ±180/±90 degrees", field="bbox"
        )


def _area_polygon(
    bbox: tuple[float, float, float, float] | None, polygon: Polygon | None
) -> Polygon | None:
    """Return ``polygon``, else the checked ``bbox`` as a box, else ``None``."""
    if polygon is not None:
        return polygon
    if bbox is not None:
        check_bbox(bbox)
        return box(*bbox)
    return None
