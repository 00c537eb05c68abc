"""Reading the reference files (``raw/reference/*.yaml``) as hostile input.

The reference files are edited by hand, copied between folders and sometimes
damaged like any raw file: saved empty, in Latin-1, with a YAML syntax error or
a list where a mapping belongs, or replaced by a FIFO. Each of these is a
located :class:`~confdata.errors.RawInputError` (``file:line: expected …, found
…``), every problem of every file listed at once, never a traceback or a hang:
a file that is not a regular file is refused from its ``stat`` before it is
opened, and at most :data:`MAX_REFERENCE_BYTES` are read.

Reading (this module's :func:`read_reference_texts`) checks the bytes; what the
YAML must hold is checked against :mod:`confdata.reference.shapes` when the
reference data is built (:func:`load_yaml`).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from confdata.errors import RawInputError, RawInputErrors
from confdata.reference.shapes import SHAPES, Problem, check_shape, describe_path

# The largest reference file read. 2026-12: organizations.yaml, the largest, is 55 KB
# for about 300 organizations; a registry a hundred times larger still fits.
MAX_REFERENCE_BYTES = 8 * 2**20

# libyaml's parser reads the registry several times faster than the pure-Python
# one; both build the same objects through the same safe constructor.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_FILE_TYPES = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


def read_reference_texts(
    reference_dir: Path, bad: list[RawInputError] | None = None
) -> dict[str, str]:
    """Read every ``*.yaml`` file of a reference folder: file name -> text.

    Each entry is checked from its ``stat`` first (a FIFO, socket, device or
    folder is refused without being opened), opened without blocking, and
    read up to :data:`MAX_REFERENCE_BYTES`; its bytes must be UTF-8 (a UTF-8
    byte-order mark is dropped) and not blank.

    Args:
        reference_dir: The reference folder.
        bad: When given, each file that cannot be read is appended to it and
            left out of the texts, instead of being raised.

    Raises:
        RawInputErrors: Without ``bad``, listing every file that cannot be read
            so, each as ``<folder>/<file>:line: expected …, found …``.
    """
    texts: dict[str, str] = {}
    problems: list[RawInputError] = []
    for path in sorted(reference_dir.glob("*.yaml")):  # lists names; opens nothing
        try:
            texts[path.name] = _decode(_read(path), str(path))
        except RawInputError as err:
            problems.append(err)
    if problems and bad is None:
        raise RawInputErrors(problems)
    if bad is not None:
        bad.extend(problems)
    return texts


def _os_error(err: OSError) -> str:
    return "permission denied" if isinstance(err, PermissionError) else (err.strerror or str(err))


def _read(path: Path) -> bytes:
    """Read one reference file whole, refusing anything but a regular file of reasonable size."""
    where = str(path)
    try:
        info = os.stat(path)  # follows a link; never opens the file
    except OSError as err:
        raise RawInputError(where, 0, "a reference file that can be read", _os_error(err)) from err
    if not stat.S_ISREG(info.st_mode):
        kind = _FILE_TYPES.get(stat.S_IFMT(info.st_mode), "a special file")
        raise RawInputError(where, 0, "a regular file", f"{kind}; it was not opened")
    try:
        # Without blocking, and checked again once open: a FIFO swapped in meanwhile is refused.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise RawInputError(where, 0, "a reference file that can be read", _os_error(err)) from err
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise RawInputError(where, 0, "a regular file", "a special file")
        if info.st_size > MAX_REFERENCE_BYTES:
            raise _too_big(where, info.st_size)
        os.set_blocking(handle.fileno(), True)
        data = handle.read(MAX_REFERENCE_BYTES + 1)
    if len(data) > MAX_REFERENCE_BYTES:
        raise _too_big(where, len(data))
    return data


def _too_big(where: str, size: int) -> RawInputError:
    return RawInputError(
        where,
        0,
        f"a reference file of at most {MAX_REFERENCE_BYTES // 2**20} MiB",
        f"{size:,} bytes",
    )


def _decode(data: bytes, where: str) -> str:
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        bad = data[err.start : err.start + 4]
        raise RawInputError(
            where, line, "UTF-8 text", f"byte(s) {bad!r} (is the file Latin-1 or Windows-1252?)"
        ) from err
    if not text.strip():
        raise RawInputError(where, 0, "YAML reference data", "an empty file")
    return text


def load_yaml(name: str, text: str, where: str = "") -> Mapping[str, Any]:
    """Parse a reference file's YAML and check it has the shape its name calls for.

    Args:
        name: The file's name (``organizations.yaml`` …): it selects the shape
            (:data:`confdata.reference.shapes.SHAPES`; a file of another name
            need only be a mapping).
        text: The file's text.
        where: The file's path as printed in errors (default: ``name``).

    Raises:
        RawInputErrors: For a YAML syntax error (at its line), a file holding
            only comments, or each value of the wrong shape, at the line of
            the offending entry (at most :data:`MAX_PROBLEMS_PER_FILE`).
    """
    where = where or name
    try:
        loader = _YAML_LOADER(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        raise RawInputErrors([_syntax_error(err, text, where)]) from err
    if node is None:
        raise RawInputErrors(
            [RawInputError(where, 0, "YAML reference data", "only comments or blank lines")]
        )
    problems = [*_repeated_keys(node), *check_shape(data, SHAPES.get(name))]
    if problems:
        raise RawInputErrors(located(problems, node, where))
    assert isinstance(data, Mapping)  # every shape is a mapping at the top
    return data


# One damaged file can be wrong in thousands of places (a registry whose entries all
# lack a field): the first few say what to fix.
MAX_PROBLEMS_PER_FILE = 20


def located(problems: list[Problem], root: yaml.Node, where: str) -> list[RawInputError]:
    """Turn shape problems into errors at the line of the YAML node each is about."""
    errors = [
        RawInputError(where, _line_of(root, p.path), p.expected, p.found)
        for p in problems[:MAX_PROBLEMS_PER_FILE]
    ]
    if len(problems) > MAX_PROBLEMS_PER_FILE:
        more = len(problems) - MAX_PROBLEMS_PER_FILE
        errors.append(
            RawInputError(
                where, 0, "a reference file of the right shape", f"{more} more such problems"
            )
        )
    return errors


def _syntax_error(err: yaml.YAMLError, text: str, where: str) -> RawInputError:
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        found = err.problem or "a syntax error"
        if err.context:
            found = f"{found} ({err.context})"
        # At the end of the text, libyaml's mark is on the line after the last one.
        last = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        return RawInputError(where, min(err.problem_mark.line + 1, last), "valid YAML", found)
    position = getattr(err, "position", None)  # a reader error: a character YAML refuses
    if isinstance(position, int):
        character = getattr(err, "character", "")
        return RawInputError(
            where,
            text.count("\n", 0, position) + 1,
            "valid YAML (printable characters only)",
            f"the character {character!r}",
        )
    return RawInputError(where, 0, "valid YAML", str(err))


def _repeated_keys(root: yaml.Node) -> Iterator[Problem]:
    """Find a key given twice in one mapping (YAML keeps the last one silently).

    Each node is visited once: YAML aliases share nodes, and a file of nested
    aliases (a "billion laughs") would otherwise be walked exponentially often.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        yield Problem(
                            (*path, key.value),
                            f"each key once in a mapping ({describe_path(path)})",
                            f"{key.value!r} again",
                        )
                    keys.add(key.value)
                stack.append((value, (*path, str(key.value))))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, index)) for index, item in enumerate(node.value))


