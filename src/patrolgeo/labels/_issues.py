"""Labels of the issues codes: ``code -> (Chinese, English)`` tables.

Tables
------
``issue_reject``
    Why intake rejected a row (the ``reason_code`` column of the rejects table).
``issue_reject_detail``
    How a reason and its detail (a bad-line message, where an id was first seen) are
    joined, as ``str.format`` patterns over ``reason`` and ``detail``.
``gi_class``
    Getis-Ord Gi* classes (``hot_99`` … ``cold_99``, ``not_significant``).
``hot_kind``
    The combined class of the two inferences: hot street (more reports than the
    segment's length predicts), hot area (Gi*), both, cold area, none.
``trend``
    Emerging hot/cold spot patterns (the hot form; see :func:`trend_label`).
``issue_text``
    Other words of the issues stage (the chief of unassigned segments, output names).
"""

from __future__ import annotations

from patrolgeo.labels import label, label_or_code, register

register("issue_reject", {
    "missing_value": ("缺少必填值", "required value missing"),
    "not_a_number": ("坐标不是数字", "coordinate is not a number"),
    "out_of_range": ("坐标超出范围（纬度±90，经度±180）",
                     "coordinate out of range (lat ±90, lon ±180)"),
    "null_island": ("坐标为 (0, 0)，多为缺省值",
                    "coordinate is (0, 0), a missing-value placeholder"),
    "lat_lon_swapped": ("经纬度疑似颠倒（交换后落在路网范围内）",
                        "latitude and longitude look swapped (swapped, the point falls "
                        "in the network area)"),
    "bad_geometry": ("几何不是点", "geometry is not a point"),
    "bad_time": ("无法解析的时间", "unparsable time"),
    "time_out_of_range": ("时间不在 2000–2100 年之间", "time outside 2000–2100"),
    "time_in_future": ("时间晚于本次分析的参考时间（--as-of），多为录入错误",
                       "time later than the run's reference time (--as-of), most likely "
                       "a typing error"),
    "time_too_early": ("时间早于最早允许日期（--earliest）",
                       "time earlier than the earliest date allowed (--earliest)"),
    "unknown_category": ("未知的问题大类", "unknown category"),
    "unknown_subcategory": ("未知的问题小类", "unknown subcategory"),
    "subcategory_not_in_category": ("小类不属于该大类",
                                    "subcategory does not belong to the category"),
    "missing_category": ("缺少问题类别", "category missing"),
    "unknown_source": ("未知的来源渠道", "unknown source channel"),
    "duplicate_id": ("编号重复", "duplicate id"),
    "bad_line": ("字段个数不对（多半是未加引号的逗号）",
                 "wrong number of fields (an unquoted comma, most likely)"),
})

register("issue_reject_detail", {
    "bad_line": ("{reason}: {detail}", "{reason}: {detail}"),
    "time_in_future": ("{reason}（参考时间 {detail}）", "{reason} (reference time {detail})"),
    "time_too_early": ("{reason}（最早 {detail}）", "{reason} (earliest {detail})"),
    "duplicate_id": ("{reason}（首次出现于 {detail}）", "{reason} (first seen at {detail})"),
})

register("gi_class", {
    "hot_99": ("热点 99%", "Hot spot 99%"), "hot_95": ("热点 95%", "Hot spot 95%"),
    "hot_90": ("热点 90%", "Hot spot 90%"), "cold_99": ("冷点 99%", "Cold spot 99%"),
    "cold_95": ("冷点 95%", "Cold spot 95%"), "cold_90": ("冷点 90%", "Cold spot 90%"),
    "not_significant": ("不显著", "Not significant"),
})

register("hot_kind", {
    "street_area": ("热点路段（且在热点区域内）", "Hot street in a hot area"),
    "street": ("热点路段", "Hot street"),
    "area": ("热点区域", "Hot area"),
    "cold_area": ("冷点区域", "Cold area"),
    "none": ("不显著", "Not significant"),
})

