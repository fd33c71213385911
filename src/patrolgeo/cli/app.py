"""The typer application and what every verb shares: language, errors, progress."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from patrolgeo import defaults
from patrolgeo.errors import PatrolgeoError
from patrolgeo.labels import LANGS, Text, has_label, label, render


def _argv_lang(argv: list[str] | None = None) -> str:
    """The ``--lang`` of the command line, read before click parses it (for ``--help``)."""
    args = sys.argv[1:] if argv is None else argv
    for n, arg in enumerate(args):
        if arg == "--lang" and n + 1 < len(args):
            return args[n + 1] if args[n + 1] in LANGS else defaults.LANG
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in LANGS else defaults.LANG
    return defaults.LANG


def _localise(command: Any, lang: str) -> None:
    """Put a verb's help and its options' help into ``lang`` (labels ``cli_*``)."""
    if has_label("cli_command", command.name):
        command.help = label("cli_command", command.name, lang)
    for param in command.params:
        for key in (f"{command.name}.{param.name}", str(param.name)):
            if getattr(param, "param_type_name", "") == "option" \
                    and has_label("cli_option", key):
                param.help = label("cli_option", key, lang)
                break


class LocalisedCommand(TyperCommand):
    """A verb whose ``--help`` is in the language of its ``--lang`` (Chinese by default)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Render the help after putting every help text into the command line's language."""
        _localise(self, _argv_lang())
        super().format_help(ctx, formatter)


class LocalisedGroup(TyperGroup):
    """The ``patrolgeo`` group: its verb list in the language of ``--lang``."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Render the verb list with each verb's one line in the command line's language."""
        lang = _argv_lang()
        for command in self.commands.values():
            _localise(command, lang)
        super().format_help(ctx, formatter)