def _line_of(root: yaml.Node, path: tuple[str | int, ...]) -> int:
    """Return the 1-based line of the node at a path (of its deepest existing ancestor)."""
    node = root
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            # The last of repeated keys: the value YAML keeps.
            matches = [(k, v) for k, v in node.value if str(k.value) == str(part)]
            if matches:
                key, value = matches[-1]
                # A scalar, or an empty value, is on its key's line; a block starts below it.
                child = value if isinstance(value, yaml.CollectionNode) else key
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if 0 <= part < len(node.value) else None
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1


# A library check's message about one entry starts with where it is: "organizations[3]
# (id 'x'): …", "must_link[0].a: …" (org_registry, people_overrides); "entry 'x': …" names
# a registry entry by its id.
_MESSAGE_PATH = re.compile(r"^(?P<key>[A-Za-z_]+)(?P<rest>(?:\[\d+\]|\.[A-Za-z_]+)*)")
_MESSAGE_ENTRY = re.compile(r"^entry '(?P<id>[^']*)'")


def path_in_message(message: str, data: Mapping[str, Any]) -> tuple[str | int, ...]:
    """Return the place in the document a library check's message is about (``()`` if none).

    Examples:
        >>> path_in_message("flags[2].pattern: bad", {"flags": []})
        ('flags', 2, 'pattern')
        >>> path_in_message("entry 'b': unknown parent", {"organizations": [{"id": "a"}, {"id": "b"}]})
        ('organizations', 1)
    """
    if m := _MESSAGE_ENTRY.match(message):
        entries = data.get("organizations")
        for index, entry in enumerate(entries if isinstance(entries, list) else ()):
            if isinstance(entry, Mapping) and entry.get("id") == m.group("id"):
                return ("organizations", index)
        return ()
    m = _MESSAGE_PATH.match(message)
    if not m or m.group("key") not in data:
        return ()
    path: list[str | int] = [m.group("key")]
    for part in re.findall(r"\[(\d+)\]|\.([A-Za-z_]+)", m.group("rest")):
        path.append(int(part[0]) if part[0] else part[1])
    return tuple(path)


def check_failure(
    name: str, text: str, data: Mapping[str, Any], err: Exception, where: str = ""
) -> RawInputError:
    """Locate what a library check (``registry_from_dict``, ``parse_overrides`` …) refused.

    The shapes catch what is of the wrong type; these checks catch the rest (an
    id that is not a slug, an unknown parent). The error is at the line of the
    entry the message names, else the file as a whole.
    """
    where = where or name
    message = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    path = path_in_message(message, data)
    line = 0
    if path:
        loader = _YAML_LOADER(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        line = _line_of(root, path) if root is not None else 0
    what = "an entry the pipeline accepts" if path else f"reference data that {name} can hold"
    return RawInputError(where, line, what, message)
