"""Labels of the issues codes: ``code -> (Chinese, English)`` tables."""

from patrolgeo.labels import register

register("_issues", {})
