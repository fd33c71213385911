"""Labels of the maps codes: ``code -> (Chinese, English)`` tables."""

from patrolgeo.labels import register

register("_maps", {})