# words of the hotspot map (popup rows, legend headings)
register("issue_map", {
    "hot_name": ("热点类型", "Hot spot"),
    "street_q": ("热点路段 q 值", "Hot street q"),
    "expected": ("按长度预期问题数", "Issues expected for its length"),
    "gi_q": ("热点区域 q 值", "Hot area q"),
    "title": ("热点路段与热点区域", "Hot streets and hot areas"),
    "kinds": ("热点类型（错误发现率 {fdr}）", "Hot spots (false discovery rate {fdr})"),
    "categories": ("问题类别", "Issue categories"),
    "legend": ("图例", "Legend"),
})

register("trend", {
    "new": ("新增", "New"), "consecutive": ("连续", "Consecutive"),
    "intensifying": ("加剧", "Intensifying"), "persistent": ("持续", "Persistent"),
    "diminishing": ("减弱", "Diminishing"), "sporadic": ("零星", "Sporadic"),
    "oscillating": ("振荡", "Oscillating"), "historical": ("历史", "Historical"),
    "none": ("无明显模式", "No pattern"),
})

register("trend_spot", {
    "hot": ("{name}热点", "{name} hot spot"), "cold": ("{name}冷点", "{name} cold spot"),
})

register("issue_text", {
    "unassigned": ("未分配", "unassigned"),
    "synthetic_tag": ("（合成数据）", " (synthetic data)"),
    "synthetic_reports_csv": ("合成问题上报 CSV", "Synthetic reports CSV"),
    "snapped_csv": ("问题上报（已匹配路段）CSV", "Snapped reports CSV"),
    "snapped_gpkg": ("问题上报 GeoPackage", "Snapped reports GeoPackage"),
    "rejects_csv": ("被拒记录 CSV", "Rejected rows CSV"),
    "hotspots_gpkg": ("热点 GeoPackage", "Hotspots GeoPackage"),
    "issue_load_csv": ("分段问题负荷 CSV", "Issue load per segment CSV"),
    "summary_csv": ("按{key}汇总 CSV", "Issues by {key} CSV"),
    "hotspot_map": ("热点地图", "Hotspot map"),
    "validating": ("校验问题上报", "Validating reports"),
    "snapping": ("匹配到路段", "Snapping to segments"),
    "hotspot_analysis": ("热点分析", "Hotspot analysis"),
})

# the key of a summary table, as the Chinese file label names it ("按道路汇总")
register("issue_summary_key", {
    "road": ("道路", "road"), "category": ("类别", "category"), "week": ("周", "week"),
    "source": ("来源", "source"), "chief": ("路长", "chief"),
})


def gi_class_label(gi_class: str, lang: str = "zh") -> str:
    """Return the words of a Gi* class in ``lang`` (an unknown class as it is).

    Examples
    --------
    >>> gi_class_label("hot_99", "en")
    'Hot spot 99%'
    """
    return label_or_code("gi_class", gi_class, lang)


def hot_kind_label(kind: str, lang: str = "zh") -> str:
    """Return the words of a combined hot-spot class in ``lang`` (unknown: the code).

    Examples
    --------
    >>> hot_kind_label("street", "en")
    'Hot street'
    """
    return label_or_code("hot_kind", kind, lang)


def trend_label(trend: str, lang: str = "zh") -> str:
    """Return the words of an emerging-trend pattern (``cold_`` prefix: cold spots).

    Examples
    --------
    >>> trend_label("cold_persistent", "en")
    'Persistent cold spot'
    >>> trend_label("none", "zh")
    '无明显模式'
    """
    if trend == "none" or not trend:
        return label("trend", "none", lang)
    cold = trend.startswith("cold_")
    code = trend.removeprefix("cold_")
    try:
        name = label("trend", code, lang)
    except KeyError:
        name = code
    return label("trend_spot", "cold" if cold else "hot", lang).format(name=name)


def reject_reason(code: str, detail: str = "", lang: str = "zh") -> str:
    """Return the words of a reject reason in ``lang``, with its detail if it has one.

    Examples
    --------
    >>> reject_reason("duplicate_id", "a.csv:2", "en")
    'duplicate id (first seen at a.csv:2)'
    """
    reason = label("issue_reject", code, lang)
    if code in ("bad_line", "duplicate_id", "time_in_future", "time_too_early"):
        return label("issue_reject_detail", code, lang).format(reason=reason, detail=detail)
    return reason
