"""Labels of the common codes: ``code -> (Chinese, English)`` tables."""

from patrolgeo.labels import register

register("_common", {})
