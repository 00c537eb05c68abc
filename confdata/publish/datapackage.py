"""A Frictionless Data Package descriptor (v1) for a release, built from the pandera models.

Each table's CSV file is one tabular data resource whose Table Schema is
derived from the table's model: field types, descriptions, ``required`` (not
nullable), ``unique``, ``enum`` (``isin``), ``pattern`` (``str_matches``),
``minimum``/``maximum`` (``ge``/``le``), the primary key and the foreign keys.

Two things of the CSV encoding shape the schema so that validating the CSV
against it tells the truth about the data:

- List columns are JSON arrays in the CSV; they are Table Schema ``array``
  fields (a cell must be a valid JSON array). A foreign key on the elements of
  a list column cannot be expressed in Table Schema; it is left out, and said
  so in the field's and the resource's descriptions (the pipeline checks it).
- A text cell starting with ``=``, ``+``, ``-`` or ``@`` (or tab, CR, or an
  apostrophe, so the mark can be undone) is written with a leading
  apostrophe, and a bidirectional control anywhere in it as ``<U+202E>``
  (``confdata.run.io.csv_safe``). ``enum`` values are encoded the same way, so an
  allowed value stays allowed. A ``pattern`` is kept only when no value it
  accepts can start with one of those characters or hold a bidirectional
  control (IDs, hashes, dates: the CSV cell is then the value
  itself); otherwise it is left out and the field's description says so.

The Parquet files are not resources: frictionless (5.21) reads Parquet only
through pandas, which this project does not depend on, and even then rejects
the list columns (read as numpy arrays, not JSON arrays) and nullable integer
columns (read as floats). They could not be validated honestly, so the
package's description points to them instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pandera.polars as pa
import polars as pl

from confdata.publish.dictionary import ColumnSpec, column_specs, readable_type, table_keys
from confdata.run.io import csv_safe

Models = Mapping[str, type[pa.DataFrameModel]]

# Data Package v1: a package or resource name is lower case, alphanumerics and . _ -.
_NAME = re.compile(r"^[a-z0-9._-]+$")
_CSV_DIALECT = {
    "delimiter": ",",
    "doubleQuote": True,
    "header": True,
    "lineTerminator": "\n",
    "quoteChar": '"',
    "skipInitialSpace": False,
}
_FRICTIONLESS_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "float": {"type": "number"},
    "boolean": {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]},
    "date": {"type": "date"},
    "time": {"type": "time"},
    "datetime": {"type": "datetime"},
}
# pandera check -> Table Schema constraint, for checks that map one to one.
_BOUNDS = {
    "greater_than_or_equal_to": ("minimum", "min_value"),
    "less_than_or_equal_to": ("maximum", "max_value"),
}
_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))


@functools.cache
def rewritten_anywhere() -> frozenset[str]:
    """Return the characters the CSV writer rewrites wherever they are in a cell.

    Found like :func:`neutralized_starts`, with each character inside a cell.

    Returns:
        The bidirectional controls today (:data:`confdata.publish.bidi.BIDI_CONTROLS`).
    """
    chars = [chr(i) for i in range(0x10000) if not 0xD800 <= i <= 0xDFFF]
    probe = pl.DataFrame({"v": ["x" + c + "x" for c in chars]})
    written = csv_safe(probe)["v"].to_list()
    return frozenset(c for c, w in zip(chars, written, strict=True) if w != "x" + c + "x")


@functools.cache
def neutralized_starts() -> frozenset[str]:
    """Return the characters that make the CSV writer change a cell when it starts with one.

    Found by running ``confdata.run.io.csv_safe`` itself on every character of the
    Basic Multilingual Plane, so this cannot drift from what the writer does.

    Returns:
        The characters (``=``, ``+``, ``-``, ``@``, tab and CR, prefixed with
        ``'``, and the bidirectional controls, written as ``<U+XXXX>``, today).
    """
    chars = [chr(i) for i in range(0x10000) if not 0xD800 <= i <= 0xDFFF]
    probe = pl.DataFrame({"v": [c + "x" for c in chars]})
    written = csv_safe(probe)["v"].to_list()
    return frozenset(c for c, w in zip(chars, written, strict=True) if w != c + "x")


def csv_text(value: str) -> str:
    """Return a text value as the CSV writer writes it (leading ``'`` when formula-like)."""
    return str(csv_safe(pl.DataFrame({"v": [value]}, schema={"v": pl.String}))["v"][0])


def _class_matches(items: list[tuple[Any, Any]], char: str) -> bool:
    """True when a parsed character class (``[...]``) can match ``char``."""
    negate = bool(items) and items[0][0] is sre.NEGATE
    hit = False
    for op, av in items[1:] if negate else items:
        if op is sre.LITERAL:
            hit = hit or chr(av) == char
        elif op is sre.RANGE:
            hit = hit or av[0] <= ord(char) <= av[1]
        elif op is sre.CATEGORY and av in _CATEGORIES:
            hit = hit or re.fullmatch(_CATEGORIES[av], char) is not None
        else:
            return True  # not understood: assume it can
    return hit != negate


def _first(items: list[tuple[Any, Any]], forbidden: frozenset[str]) -> tuple[bool, bool]:
    """Analyse a parsed regex: (can a match start with a forbidden char, can it be empty)."""
    for op, av in items:
        if op is sre.AT and av is sre.AT_BEGINNING:
            continue
        if op is sre.LITERAL:
            return chr(av) in forbidden, False
        if op is sre.IN:
            return any(_class_matches(av, c) for c in forbidden), False
        if op is sre.SUBPATTERN:
            bad, empty = _first(list(av[-1]), forbidden)
        elif op in _REPEATS:
            bad, empty = _first(list(av[2]), forbidden)
            empty = empty or av[0] == 0
        elif op is sre.BRANCH:
            results = [_first(list(alt), forbidden) for alt in av[1]]
            bad, empty = any(r[0] for r in results), any(r[1] for r in results)
        else:
            return True, True  # not understood (., lookarounds, backreferences…): assume it can
        if bad:
            return True, empty
        if not empty:
            return False, False
    return False, True


def pattern_is_csv_safe(pattern: str) -> bool:
    """True when no text matching ``pattern`` (from its start) begins with a neutralized char.

    Nor may any part of the match be a character rewritten anywhere (a
    bidirectional control). Such a value is written to the CSV unchanged, so the
    pattern holds for the CSV cell too. The analysis is conservative: a
    construct it does not understand makes it answer False.

    Args:
        pattern: A pandera ``str_matches`` regular expression.

    Returns:
        Whether the pattern may be stated as a CSV constraint.
    """
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return False
    bad, _ = _first(list(parsed), neutralized_starts())
    return not bad and not _can_match(list(parsed), rewritten_anywhere())


def _can_match(items: list[tuple[Any, Any]], chars: frozenset[str]) -> bool:
    """Analyse a parsed regex: can any character it matches, anywhere, be one of ``chars``."""
    for op, av in items:
        if op is sre.AT:
            continue
        if op is sre.LITERAL:
            found = chr(av) in chars
        elif op is sre.IN:
            found = any(_class_matches(av, c) for c in chars)
        elif op is sre.SUBPATTERN:
            found = _can_match(list(av[-1]), chars)
        elif op in _REPEATS:
            found = _can_match(list(av[2]), chars)
        elif op is sre.BRANCH:
            found = any(_can_match(list(alt), chars) for alt in av[1])
        else:
            return True  # not understood (., lookarounds, backreferences…): assume it can
        if found:
            return True
    return False


def table_schema_pattern(pattern: str) -> str:
    """Translate a pandera ``str_matches`` pattern to a Table Schema ``pattern``.

    pandera matches from the start of the text (``^`` implied); Table Schema
    patterns match the whole text. The anchors are dropped, and a pattern not
    anchored at the end may be followed by anything.

    Args:
        pattern: The pandera pattern.

    Returns:
        The equivalent whole-text pattern.
    """
    body = pattern.removeprefix("^")
    trailing_backslashes = len(body[:-1]) - len(body[:-1].rstrip("\\"))
    if body.endswith("$") and trailing_backslashes % 2 == 0:
        return body[:-1]
    return body + r"[\s\S]*"


def _csv_pattern(pattern: str) -> tuple[str | None, str]:
    """The Table Schema pattern that holds for the CSV cells, or None and the reason why not."""
    if not pattern_is_csv_safe(pattern):
        return None, (
            "a matching value may start with a character that the CSV writer prefixes "
            "with an apostrophe"
        )
    translated = table_schema_pattern(pattern)
    try:
        re.compile(f"^{translated}$")  # how frictionless applies it
    except re.error:
        return None, "it cannot be anchored as a whole-text pattern"
    return translated, ""


def _json_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _field(spec: ColumnSpec, list_fk_notes: Mapping[str, str]) -> dict[str, Any]:
    """The Table Schema field of one column."""
    if spec.is_list:
        field: dict[str, Any] = {"name": spec.name, "type": "array"}
        inner = readable_type(spec.dtype)
        notes = [f"In the CSV: a JSON array ({inner})."]
    else:
        field = {"name": spec.name, **_FRICTIONLESS_TYPES[readable_type(spec.dtype)]}
        notes = []
    constraints: dict[str, Any] = {"required": not spec.nullable}
    if spec.unique:
        constraints["unique"] = True
    text = not spec.is_list and readable_type(spec.dtype) == "string"
    for check in spec.checks:
        stats = check.statistics
        if check.name in _BOUNDS and not text and not spec.is_list:
            key, stat = _BOUNDS[check.name]
            constraints[key] = _json_value(stats[stat])
        elif check.name == "isin" and not spec.is_list:
            values = [csv_text(v) if isinstance(v, str) else v for v in stats["allowed_values"]]
            constraints["enum"] = [_json_value(v) for v in values]
        elif check.name == "str_matches" and text:
            pattern, why_not = _csv_pattern(stats["pattern"])
            if pattern is not None:
                constraints["pattern"] = pattern
            else:
                notes.append(
                    f"The pipeline checks that it matches {stats['pattern']}; not stated as a "
                    f"constraint because {why_not}."
                )
        else:
            notes.append(f"Also checked by the pipeline, not expressible here: {check.name}.")
    if spec.name in list_fk_notes:
        notes.append(list_fk_notes[spec.name])
    field["description"] = " ".join([spec.description, *notes]).strip()
    field["constraints"] = constraints
    return field


def _schema(model: type[pa.DataFrameModel]) -> tuple[dict[str, Any], list[str]]:
    """The Table Schema of a model, and notes on the foreign keys it cannot express."""
    specs = column_specs(model)
    list_columns = {s.name for s in specs if s.is_list}
    keys = table_keys(model)
    foreign_keys: list[dict[str, Any]] = []
    list_fk_notes: dict[str, str] = {}
    for fk in keys.foreign_keys:
        target = f"{fk.parent}.{', '.join(fk.parent_columns)}"
        if set(fk.columns) & list_columns:
            note = (
                f"Each element refers to {target}; Table Schema cannot state a foreign key "
                "on the elements of an array, so the pipeline alone checks it."
            )
            for column in fk.columns:
                list_fk_notes[column] = note
            continue
        foreign_keys.append(
            {
                "fields": list(fk.columns),
                "reference": {"resource": fk.parent, "fields": list(fk.parent_columns)},
            }
        )
    schema: dict[str, Any] = {
        "fields": [_field(s, list_fk_notes) for s in specs],
        "missingValues": [""],
    }
    if keys.primary_key:
        schema["primaryKey"] = list(keys.primary_key)
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    skipped = [f"{c}: {n}" for c, n in sorted(list_fk_notes.items())]
    return schema, skipped


def _file_entry(files: Mapping[str, Mapping[str, Any]], path: str) -> tuple[int, str]:
    entry = files.get(path)
    if entry is None or "bytes" not in entry or "sha256" not in entry:
        raise ValueError(f"no bytes and sha256 given for {path}")
    digest = str(entry["sha256"]).removeprefix("sha256:")
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ValueError(f"{path}: sha256 is not 64 lower-case hex digits: {entry['sha256']!r}")
    return int(entry["bytes"]), f"sha256:{digest}"


def _resource(
    table: str, model: type[pa.DataFrameModel], files: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    path = f"csv/{table}.csv"
    size, digest = _file_entry(files, path)
    schema, skipped = _schema(model)
    keys = table_keys(model)
    about = " ".join((model.__doc__ or "").split())
    description = " ".join(p for p in (about, f"Grain: {keys.grain}." if keys.grain else "") if p)
    if skipped:
        description += " Foreign keys not stated in the schema: " + " ".join(skipped)
    return {
        "profile": "tabular-data-resource",
        "name": table,
        "path": path,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": size,
        "hash": digest,
        "dialect": dict(_CSV_DIALECT),
        "schema": schema,
    }


def build_datapackage(
    models: Models,
    files: Mapping[str, Mapping[str, Any]],
    *,
    name: str,
    version: str,
    title: str,
    terms: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the ``datapackage.json`` descriptor of a release's CSV tables.

    Args:
        models: Table name -> pandera model (``schemas.tables.MODELS``); one
            resource per table, in this order.
        files: Release-relative path -> ``{"bytes": int, "sha256": hex}`` for at
            least every ``csv/<table>.csv`` (the shape of ``io.write_table``'s
            ``"files"``); other entries are ignored.
        name: Package name: lower case, alphanumerics and ``.``, ``_``, ``-``.
        version: Package version (semantic versioning recommended).
        title: Human title of the package.
        terms: The package's ``licenses`` and ``sources``
            (:func:`confdata.publish.licences.package_terms`); none when not given.

    Returns:
        The descriptor, ready to be written as JSON next to ``csv/``.

    Raises:
        ValueError: If a name is not a valid Data Package name, or a table's CSV
            has no bytes and hash in ``files``.
    """
    for candidate in (name, *models):
        if not _NAME.fullmatch(candidate):
            raise ValueError(f"not a valid Data Package name: {candidate!r}")
    tables = ", ".join(models)
    description = (
        f"Tables {tables}, as UTF-8 CSV files with a header under csv/; each resource's "
        "schema is generated from the pandera models that validate the release. In the CSV "
        "a list column is a JSON array, and a text cell starting with =, +, - or @ has a "
        "leading apostrophe (') so that spreadsheets do not run it as a formula (one starting "
        "with an apostrophe has one more: remove the first apostrophe of a cell to get the "
        "text; confdata.read_release_csv does). The same "
        "tables, with exact types and text, are in parquet/<table>.parquet; they are not "
        "listed as resources because frictionless cannot read their list columns and "
        "nullable integers as such, so it could not validate them."
    )
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "version": version,
        "description": description,
        **{k: list(v) for k, v in (terms or {}).items() if k in ("licenses", "sources") and v},
        "resources": [_resource(table, model, files) for table, model in models.items()],
    }
