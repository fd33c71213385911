"""Labels of the plans codes: ``code -> (Chinese, English)`` tables."""

from patrolgeo.labels import register

# cleaning grades 一级 … 四级 (道路分级分类保洁); the codes are the integers 1 … 4
register("grade", {1: ("一级", "Grade 1"), 2: ("二级", "Grade 2"), 3: ("三级", "Grade 3"),
               4: ("四级", "Grade 4")})

# cleaning methods (codes of patrolgeo.plans.method_codes)
register("method", {
    "mechanical_sweeping": ("机械清扫", "mechanical sweeping"),
    "washing": ("冲洗", "washing"),
    "manual_sweeping": ("人工普扫", "manual sweeping"),
    "patrol_cleaning": ("巡回保洁", "patrol cleaning"),
})

# column headers of the plan workbook (plan table and grade-mix columns)
register("plan_column", {
    "section_id": ("路段编号", "section id"), "section_no": ("段号", "section no."),
    "section_from": ("起点路口", "from (cross street)"),
    "section_to": ("终点路口", "to (cross street)"),
    "from_m": ("起点桩号(米)", "from (m)"), "to_m": ("终点桩号(米)", "to (m)"),
    "section_label": ("路段", "section"),
    "road_length_m": ("道路全长(米)", "road length (m)"),
    "sections": ("路段数", "sections"),
    "road_id": ("道路编号", "road id"), "road_name": ("道路名称", "road name"),
    "grade": ("等级", "grade"), "grade_label": ("保洁等级", "cleaning grade"),
    "rules": ("依据规则", "rules"), "reasons": ("定级理由", "reasons"),
    "overridden": ("人工指定", "overridden"), "rule_grade": ("规则等级", "rule grade"),
    "street_part": ("人行道/过街", "sidewalk or crossing"),
    "highway": ("道路类别", "class"), "length_m": ("长度(米)", "length (m)"),
    "n_segments": ("分段数", "segments"), "carriageway_m": ("车行道宽(米)", "carriageway (m)"),
    "sidewalk_m": ("人行道宽(米,两侧)", "sidewalks (m, both)"),
    "area_m2": ("保洁面积(平方米)", "area (m²)"), "frontage": ("临街商铺覆盖率", "frontage"),
    "frontage_count": ("沿街商业点", "frontage features"),
    "draw": ("人流吸引(每公里)", "draw (per km)"), "bus_share": ("公交覆盖率", "bus share"),
    "bus_routes": ("公交线路", "bus routes"), "methods": ("作业方式代码", "method codes"),
    "methods_label": ("作业方式", "methods"),
    "sweeps_per_day": ("普扫(次/日)", "sweeps/day"),
    "sweep_windows": ("清扫时段", "sweep windows"),
    "first_sweep_by": ("首遍完成时间", "first sweep by"),
    "washes_per_week": ("冲洗(次/周)", "washes/week"),
    "wash_windows": ("冲洗时段", "wash windows"),
    "patrol_cleaning_h": ("巡回保洁(小时/日)", "patrol cleaning (h/day)"),
    "patrol_windows": ("巡回保洁时段", "patrol cleaning windows"),
    "machine_blackout": ("禁止机械作业时段", "no machines"),
    "mech_sweep_h_day": ("机扫(人·时/日)", "mech. sweeping (crew-h/day)"),
    "manual_sweep_h_day": ("人工普扫(人·时/日)", "manual sweeping (crew-h/day)"),
    "patrol_clean_h_day": ("巡回保洁(人·时/日)", "patrol cleaning (crew-h/day)"),
    "wash_h_week": ("冲洗(人·时/周)", "washing (crew-h/week)"),
    "crew_hours_day": ("人工(人·时/日)", "crew-h/day"),
    "crew_hours_week": ("人工(人·时/周)", "crew-h/week"),
    "issue_load": ("问题量", "issue load"),
    "patrol_raised_by": ("巡查上调级数", "patrol raised by"),
    "chief_patrol": ("巡查频次代码", "patrol code"),
    "chief_patrol_label": ("路长巡查频次", "chief patrols"),
    "chief_patrols_week": ("巡查(次/周)", "patrols/week"),
    "workload_min_week": ("路长工作量(分钟/周)", "chief workload (min/week)"),
    "roads": ("道路数", "roads"), "km": ("公里", "km"), "share_km": ("里程占比", "share of km"),
    "workload_h_week": ("路长工作量(小时/周)", "chief workload (h/week)"),
})

# popup rows of the grade map about the section (the map_field table of labels._maps)
register("map_field", {
    "section_id": ("路段编号", "Section id"),
    "section_label": ("路段", "Section"),
})
