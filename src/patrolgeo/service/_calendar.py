"""处置时限: time limits per category and kind, counted in working hours of a calendar.

The defaults below follow common 数字城管 practice (hazards within the hour, street order
within a morning, facilities repaired within two working days); a bureau lays its own
TOML file over them (``patrolgeo serve --limits limits.toml``)::

    [calendar]
    periods = ["08:30-12:00", "14:00-17:30"]
    weekdays = [1, 2, 3, 4, 5]           # ISO weekday numbers, Monday = 1
    holidays = ["2025-10-01", "2025-10-02"]
    workdays = ["2025-09-28"]            # 调休: a weekend day worked
    [hours]
    default = 8
    E05 = 1                              # a category code ...
    C0101 = 1                            # ... or a kind code (wins over its category)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from patrolgeo.errors import ConfigError
from patrolgeo.tomlfiles import merge

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: The bureau's time zone: deadlines are working hours of its local clock.
TIME_ZONE = "Asia/Shanghai"

DEFAULT_LIMITS: dict[str, Any] = {
    "calendar": {
        # the common office hours of a Chinese bureau, with the long lunch break
        "periods": ["08:30-12:00", "14:00-17:30"],
        "weekdays": [1, 2, 3, 4, 5],
        "holidays": [],
        "workdays": [],
    },
    "hours": {
        # one working day when nothing more specific is known
        "default": 7.0,
        "E01": 4.0,    # 市容环境: litter, spillage — cleaned the same half-day
        "E02": 7.0,    # 宣传广告: small ads, posters — within the working day
        "E03": 7.0,    # 施工管理
        "E04": 2.0,    # 街面秩序: street vending, parking — while it is happening
        "E05": 1.0,    # 突发事件: emergencies
        "C01": 14.0,   # 公用设施 repairs: two working days
        "C02": 14.0,   # 道路交通 facilities
        "C0101": 1.0,  # 井盖缺失: a missing manhole cover is a danger to people
    },
}


def _minutes(text: str, where: str) -> tuple[int, int]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as exc:
        raise ConfigError(f"period {text!r} is not HH:MM-HH:MM", field=where) from exc
    first, last = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    if last <= first:
        raise ConfigError(f"period {text!r} ends before it starts", field=where)
    return first, last


@dataclass(frozen=True)
class WorkCalendar:
    """Working periods of a day, working weekdays, holidays and worked weekend days."""

    periods: tuple[tuple[int, int], ...]
    weekdays: frozenset[int]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(TIME_ZONE))

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is worked (调休 days count, holidays do not)."""
        if day in self.workdays:
            return True
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def add_hours(self, start_utc: datetime, hours: float) -> datetime:
        """The moment (naive UTC) ``hours`` working hours after ``start_utc`` (naive UTC)."""
        local = start_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(self.tz)
        left = hours * 60.0
        day = local.date()
        now_min = local.hour * 60 + local.minute + local.second / 60
        for _ in range(3660):  # ten years of days: a bad calendar cannot loop forever
            if self.is_workday(day):
                for first, last in self.periods:
                    begin = max(first, now_min)
                    if begin >= last:
                        continue
                    if left <= last - begin:
                        return self._utc(day, begin + left)
                    left -= last - begin
            day, now_min = day + timedelta(days=1), 0.0
        raise ConfigError("the working calendar has no working time", field="calendar")

    def hours_between(self, start_utc: datetime, end_utc: datetime) -> float:
        """Working hours from ``start_utc`` to ``end_utc`` (0 when end is not later)."""
        if end_utc <= start_utc:
            return 0.0
        a = start_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(self.tz)
        b = end_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(self.tz)
        total, day = 0.0, a.date()
        while day <= b.date():
            if self.is_workday(day):
                lo = a.hour * 60 + a.minute + a.second / 60 if day == a.date() else 0.0
                hi = b.hour * 60 + b.minute + b.second / 60 if day == b.date() else 1440.0
                total += sum(max(0.0, min(last, hi) - max(first, lo))
                             for first, last in self.periods)
            day += timedelta(days=1)
        return total / 60.0

    def _utc(self, day: date, minute: float) -> datetime:
        local = datetime.combine(day, time(), self.tz) + timedelta(minutes=minute)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@dataclass(frozen=True)
class Limits:
    """处置时限 (working hours) by kind code, category code, or the default."""

    calendar: WorkCalendar
    hours: dict[str, float]

    def hours_for(self, category_code: str, kind_code: str = "") -> float:
        """The time limit of a kind, else of its category, else the default."""
        for key in (kind_code, category_code):
            if key and key in self.hours:
                return self.hours[key]
        return self.hours["default"]


def _dates(values: Any, where: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(str(v)) for v in values)
    except ValueError as exc:
        raise ConfigError(f"not a date (YYYY-MM-DD): {exc}", field=where) from exc


def limits_from_dict(data: dict[str, Any], source: str = "") -> Limits:
    """Build :class:`Limits` from the structure of the TOML file (defaults merged in)."""
    data = merge(DEFAULT_LIMITS, data)
    cal = data["calendar"]
    periods = tuple(sorted(_minutes(p, "calendar.periods") for p in cal["periods"]))
    weekdays = frozenset(int(d) for d in cal["weekdays"])
    if not periods or not weekdays or not weekdays <= set(range(1, 8)):
        raise ConfigError("calendar needs periods and weekdays 1..7", file=source or None,
                          field="calendar")
    hours = {}
    for key, value in data["hours"].items():
        if not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"hours {value!r} must be a positive number",
                              file=source or None, field=f"hours.{key}")
        hours[str(key)] = float(value)
    return Limits(WorkCalendar(periods, weekdays, _dates(cal["holidays"], "calendar.holidays"),
                               _dates(cal["workdays"], "calendar.workdays")), hours)


def load_limits(path: str | Path | None = None) -> Limits:
    """The default limits, with the TOML file at ``path`` laid over them."""
    if path is None:
        return limits_from_dict({})
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read limits: {exc}", file=path) from exc
    return limits_from_dict(data, str(path))
