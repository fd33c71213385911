"""Issue taxonomy: categories (大类) and kinds (小类), with severities for the issue load.

The default ships as package data (``patrolgeo/data/taxonomy_gbt30428.toml``) and follows
the event and component classes of GB/T 30428.2. A bureau loads its own list from TOML,
JSON or CSV with :func:`load_taxonomy`; reports are matched to it by code, Chinese or
English name, or alias, ignoring case, full-width forms and surrounding spaces.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from patrolgeo.errors import ConfigError
from patrolgeo.readers import read_frame

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

GROUPS = ("event", "component")
DEFAULT_TAXONOMY = "taxonomy_gbt30428.toml"

#: Why a category/kind pair did not resolve (``""`` when it did).
UNKNOWN_CATEGORY = "unknown_category"
UNKNOWN_KIND = "unknown_subcategory"
KIND_NOT_IN_CATEGORY = "subcategory_not_in_category"
MISSING_CATEGORY = "missing_category"


def normalize_label(text: Any) -> str:
    """Return the matching key of a label: NFKC (full-width to ASCII), trimmed, casefolded."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


@dataclass(frozen=True)
class Kind:
    """One kind of issue (小类) within a category."""

    code: str
    name: str
    name_en: str
    category_code: str
    severity: float = 1.0
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    """One category (大类): an event or component class and its kinds."""

    code: str
    name: str
    name_en: str
    group: str
    kinds: tuple[Kind, ...]
    severity: float = 1.0
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolved:
    """Codes resolved from category/kind labels, aligned with the input rows.

    ``error`` holds one of the ``UNKNOWN_*`` / ``KIND_NOT_IN_CATEGORY`` /
    ``MISSING_CATEGORY`` codes, or ``""`` where the row resolved.
    """

    category_code: pd.Series
    kind_code: pd.Series
    error: pd.Series


