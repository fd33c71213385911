"""Labels of the roads codes: ``code -> (Chinese, English)`` tables."""

from patrolgeo.labels import register

register("_roads", {})
