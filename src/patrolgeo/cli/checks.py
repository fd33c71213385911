"""Option checks that run before any slow step, each naming the option and its range.

A verb checks every option it takes here first, so ``--chiefs 0`` or ``--shift-hours -2``
fails in a second with one line, not after loading and grading a district.

Examples
--------
>>> positive(2.5, "--speed")
2.5
>>> lonlat("117.22,28.30", "--depot")
(117.22, 28.3)
"""

from __future__ import annotations

import math

from patrolgeo.errors import AreaError, ConfigError
from patrolgeo.labels import Text


def _number(value: float | int, option: str) -> float:
    if value is None or not math.isfinite(float(value)):
        raise ConfigError(Text(f"必须是有限数，而不是 {value}",
                               f"must be a finite number, not {value}"), field=option)
    return float(value)


def positive(value: float, option: str, *, most: float | None = None) -> float:
    """``value`` if it is finite, above 0 and at most ``most``; else one clear error."""
    number = _number(value, option)
    if number <= 0 or (most is not None and number > most):
        allowed = f"0 < {option} ≤ {most:g}" if most is not None else f"{option} > 0"
        raise ConfigError(Text(f"应满足 {allowed}，而不是 {value}",
                               f"must be {allowed}, not {value}"), field=option)
    return value


def at_least(value: float, option: str, low: float, *, most: float | None = None) -> float:
    """``value`` if it is finite and within ``[low, most]``; else one clear error."""
    number = _number(value, option)
    if number < low or (most is not None and number > most):
        allowed = f"{low:g} ≤ {option}" + (f" ≤ {most:g}" if most is not None else "")
        raise ConfigError(Text(f"应满足 {allowed}，而不是 {value}",
                               f"must be {allowed}, not {value}"), field=option)
    return value


def share(value: float, option: str) -> float:
    """``value`` if it is a share strictly between 0 and 1 (1 included)."""
    return positive(value, option, most=1.0)


def lonlat(text: str, option: str) -> tuple[float, float]:
    """Parse ``LON,LAT`` in degrees, the one order of every point option.

    A point that only makes sense the other way round (``28.3,117.2``) gets a hint.

    Raises
    ------
    AreaError
        Naming the option, with the expected form.
    """
    try:
        lon, lat = (float(x) for x in str(text).replace("，", ",").split(","))
    except ValueError:
        raise AreaError(Text(f"{text!r} 不是“经度,纬度”（度）", f"{text!r} is not LON,LAT in "
                             "degrees"), field=option) from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise AreaError(Text(f"{text!r} 不是有限的经纬度", f"{text!r} is not a finite LON,LAT"),
                        field=option)
    if -180 <= lon <= 180 and -90 <= lat <= 90:
        return lon, lat
    if -180 <= lat <= 180 and -90 <= lon <= 90:
        raise AreaError(Text(f"{text!r} 像是“纬度,经度”：请按“经度,纬度”给出（{lat},{lon}）",
                             f"{text!r} looks like LAT,LON: give LON,LAT ({lat},{lon})"),
                        field=option)
    raise AreaError(Text(f"{text!r} 超出经度 ±180、纬度 ±90 的范围",
                         f"{text!r} is outside ±180 longitude, ±90 latitude"), field=option)


def clock(text: str, option: str) -> str:
    """``text`` if it is a time of day ``HH:MM`` (00:00–24:00)."""
    parts = str(text).split(":")
    ok = len(parts) == 2 and all(p.isdigit() for p in parts)
    if ok:
        hours, minutes = int(parts[0]), int(parts[1])
        ok = minutes < 60 and (hours < 24 or (hours == 24 and minutes == 0))
    if not ok:
        raise ConfigError(Text(f"{text!r} 不是 HH:MM 时刻", f"{text!r} is not a time HH:MM"),
                          field=option)
    return text


def time_zone(name: str, option: str) -> str:
    """``name`` if it is an IANA time zone (``Asia/Shanghai``); else one clear error."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(Text(f"未知时区 {name!r}（如 Asia/Shanghai）",
                               f"unknown time zone {name!r} (e.g. Asia/Shanghai)"),
                          field=option) from None
    return name
