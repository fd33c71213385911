"""The typer application and what every verb shares: language, errors, progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from patrolgeo.errors import PatrolgeoError
from patrolgeo.i18n import set_lang, tr

app = typer.Typer(
    name="patrolgeo",
    help="路长制巡查规划 / Road-chief patrol planning from OpenStreetMap.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, log_path=False)

LangOption = Annotated[str, typer.Option("--lang", help="界面语言 zh|en / language")]
OsmOption = Annotated[Path | None, typer.Option("--osm", help="OSM file (.osm, .osm.bz2, "
                                                 ".osm.pbf) or a .graphml cache")]
PlaceOption = Annotated[str | None, typer.Option("--place", help="place to download, e.g. "
                                                 "\"济阳区, 济南市, 山东省\" (needs network)")]
BboxOption = Annotated[str | None, typer.Option("--bbox", help="west,south,east,north in "
                                                "degrees: clips a file, or is downloaded")]
ModeOption = Annotated[str, typer.Option("--mode", help="walk | bike | drive")]
OutOption = Annotated[Path, typer.Option("--out", help="output folder")]
BasemapOption = Annotated[str, typer.Option("--basemap", help="osm | amap (GCJ-02) | tianditu")]
OfflineOption = Annotated[bool, typer.Option("--offline", help="self-contained maps that open "
                                             "with no network (no tiles)")]


def network_area(
    osm: Path | None, place: str | None, bbox: str | None
) -> tuple[float, float, float, float] | None:
    """Check that a network source was given and return the parsed ``--bbox``, if any."""
    from patrolgeo.errors import AreaError
    from patrolgeo.roads import parse_bbox

    if osm is None and place is None and bbox is None:
        raise AreaError(tr("请给出 --osm、--place 或 --bbox", "give --osm, --place or --bbox"),
                        field="--osm")
    return parse_bbox(bbox) if bbox else None


@contextmanager
def cli_run(lang: str) -> Iterator[Callable[[str], None]]:
    """Set the language, show progress, and turn bad input into one line and exit 2."""
    if lang not in ("zh", "en"):
        console.print(f"--lang: unknown language {lang!r}; use zh or en")
        raise typer.Exit(2)
    set_lang(lang)
    try:
        with console.status(tr("处理中…", "Working…")) as status:
            def step(message: str) -> None:
                status.update(message)
                console.log(message)

            yield step
    except PatrolgeoError as exc:
        print(tr("错误：", "error: ") + exc.one_line(), file=sys.stderr)
        raise typer.Exit(2) from None


def report(outputs: list[tuple[str, Path]]) -> None:
    """Print where each output went."""
    # plain print: rich would wrap long paths, and scripts read these lines
    for label, path in outputs:
        print(f"{label}: {path}")
