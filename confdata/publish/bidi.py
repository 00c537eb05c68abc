"""Bidirectional controls made visible where people read the data: CSV cells and HTML.

A right-to-left override (U+202E) or isolate pasted into a name reorders the
text shown after it, so a spreadsheet or a browser can display a cell or a line
as something else than it holds (the "Trojan Source" attack, CVE-2021-42574).
Where people read the data, every bidirectional control is written as its code
point between angle brackets, ``<U+202E>``, visible and inert: the CSV files (as
the formula rule of :func:`confdata.run.io.csv_safe`, which runs after this one) and
the HTML report. The Parquet files and ``report.json`` keep the exact text, and
name keys drop these characters (:mod:`confdata.normalize.folding`). The module is pure.
"""

from __future__ import annotations

import polars as pl

# The explicit bidi formatting characters (Unicode UAX #9): the Arabic letter mark,
# LRM and RLM, the embeddings and overrides with their pop (U+202A-U+202E), and the
# isolates with theirs (U+2066-U+2069).
BIDI_CONTROLS: tuple[str, ...] = (
    "\u061c",
    "\u200e",
    "\u200f",
    *(chr(cp) for cp in range(0x202A, 0x202F)),
    *(chr(cp) for cp in range(0x2066, 0x206A)),
)
_VISIBLE: tuple[str, ...] = tuple(f"<U+{ord(ch):04X}>" for ch in BIDI_CONTROLS)
_TABLE = {ord(ch): shown for ch, shown in zip(BIDI_CONTROLS, _VISIBLE, strict=True)}


def visible_bidi(text: str) -> str:
    r"""Write every bidirectional control of ``text`` as ``<U+XXXX>``.

    Examples:
        >>> visible_bidi("Ke \u202eSun")
        'Ke <U+202E>Sun'
    """
    return text if text.isascii() else text.translate(_TABLE)


_CLASS = "[" + "".join(BIDI_CONTROLS) + "]"


def visible_bidi_expr(column: pl.Expr) -> pl.Expr:
    """:func:`visible_bidi` on a text column, in one pass (Aho-Corasick over the controls)."""
    return column.str.replace_many(list(BIDI_CONTROLS), list(_VISIBLE))


def hidden_bidi_expr(column: pl.Expr) -> pl.Expr:
    """Undo :func:`visible_bidi_expr`: each ``<U+XXXX>`` of a bidi control becomes the control.

    A text that printed such a form literally (never seen) cannot be told apart
    from one that held the control; README "What comes out" says so.
    """
    return column.str.replace_many(list(_VISIBLE), list(BIDI_CONTROLS))


def has_bidi(texts: pl.Series) -> bool:
    """True when any text of the series holds a bidirectional control.

    Only the texts that are not ASCII are searched (the controls are not), so that
    the check costs little on the published tables, where they are rare.
    """
    rest = texts.filter(texts.str.len_bytes() != texts.str.len_chars())
    return bool(rest.len()) and bool(rest.str.contains(_CLASS).any())
