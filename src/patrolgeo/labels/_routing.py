"""Labels of the routing codes: ``code -> (Chinese, English)`` tables."""

from patrolgeo.labels import register

register("_routing", {})
