"""One decoding rule for every tabular input: UTF-8, UTF-8 with BOM, GB18030."""

from __future__ import annotations

import pandas as pd
import pytest

from patrolgeo.errors import InputRowError
from patrolgeo.pipeline import read_required_segments
from patrolgeo.readers import read_frame, read_rows

ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
TEXT = "segment_id,备注\n1-2-3,东门 菜市场\n4-5-6,\n"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_reader_takes_the_encodings_excel_and_scripts_write(tmp_path, encoding):
    path = tmp_path / "t.csv"
    path.write_bytes(TEXT.encode(encoding))
    frame = read_frame(path)
    assert list(frame.columns) == ["segment_id", "备注"]
    assert frame["备注"].tolist() == ["东门 菜市场", ""]
    rows = read_rows(path, required=("segment_id",))
    assert [(line, row["segment_id"]) for line, row in rows.rows] == [(2, "1-2-3"), (3, "4-5-6")]
    segments = pd.DataFrame({"segment_id": ["1-2-3", "4-5-6", "7-8-9"]})
    assert read_required_segments(path, segments) == ["1-2-3", "4-5-6"]


def test_bad_tables_name_file_row_and_field_in_both_languages(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\x81")
    with pytest.raises(InputRowError) as caught:
        read_frame(path)
    assert caught.value.file == str(path)
    path.write_text("chief_id,lat\nA,1\n", encoding="utf-8")
    with pytest.raises(InputRowError) as caught:
        read_rows(path, required=("chief_id", "lat", "lon"))
    assert (caught.value.row, caught.value.field) == (1, "lon")
    missing = tmp_path / "none.csv"
    with pytest.raises(InputRowError) as caught:
        read_rows(missing)
    assert caught.value.one_line("en").endswith("file not found")
    assert caught.value.one_line("zh").endswith("文件不存在")
    segments = pd.DataFrame({"segment_id": ["1-2-3"]})
    path.write_text("segment_id\n1-2-3\n9-9-9\n", encoding="utf-8")
    with pytest.raises(InputRowError) as caught:
        read_required_segments(path, segments)
    assert (caught.value.row, caught.value.field) == (3, "segment_id")
