"""What each reference file must hold, as data, and the check of a parsed file against it.

The shapes say what the readers of the reference data (``ProgramRules.from_rules``,
``OrgKnowledge.from_rules``, ``registry_from_dict``, ``parse_overrides``) take
for granted: which keys a mapping has (and no others: a misspelt key would be
ignored silently), which are required, and the type of each value. A value of
the wrong shape is a :class:`Problem` at its place in the document
(``flags[2].pattern``), which :mod:`confdata.reference.files` turns into a
located error. What a type cannot say (an id that is not a slug, an unknown
parent organization) is left to those readers, whose messages name the entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """A value of the wrong shape, at a path in the document (keys and list positions)."""

    path: tuple[str | int, ...]
    expected: str
    found: str


@dataclass(frozen=True, slots=True)
class Text:
    """Text that is not blank."""

    what: str = "text"


@dataclass(frozen=True, slots=True)
class Whole:
    """A whole number, zero or more."""

    what: str = "a whole number"


@dataclass(frozen=True, slots=True)
class Pattern:
    """A regular expression (Python's syntax)."""

    what: str = "a regular expression"


@dataclass(frozen=True, slots=True)
class ListOf:
    """A list whose every item has one shape."""

    item: Shape
    what: str = "a list"


@dataclass(frozen=True, slots=True)
class MapOf:
    """A mapping of any text keys to values of one shape."""

    value: Shape
    what: str = "a mapping"


@dataclass(frozen=True, slots=True)
class Record:
    """A mapping with these keys only, the ``required`` ones always present."""

    fields: Mapping[str, Shape]
    required: frozenset[str] = field(default_factory=frozenset)
    what: str = "a mapping"


@dataclass(frozen=True, slots=True)
class Nullable:
    """A value of a shape, or nothing (``null`` or an empty value)."""

    shape: Shape

    @property
    def what(self) -> str:
        """Say what the value may be."""
        return f"{self.shape.what} or null"


@dataclass(frozen=True, slots=True)
class Either:
    """A value of one of several shapes (tried in order)."""

    options: tuple[Shape, ...]

    @property
    def what(self) -> str:
        """Say what the value may be."""
        return " or ".join(o.what for o in self.options)


Shape = Text | Whole | Pattern | ListOf | MapOf | Record | Nullable | Either

_WORDS = ListOf(Text())


def _record(required: dict[str, Shape], optional: dict[str, Shape] | None = None) -> Record:
    return Record({**required, **(optional or {})}, frozenset(required))


_PAIRS = Nullable(
    ListOf(
        _record(
            {
                "a": Either((Text(), _record({"name": Text()}, {"org": Nullable(Text())}))),
                "b": Either((Text(), _record({"name": Text()}, {"org": Nullable(Text())}))),
                "reason": Text(),
            }
        )
    )
)

# The shape of each reference file, by name (see raw/README.md, "reference/").
SHAPES: dict[str, Shape] = {
    "usenix_program.yaml": _record(
        {
            "chair_labels": MapOf(_WORDS),
            "media_lines": _WORDS,
            "flags": ListOf(_record({"pattern": Text(), "category": Text(), "value": Text()})),
            "item_kinds": ListOf(_record({"kind": Text(), "words": _WORDS})),
            "room_words": _WORDS,
        },
        {
            "version": Whole(),
            "label_max_edits": Whole(),
            "media_link_words": _WORDS,
            "award_flag_regex": Pattern(),
            "room_max_words": Whole(),
            "sponsor_prefix": Text(),
            "published_in_prefix": Text(),
            "title_tba": _WORDS,
        },
    ),
    "organization_words.yaml": _record(
        {
            "head_words": _WORDS,
            "unit_prefixes": _WORDS,
            "unit_suffixes": _WORDS,
            "legal_suffixes": _WORDS,
            "place_qualifiers": _WORDS,
            "statuses": MapOf(_WORDS),
        },
        {"version": Whole(), "continuation_words": _WORDS, "name_particles": _WORDS},
    ),
    "organizations.yaml": _record(
        {
            "version": Whole(),
            "source_note": Text(),
            "organizations": ListOf(
                _record(
                    {
                        "id": Text(),
                        "name": Text(),
                        "aliases": _WORDS,
                        "kind": Text(),
                        "country": Nullable(Text()),
                        "parent": Nullable(Text()),
                        "source": Text(),
                    },
                    # The entry's ROR record, checked by confdata.reference.ror_ids.parse_ror_fields.
                    {
                        "ror_id": Nullable(Text()),
                        "ror_note": Nullable(Text()),
                        "ror_notes": Nullable(_WORDS),
                    },
                )
            ),
        }
    ),
    "people.yaml": _record({"version": Whole()}, {"must_link": _PAIRS, "cannot_link": _PAIRS}),
}


# Any reference file may declare the outside data it holds, with its licence
# (confdata.publish.licences: a declared source goes into datapackage.json).
_DATA_SOURCES = Nullable(
    ListOf(
        _record(
            {"name": Text(), "title": Text(), "path": Text(), "licence": Text()},
            {"version": Nullable(Either((Text(), Whole())))},
        )
    )
)
SHAPES = {
    name: Record({**shape.fields, "data_sources": _DATA_SOURCES}, shape.required)
    if isinstance(shape, Record)
    else shape
    for name, shape in SHAPES.items()
}


def describe(value: Any) -> str:
    """Say what a parsed YAML value is, for an error's "found" part.

    Examples:
        >>> describe([1]), describe(None), describe(True), describe("x" * 3)
        ('a list', 'nothing (null)', 'true (a yes/no value)', "'xxx'")
    """
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return repr(value[:80]) if value.strip() else "blank text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def describe_path(path: tuple[str | int, ...]) -> str:
    """Write a path inside a YAML document as a user reads it: ``flags[2].pattern``.

    Examples:
        >>> describe_path(("flags", 2, "pattern")), describe_path(())
        ('flags[2].pattern', 'the top level')
    """
    if not path:
        return "the top level"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def check_shape(data: Any, shape: Shape | None) -> list[Problem]:
    """Return every place where parsed YAML differs from its shape (none when it fits).

    With no shape (a reference file no reader knows), the file need only be a mapping.

    Examples:
        >>> check_shape({"n": "x"}, Record({"n": Whole()}))
        [Problem(path=('n',), expected='a whole number at n', found="'x'")]
    """
    if shape is None:
        ok = isinstance(data, Mapping)
        return [] if ok else [Problem((), "a mapping at the top level", describe(data))]
    return list(_check(data, shape, ()))


def _fits(value: Any, shape: Shape) -> bool:
    return not any(True for _ in _check(value, shape, ()))


def _check(value: Any, shape: Shape, path: tuple[str | int, ...]) -> Iterator[Problem]:
    """Yield the problems of a value against a shape."""
    if isinstance(shape, Nullable):
        if value is not None:
            yield from _check(value, shape.shape, path)
    elif isinstance(shape, Either):
        if not any(_fits(value, option) for option in shape.options):
            # Name the problems of the option of the same kind, else of the first.
            like = [o for o in shape.options if isinstance(value, Mapping) == _is_mapping(o)]
            yield from _check(value, (like or list(shape.options))[0], path)
    elif isinstance(shape, Record):
        yield from _check_record(value, shape, path)
    elif isinstance(shape, ListOf | MapOf):
        yield from _check_collection(value, shape, path)
    elif isinstance(shape, Pattern) and isinstance(value, str):
        try:
            re.compile(value)
        except re.error as err:
            yield Problem(
                path, f"a regular expression at {describe_path(path)}", f"{value!r} ({err})"
            )
    elif not _is_scalar_of(value, shape):
        yield Problem(path, f"{shape.what} at {describe_path(path)}", describe(value))


def _is_scalar_of(value: Any, shape: Text | Whole | Pattern) -> bool:
    if isinstance(shape, Whole):
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return isinstance(value, str) and (isinstance(shape, Pattern) or bool(value.strip()))


def _check_collection(
    value: Any, shape: ListOf | MapOf, path: tuple[str | int, ...]
) -> Iterator[Problem]:
    if isinstance(shape, ListOf) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _check(item, shape.item, (*path, index))
    elif isinstance(shape, MapOf) and isinstance(value, Mapping):
        for key, item in value.items():
            yield from _check(item, shape.value, (*path, str(key)))
    else:
        yield Problem(path, f"{shape.what} at {describe_path(path)}", describe(value))


def _is_mapping(shape: Shape) -> bool:
    return isinstance(shape, Record | MapOf)


def _check_record(value: Any, shape: Record, path: tuple[str | int, ...]) -> Iterator[Problem]:
    at = describe_path(path)
    keys = ", ".join(shape.fields)
    if not isinstance(value, Mapping):
        needed = ", ".join(k for k in shape.fields if k in shape.required) or keys
        yield Problem(path, f"a mapping (with {needed}) at {at}", describe(value))
        return
    for key in shape.fields:
        if key in shape.required and key not in value:
            have = ", ".join(str(k) for k in value) or "none"
            yield Problem(path, f"the key {key!r} in {at}", f"the keys {have}")
    for key, item in value.items():
        if key not in shape.fields:
            yield Problem((*path, str(key)), f"only the keys {keys} in {at}", f"the key {key!r}")
        else:
            yield from _check(item, shape.fields[key], (*path, key))