class _Typer(typer.Typer):
    """A Typer app whose verbs default to :class:`LocalisedCommand`."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        """Register a verb (see :meth:`typer.Typer.command`), localised by default."""
        kwargs.setdefault("cls", LocalisedCommand)
        return super().command(*args, **kwargs)


app = _Typer(
    cls=LocalisedGroup,
    name="patrolgeo",
    help="路长制巡查规划 / Road-chief patrol planning from OpenStreetMap.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, log_path=False)


def _print_version(value: bool) -> None:
    """``--version``: print the version and the data licence line, then stop."""
    if value:
        from patrolgeo import ATTRIBUTION, __version__

        print(f"patrolgeo {__version__} (map data {ATTRIBUTION}, ODbL)")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="显示版本并退出 / show the version and exit")] = False) -> None:
    """路长制巡查规划 / Road-chief patrol planning from OpenStreetMap."""

LangOption = Annotated[str, typer.Option("--lang", help="界面语言 zh|en / language")]
OsmOption = Annotated[Path | None, typer.Option("--osm", help="OSM file (.osm, .osm.bz2, "
                                                 ".osm.pbf) or a .graphml cache")]
PlaceOption = Annotated[str | None, typer.Option("--place", help="place to download, e.g. "
                                                 "\"济阳区, 济南市, 山东省\" (needs network)")]
BboxOption = Annotated[str | None, typer.Option("--bbox", help="west,south,east,north in "
                                                "degrees: clips a file, or is downloaded")]
ModeOption = Annotated[str, typer.Option("--mode", help="walk | bike | drive")]
NetworkOption = Annotated[str, typer.Option(
    "--network", help="city（责任路网，默认）| walk | bike | drive（原始路网） / which streets")]
KeepComponentsOption = Annotated[bool, typer.Option(
    "--keep-components", help="保留与主路网不连通的片段 / keep pieces not connected to the "
    "largest one")]
NetworkRulesOption = Annotated[Path | None, typer.Option(
    "--network-rules", help="责任路网规则 TOML（叠加在默认规则上） / network rules TOML")]
OutOption = Annotated[Path, typer.Option("--out", help="output folder")]
BasemapOption = Annotated[str, typer.Option(
    "--basemap", help="底图：auto（默认：国内用高德，国外用 OSM）| osm | amap（GCJ-02）| tianditu"
    "（需环境变量 TIANDITU_KEY） / basemap: auto (AMap inside China, else OSM) | osm | amap "
    "| tianditu (key in TIANDITU_KEY)")]
OfflineOption = Annotated[bool, typer.Option(
    "--offline", help="不加载底图瓦片：最小的自包含文件（地图脚本总是内嵌，无网络也能打开） / "
    "no tiles at all: the smallest self-contained file (maps always inline their scripts "
    "and open with no network)")]


def network_area(
    osm: Path | None, place: str | None, bbox: str | None
) -> tuple[float, float, float, float] | None:
    """Check that a network source was given and return the parsed ``--bbox``, if any.

    Parameters
    ----------
    osm, place, bbox
        The ``--osm``, ``--place`` and ``--bbox`` options.

    Returns
    -------
    tuple of float or None
        ``(west, south, east, north)`` when ``--bbox`` was given.

    Raises
    ------
    AreaError
        When none of the three was given, or the bbox is malformed.
    """
    from patrolgeo.errors import AreaError
    from patrolgeo.roads import parse_bbox

    if osm is None and place is None and bbox is None:
        raise AreaError(Text("请给出 --osm、--place 或 --bbox", "give --osm, --place or --bbox"),
                        field="--osm")
    return parse_bbox(bbox) if bbox else None


def network_options(network: str, keep_components: bool, rules: Path | None) -> Any:
    """Check the ``--network`` options and return them as ``pipeline.NetworkOptions``.

    Parameters
    ----------
    network, keep_components, rules
        The ``--network``, ``--keep-components`` and ``--network-rules`` options.

    Returns
    -------
    patrolgeo.pipeline.NetworkOptions
    """
    from patrolgeo import pipeline, roads

    if rules is not None:
        roads.load_network_rules(rules)  # bad rules fail before the slow steps
    return pipeline.NetworkOptions(network, keep_components, rules)


@dataclass
class Run:
    """One verb's run: its language and its progress display.

    Calling the run is :meth:`step` (verbs written as ``step(message)`` keep working).

    Parameters
    ----------
    lang
        The ``--lang`` of the verb.
    status
        The rich status line, updated by each step.
    """

    lang: str
    status: Any = None

    def step(self, message: str | Text) -> None:
        """Show ``message`` as the current step and log it.

        Parameters
        ----------
        message
            A string, or a :class:`~patrolgeo.labels.Text` rendered in the run's language.
        """
        text = render(message, self.lang)
        if self.status is not None:
            self.status.update(text)
        console.log(text)

    def __call__(self, message: str | Text) -> None:
        """Show ``message`` as the current step (see :meth:`step`)."""
        self.step(message)

    def say(self, message: str | Text, *, err: bool = False) -> None:
        """Print ``message`` in the run's language, to stdout (or stderr)."""
        print(render(message, self.lang), file=sys.stderr if err else sys.stdout)


@contextmanager
def cli_run(lang: str) -> Iterator[Run]:
    """Check the language, show progress, and turn bad input into one line and exit 2.

    Parameters
    ----------
    lang
        The ``--lang`` option.

    Yields
    ------
    Run
        The run: ``run.lang``, ``run.step(message)`` (also ``run(message)``).

    Raises
    ------
    typer.Exit
        With code 2 on an unknown language or a :class:`PatrolgeoError`.
    """
    if lang not in LANGS:
        console.print(f"--lang: unknown language {lang!r}; use zh or en")
        raise typer.Exit(2)
    run = Run(lang)
    try:
        with console.status(label("cli", "working", lang)) as status:
            run.status = status
            yield run
    except PatrolgeoError as exc:
        print(label("cli", "error", lang) + exc.one_line(lang), file=sys.stderr)
        raise typer.Exit(2) from None
    except OSError as exc:  # read-only folder, full disk, a file where a folder must go
        where = f"{exc.filename}: " if exc.filename else ""
        print(label("cli", "error", lang) + where + (exc.strerror or str(exc)),
              file=sys.stderr)
        raise typer.Exit(2) from None


def report(outputs: Iterable[tuple[str | Text, Path]], lang: str = defaults.LANG) -> None:
    """Print where each output went, one ``label: path`` line each.

    Parameters
    ----------
    outputs
        ``(label, path)`` pairs (``RunOutputs.files``); labels may be ``Text``.
    lang
        Language of ``Text`` labels.
    """
    # plain print: rich would wrap long paths, and scripts read these lines
    for text, path in outputs:
        print(f"{render(text, lang)}: {path}")
