"""Labels of the plans codes: ``code -> (Chinese, English)`` tables."""

from patrolgeo.labels import register

# cleaning grades 一级 … 四级 (道路分级分类保洁); the codes are the integers 1 … 4
register("grade", {1: ("一级", "Grade 1"), 2: ("二级", "Grade 2"), 3: ("三级", "Grade 3"),
                   4: ("四级", "Grade 4")})