@dataclass(frozen=True)
class Taxonomy:
    """A bureau's list of issue categories and kinds.

    Parameters
    ----------
    name
        A label for the list (shown in outputs).
    categories
        The categories, each with its kinds. Codes are unique across the whole list.
    source
        Where it was loaded from.
    """

    name: str
    categories: tuple[Category, ...]
    source: str = ""
    _category_keys: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _kind_keys: dict[tuple[str, str], str] = field(default_factory=dict, repr=False,
                                                   compare=False)
    _global_kind_keys: dict[str, str | None] = field(default_factory=dict, repr=False,
                                                     compare=False)

    def __post_init__(self) -> None:
        """Index every label of the categories and kinds by its matching key."""
        for cat in self.categories:
            for label in (cat.code, cat.name, cat.name_en, *cat.aliases):
                key = normalize_label(label)
                if key:
                    self._category_keys.setdefault(key, cat.code)
            for kind in cat.kinds:
                for label in (kind.code, kind.name, kind.name_en, *kind.aliases):
                    key = normalize_label(label)
                    if not key:
                        continue
                    self._kind_keys.setdefault((cat.code, key), kind.code)
                    # a kind label names a kind without its category only when unique
                    previous = self._global_kind_keys.get(key, kind.code)
                    self._global_kind_keys[key] = kind.code if previous == kind.code else None

    # ----------------------------------------------------------------- views

    @property
    def kinds(self) -> dict[str, Kind]:
        """Every kind by code."""
        return {k.code: k for c in self.categories for k in c.kinds}

    @property
    def category_by_code(self) -> dict[str, Category]:
        """Every category by code."""
        return {c.code: c for c in self.categories}

    def table(self) -> pd.DataFrame:
        """One row per kind (plus one per category without kinds).

        Columns ``group, category_code, category, category_en, kind_code, kind, kind_en,
        severity``.
        """
        rows = []
        for cat in self.categories:
            for kind in cat.kinds or (None,):
                rows.append({
                    "group": cat.group, "category_code": cat.code, "category": cat.name,
                    "category_en": cat.name_en,
                    "kind_code": kind.code if kind else "",
                    "kind": kind.name if kind else "",
                    "kind_en": kind.name_en if kind else "",
                    "severity": kind.severity if kind else cat.severity,
                })
        return pd.DataFrame(rows)

    def severity_of(self, category_code: pd.Series, kind_code: pd.Series) -> pd.Series:
        """Severity of each row: the kind's, else the category's."""
        by_kind = {k.code: k.severity for c in self.categories for k in c.kinds}
        by_cat = {c.code: c.severity for c in self.categories}
        kind_sev = kind_code.map(by_kind)
        return kind_sev.fillna(category_code.map(by_cat)).fillna(1.0).astype(float)

    # ----------------------------------------------------------------- matching

    def resolve(self, category: pd.Series, kind: pd.Series) -> Resolved:
        """Resolve category and kind labels (codes, names or aliases) to codes.

        A kind alone (empty category) resolves when its label names one kind only; a
        category label given as the kind (as Open311 ``service_code`` may be) resolves
        to that category with no kind. Work is done once per distinct pair, so a million
        rows with a few hundred distinct labels cost little.

        Parameters
        ----------
        category, kind
            Labels as read, aligned; empty strings for missing values.
        """
        cat_codes_in, cat_uniques = pd.factorize(category.astype(str).to_numpy())
        kind_codes_in, kind_uniques = pd.factorize(kind.astype(str).to_numpy())
        # one integer per (category, kind) pair, then the distinct pairs
        codes, pair_uniques = pd.factorize(cat_codes_in.astype(np.int64) * len(kind_uniques)
                                           + kind_codes_in)
        uniques = [(cat_uniques[p // len(kind_uniques)], kind_uniques[p % len(kind_uniques)])
                   for p in pair_uniques.tolist()]
        resolved = [self._resolve_one(c, k) for c, k in uniques]
        cat_codes = np.array([r[0] for r in resolved] or [""], dtype=object)
        kind_codes = np.array([r[1] for r in resolved] or [""], dtype=object)
        errors = np.array([r[2] for r in resolved] or [""], dtype=object)
        index = category.index
        return Resolved(
            category_code=pd.Series(cat_codes[codes], index=index, dtype=object),
            kind_code=pd.Series(kind_codes[codes], index=index, dtype=object),
            error=pd.Series(errors[codes], index=index, dtype=object),
        )

    def _resolve_one(self, category: str, kind: str) -> tuple[str, str, str]:
        cat_key, kind_key = normalize_label(category), normalize_label(kind)
        if cat_key:
            cat_code = self._category_keys.get(cat_key)
            if cat_code is None:
                return "", "", UNKNOWN_CATEGORY
            if not kind_key:
                return cat_code, "", ""
            kind_code = self._kind_keys.get((cat_code, kind_key))
            if kind_code is not None:
                return cat_code, kind_code, ""
            if self._global_kind_keys.get(kind_key):
                return cat_code, "", KIND_NOT_IN_CATEGORY
            return cat_code, "", UNKNOWN_KIND
        if not kind_key:
            return "", "", MISSING_CATEGORY
        kind_code = self._global_kind_keys.get(kind_key)
        if kind_code:
            return self.kinds[kind_code].category_code, kind_code, ""
        if kind_key in self._category_keys:
            return self._category_keys[kind_key], "", ""
        return "", "", UNKNOWN_KIND


# --------------------------------------------------------------------------- loading


def default_taxonomy() -> Taxonomy:
    """Return the default taxonomy built on GB/T 30428.2 (shipped as package data)."""
    data_file = resources.files("patrolgeo").joinpath("data", DEFAULT_TAXONOMY)
    with data_file.open("rb") as fh:
        data = tomllib.load(fh)
    return taxonomy_from_dict(data, source=f"patrolgeo:{DEFAULT_TAXONOMY}")


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy from a TOML, JSON or CSV file, or the default when ``path`` is None.

    TOML and JSON hold ``name`` and a list ``category`` of tables with ``code, name,
    name_en, group`` (``event`` or ``component``), optional ``severity`` and ``aliases``,
    and a list ``kinds`` of tables with ``code, name``, optional ``name_en, severity,
    aliases`` (see the default file). CSV (UTF-8 or GB18030, as Excel writes it) has one
    row per kind with columns ``category_code, category, kind_code, kind`` and optional
    ``category_en, kind_en, group, severity, aliases`` (aliases separated by ``;``).

    Raises
    ------
    ConfigError
        The file is missing, unreadable, or breaks the rules (duplicate codes, missing
        names, a severity that is not a positive number), naming file, row and field.
    """
    if path is None:
        return default_taxonomy()
    path = Path(path)
    if not path.exists():
        raise ConfigError("file not found", file=path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        elif suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        elif suffix == ".csv":
            return _taxonomy_from_csv(path)
        else:
            raise ConfigError(f"unknown taxonomy format {suffix!r}: use .toml, .json or .csv",
                              file=path)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot parse: {exc}", file=path) from exc
    return taxonomy_from_dict(data, source=str(path))


def _positive(value: Any, *, file: str, row: int | None, field_name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not np.isfinite(number) or number <= 0:
        raise ConfigError(f"severity {value!r} is not a positive number", file=file, row=row,
                          field=field_name)
    return number


def _aliases(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(a.strip() for a in value.split(";") if a.strip())
    return tuple(str(a).strip() for a in value if str(a).strip())


def _code_and_name(raw: Any, what: str, where: str, seen: dict[str, str], source: str,
                   row: int) -> tuple[str, str]:
    """Check one category or kind table: a table with a code (unique) and a name."""
    if not isinstance(raw, dict):
        raise ConfigError(f"a {what} must be a table", file=source, row=row, field=where)
    code, name = str(raw.get("code", "")).strip(), str(raw.get("name", "")).strip()
    if not code or not name:
        raise ConfigError(f"a {what} needs a code and a name", file=source, row=row,
                          field=f"{where}.code" if not code else f"{where}.name")
    if code in seen:
        raise ConfigError(f"code {code!r} used twice", file=source, row=row,
                          field=f"{where}.code")
    seen[code] = where
    return code, name


def taxonomy_from_dict(data: dict[str, Any], *, source: str = "") -> Taxonomy:
    """Build a :class:`Taxonomy` from the structure of the TOML/JSON file."""
    if not isinstance(data, dict) or not isinstance(data.get("category"), list):
        raise ConfigError("expected a list of [[category]] tables", file=source,
                          field="category")
    seen: dict[str, str] = {}
    categories = []
    for i, raw in enumerate(data["category"], start=1):
        where = f"category[{i}]"
        code, name = _code_and_name(raw, "category", where, seen, source, i)
        group = str(raw.get("group", "event")).strip() or "event"
        if group not in GROUPS:
            raise ConfigError(f"group {group!r} is not one of {', '.join(GROUPS)}", file=source,
                              row=i, field=f"{where}.group")
        cat_severity = _positive(raw.get("severity", 1.0), file=source, row=i,
                                 field_name=f"{where}.severity")
        kinds = []
        for j, kraw in enumerate(raw.get("kinds", raw.get("kind", [])) or [], start=1):
            kwhere = f"{where}.kinds[{j}]"
            kcode, kname = _code_and_name(kraw, "kind", kwhere, seen, source, i)
            kinds.append(Kind(
                code=kcode, name=kname, name_en=str(kraw.get("name_en", "") or kname).strip(),
                category_code=code,
                severity=_positive(kraw.get("severity", cat_severity), file=source, row=i,
                                   field_name=f"{kwhere}.severity"),
                aliases=_aliases(kraw.get("aliases")),
            ))
        categories.append(Category(
            code=code, name=name, name_en=str(raw.get("name_en", "") or name).strip(),
            group=group, kinds=tuple(kinds), severity=cat_severity,
            aliases=_aliases(raw.get("aliases")),
        ))
    if not categories:
        raise ConfigError("the taxonomy has no categories", file=source, field="category")
    return Taxonomy(name=str(data.get("name", source)), categories=tuple(categories),
                    source=source)


_CSV_REQUIRED = ("category_code", "category", "kind_code", "kind")


def _taxonomy_from_csv(path: Path) -> Taxonomy:
    """Build a taxonomy from a CSV table, one row per kind."""
    table = read_frame(path)
    missing = [c for c in _CSV_REQUIRED if c not in table.columns]
    if missing:
        raise ConfigError(f"missing column(s) {', '.join(missing)}", file=path, row=1,
                          field=missing[0])
    cats: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(table.to_dict("records"), start=2):  # header is row 1
        cat = _csv_category(cats, row, path, i)
        if row["kind_code"].strip() or row["kind"].strip():
            cat["kinds"].append(_csv_kind(row, path, i))
    _check_csv_codes(cats, path)
    return taxonomy_from_dict({"name": path.stem, "category": list(cats.values())},
                              source=str(path))


def _csv_category(cats: dict[str, dict[str, Any]], row: dict[str, str], path: Path,
                  i: int) -> dict[str, Any]:
    """Return the category of a CSV row (created on its first row)."""
    code = row["category_code"].strip()
    if not code or not row["category"].strip():
        raise ConfigError("a row needs a category code and name", file=path, row=i,
                          field="category_code" if not code else "category")
    return cats.setdefault(code, {
        "code": code, "name": row["category"].strip(),
        "name_en": row.get("category_en", "").strip(),
        "group": row.get("group", "").strip() or "event", "kinds": [], "_row": i,
    })


def _csv_kind(row: dict[str, str], path: Path, i: int) -> dict[str, Any]:
    """Return the kind of a CSV row, its code, name and severity checked."""
    if not row["kind_code"].strip() or not row["kind"].strip():
        raise ConfigError("a kind needs a code and a name", file=path, row=i,
                          field="kind_code" if not row["kind_code"].strip() else "kind")
    severity = row.get("severity", "").strip() or "1"
    _positive(severity, file=str(path), row=i, field_name="severity")
    return {"code": row["kind_code"].strip(), "name": row["kind"].strip(),
            "name_en": row.get("kind_en", "").strip(),
            "severity": severity, "aliases": row.get("aliases", ""), "_row": i}


def _check_csv_codes(cats: dict[str, dict[str, Any]], path: Path) -> None:
    """Raise on a kind code used twice, naming its CSV row."""
    seen: set[str] = set()
    for cat in cats.values():
        for kind in cat["kinds"]:
            if kind["code"] in seen or kind["code"] in cats:
                raise ConfigError(f"code {kind['code']!r} used twice", file=path,
                                  row=kind["_row"], field="kind_code")
            seen.add(kind["code"])
