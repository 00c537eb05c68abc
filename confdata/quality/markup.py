"""HTML building blocks of the quality report: escaping, formatting, tables.

Every text that comes from the data goes through :func:`_e` (or
:func:`_escape`): HTML-escaped, with every bidirectional control written as
``<U+202E>`` (:mod:`confdata.publish.bidi`), so that a name holding a right-to-left
override cannot reorder what the page shows. :func:`_generic` renders any JSON-like value
(mappings as tables or headed parts, lists as tables or lists), which is how the
report shows parts whose shape it does not know. Used by
:mod:`confdata.quality.sections` and :mod:`confdata.quality.html`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from confdata.publish.bidi import visible_bidi

SEVERITIES = ("error", "warning", "info")


# --------------------------------------------------------------------------- text helpers


def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return _escape(_fmt(value))


def _escape(text: str) -> str:
    """HTML-escape text (quotes too), bidirectional controls made visible first."""
    return escape(visible_bidi(text), quote=True)


def _fmt(value: Any) -> str:
    """Format a scalar for display: grouped integers, short floats, yes/no, a dash for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:.4f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)
    return str(value)


def _compact(value: Any) -> str:
    """Format any value on one line (lists joined by commas, mappings as key: value)."""
    if isinstance(value, Mapping):
        return "; ".join(f"{_humanize(k)}: {_compact(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_compact(v) for v in value)
    return _fmt(value)


def _humanize(key: Any) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _td(value: Any) -> str:
    cls = ' class="num"' if _is_number(value) else ""
    return f"<td{cls}>{_escape(_compact(value))}</td>"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sev_badge(severity: Any) -> str:
    sev = str(severity)
    cls = f"sev-{sev}" if sev in SEVERITIES else "muted"
    return f'<span class="badge {cls}">{_e(sev)}</span>'


class _Ids:
    """Unique, safe element IDs made from arbitrary text."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def make(self, prefix: str, text: Any) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:60] or "x"
        candidate, n = f"{prefix}-{slug}", 1
        while candidate in self.seen:
            n += 1
            candidate = f"{prefix}-{slug}-{n}"
        self.seen.add(candidate)
        return candidate


# --------------------------------------------------------------------------- generic rendering


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> str:
    rows = [list(r) for r in rows]
    numeric = [bool(rows) and all(_is_number(r[i]) for r in rows) for i in range(len(headers))]
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if numeric[i] else ""}>{_e(h)}</th>' for i, h in enumerate(headers)
    )
    body = "\n".join("<tr>" + "".join(_td(v) for v in r) + "</tr>" for r in rows)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _columns(rows: Iterable[Mapping[str, Any]], preferred: Sequence[str] = ()) -> list[str]:
    seen = [c for c in preferred if any(c in r for r in rows)]
    for r in rows:
        seen += [k for k in r if k not in seen]
    return seen


def _generic(value: Any, level: int) -> str:
    """Render any JSON-like value: mappings as tables or headed parts, lists as tables or lists."""
    if isinstance(value, Mapping):
        if not value:
            return '<p class="muted">none</p>'
        if all(_is_scalar(v) for v in value.values()):
            return _table(["", "value"], ((_humanize(k), v) for k, v in value.items()))
        if all(
            isinstance(v, Mapping) and all(_is_scalar(x) for x in v.values())
            for v in value.values()
        ):
            cols = _columns(list(value.values()))
            return _table(["", *cols], ([k, *(v.get(c) for c in cols)] for k, v in value.items()))
        h = min(level, 6)
        return "\n".join(
            f"<h{h}>{_e(_humanize(k))}</h{h}>\n{_generic(v, level + 1)}" for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        if not value:
            return '<p class="muted">none</p>'
        if all(isinstance(v, Mapping) for v in value):
            cols = _columns(value)
            return _table(cols, ([v.get(c) for c in cols] for v in value))
        return "<ul>" + "".join(f"<li>{_escape(_compact(v))}</li>" for v in value) + "</ul>"
    return f"<p>{_e(value)}</p>"
