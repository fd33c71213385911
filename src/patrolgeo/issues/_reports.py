"""The tables of issue intake: report fields, channel labels, raw and validated reports.

Row numbers follow what the user sees when opening the file: for CSV, the spreadsheet
row (the header is row 1, so the first report is row 2); for GeoJSON, the 1-based index
of the feature in ``features``; for Open311 JSON, the 1-based index of the request in the
list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from patrolgeo.labels._issues import reject_reason

#: The fields of a report, in output order.
REPORT_FIELDS = ("id", "reported_at", "category", "subcategory", "source", "status", "lat",
                 "lon", "description")

#: Report channels and the labels they go by in bureau tables.
SOURCES: dict[str, tuple[str, ...]] = {
    "patrol": ("巡查", "路长巡查", "巡查上报", "巡查发现", "inspection"),
    "citizen_photo": ("随手拍", "市民随手拍", "photo", "citizen", "app"),
    "video": ("视频", "视频监控", "监控", "camera", "cctv"),
    "hotline_12345": ("12345", "12345热线", "热线", "hotline", "市民热线"),
    "trajectory": ("轨迹", "巡查轨迹", "gps", "track"),
    "other": ("其他", "其它", "open311"),
}

#: Statuses and their usual labels; other statuses are kept as written.
STATUSES: dict[str, tuple[str, ...]] = {
    "open": ("待处理", "未处理", "待受理", "新建", "new", "submitted", "reported"),
    "in_progress": ("处理中", "已派遣", "已受理", "办理中", "acknowledged", "assigned",
                    "in progress"),
    "closed": ("已办结", "已处理", "结案", "已结案", "办结", "resolved", "done", "fixed"),
}

#: Column names accepted for each field (compared after NFKC, trim and casefold).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "案件编号", "工单号", "问题编号", "report_id", "issue_id"),
    "reported_at": ("reported_at", "上报时间", "发现时间", "时间", "datetime", "time",
                    "timestamp", "requested_datetime"),
    "category": ("category", "大类", "问题大类", "类别", "category_name"),
    "subcategory": ("subcategory", "小类", "问题小类", "子类", "kind", "type"),
    "source": ("source", "来源", "问题来源", "渠道", "channel"),
    "status": ("status", "状态", "处理状态"),
    "lat": ("lat", "纬度", "latitude", "y"),
    "lon": ("lon", "经度", "lng", "long", "longitude", "x"),
    "description": ("description", "描述", "问题描述", "内容", "desc"),
    "synthetic": ("synthetic", "合成数据"),
}
REQUIRED_COLUMNS = ("id", "reported_at", "lat", "lon")

#: Input coordinate systems: WGS-84 (GPS, OSM) and the Chinese web-map datums.
INPUT_CRS = ("wgs84", "gcj02", "bd09")

_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S",
            "%Y.%m.%d %H:%M", "%Y.%m.%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
            "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日")

#: The columns of the rejects table as written (``reason`` in the reader's language).
REJECT_COLUMNS = ["source_file", "row", "id", "field", "value", "reason_code", "reason",
                  "record"]

#: The columns of :attr:`Intake.rejects`: codes only, ``detail`` the parameter of the
#: reason (the parser's message for ``bad_line``, ``file:row`` of the first occurrence
#: for ``duplicate_id``, else ``""``).
REJECT_CODE_COLUMNS = ["source_file", "row", "id", "field", "value", "reason_code",
                       "detail", "record"]

OUTPUT_COLUMNS = ["id", "reported_at", "week", "category_code", "category",
                  "subcategory_code", "subcategory", "group", "severity", "source", "status",
                  "lat", "lon", "description", "synthetic", "source_file", "row"]


# --------------------------------------------------------------------------- results


@dataclass
class RawReports:
    """Reports as read from one or more files, before validation.

    ``frame`` has one text column per field of :data:`REPORT_FIELDS` (``""`` when
    absent) plus ``synthetic``, ``source_file`` and ``row``; ``records`` gives back the
    original record of a row (for the rejects file).
    """

    frame: pd.DataFrame
    originals: list[tuple[str, Any, int]] = field(default_factory=list)

    def record(self, position: int) -> str:
        """Return the original row at ``position`` of ``frame`` as JSON text."""
        for _name, original, start in reversed(self.originals):
            if position >= start:
                offset = position - start
                if isinstance(original, pd.DataFrame):
                    rec = original.iloc[offset].to_dict()
                else:
                    rec = original[offset]
                return json.dumps(rec, ensure_ascii=False, default=str)
        raise IndexError(position)  # pragma: no cover


@dataclass
class Intake:
    """Validated reports and the rejected rows.

    Attributes
    ----------
    reports
        One row per kept report, columns :data:`OUTPUT_COLUMNS`; ``reported_at`` is a
        naive local time, ``week`` the Monday that starts its week, ``lat``/``lon`` in
        WGS-84.
    rejects
        One row per problem found (a row with two problems appears twice), columns
        :data:`REJECT_CODE_COLUMNS`; ``row`` follows the convention of the module
        docstring. :meth:`rejects_table` gives it with the reasons in words.
    n_read
        Rows read in all.
    """

    reports: pd.DataFrame
    rejects: pd.DataFrame
    n_read: int

    @property
    def n_rejected_rows(self) -> int:
        """Number of distinct input rows rejected."""
        return int(self.rejects[["source_file", "row"]].drop_duplicates().shape[0])

    @property
    def synthetic(self) -> bool:
        """Whether any kept report is synthetic (demo data)."""
        return bool(self.reports["synthetic"].any()) if len(self.reports) else False

    def rejects_table(self, lang: str = "zh") -> pd.DataFrame:
        """Return the rejects with their reasons in ``lang`` (:data:`REJECT_COLUMNS`).

        Parameters
        ----------
        lang
            ``"zh"`` or ``"en"``.

        Returns
        -------
        pandas.DataFrame
            What ``rejects.csv`` holds.
        """
        return rejects_table(self.rejects, lang)


def rejects_table(rejects: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Render a rejects table of codes (:data:`REJECT_CODE_COLUMNS`) in ``lang``.

    Parameters
    ----------
    rejects
        :attr:`Intake.rejects`.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REJECT_COLUMNS`; ``reason`` is the reason in words, with its
        detail where it has one.
    """
    if len(rejects) == 0:
        return pd.DataFrame(columns=REJECT_COLUMNS)
    table = rejects.copy()
    table["reason"] = [reject_reason(code, detail, lang) for code, detail in
                       zip(table["reason_code"], table["detail"], strict=True)]
    return table[REJECT_COLUMNS]
