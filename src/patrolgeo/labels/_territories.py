"""Labels of the territories codes: ``code -> (Chinese, English)`` tables."""

from patrolgeo.labels import register

register("_territories", {})

#: Notes on an assignment (``patrolgeo.territories.TerritoryNote``): templates filled
#: in with the note's parameters by ``patrolgeo.territories.note_text``.
register("territory_note", {
    "previous_disjoint": ("上次分配与当前路网无共同分段，重新划分",
                          "the previous assignment shares no segment with this network; "
                          "partitioned afresh"),
    "out_of_band": ("未能把工作量控制在 ±{tolerance:.0%} 内（最大 {max:.3f}，最小 {min:.3f}）",
                    "workloads could not all be brought within ±{tolerance:.0%} of target "
                    "(max {max:.3f}, min {min:.3f})"),
    "disconnected": ("{count} 个片区不连通（固定分配所致）",
                     "{count} territories are not connected (forced by pins)"),
})

#: Labels of the files ``patrolgeo.pipeline.write_territories`` writes (``{chief}``:
#: the chief id).
register("territory_output", {
    "assignments": ("分配表 CSV", "Assignments CSV"),
    "chiefs": ("路长汇总 CSV", "Chief summary CSV"),
    "gpkg": ("片区 GeoPackage", "Territories GeoPackage"),
    "moved": ("变动分段 CSV", "Moved segments CSV"),
    "overview": ("路长片区总览图", "Territory overview map"),
    "gpx_name": ("路长 {chief} 巡查路线", "Road chief {chief} patrol"),
    "chief_map": ("路长 {chief} 巡查地图", "Road chief {chief} map"),
    "chief_gpx": ("路长 {chief} GPX 轨迹", "Road chief {chief} GPX"),
    "chief_steps": ("路长 {chief} 逐段指引", "Road chief {chief} turn-by-turn"),
})
