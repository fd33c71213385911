"""Labels shared by every face: ``code -> (Chinese, English)`` tables.

Tables
------
``cli``
    Words of the command line that every verb uses (progress, error and note prefixes).
"""

from __future__ import annotations

from patrolgeo.labels import register

register("cli", {
    "working": ("处理中…", "Working…"),
    "error": ("错误：", "error: "),
    "note": ("注意：", "note: "),
    "loading_network": ("读取路网", "Loading road network"),
    "writing_outputs": ("写出结果", "Writing outputs"),
    "index_page": ("目录页", "Index page"),
})
