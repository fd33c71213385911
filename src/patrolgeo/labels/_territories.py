"""Labels of the territories codes: ``code -> (Chinese, English)`` tables."""

from patrolgeo.labels import register

register("_territories", {})
