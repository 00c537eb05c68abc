"""What name matching folds away: letters that do not decompose, and invisible characters.

People's names and organization names are both compared after NFKD
decomposition with the combining marks removed. A few letters do not
decompose into an ASCII base letter plus a mark, so they need an explicit
table to meet their usual ASCII spelling ("Bøgh" / "Bogh", "Łukasz" /
"Lukasz", "Işıl" / "Isil"). Keys are lower-case.

Invisible characters (a zero-width space, a soft hyphen, a byte-order mark or a
bidi mark pasted inside a name) are dropped before anything else
(:func:`drop_invisible`), so that "Kos\u200btić" and "Kostić" are one key. They
are *dropped*, not read as spaces: a key follows what a reader sees, so
"Ke\u200bSun", shown as "KeSun", keys as "kesun" like the printed "KeSun", and
"Ke\u200b Sun" as "ke sun". The printed text (``*_as_printed``) keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt, 15.1):
# soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers, Khmer
# inherent vowels, Mongolian variation selectors and vowel separator, zero-width
# space / non-joiner / joiner, LRM / RLM, bidi embeddings, overrides and isolates,
# word joiner and invisible operators, variation selectors, the BOM (zero-width
# no-break space), shorthand format controls, musical formatting, tags.
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Plus the other format characters (category Cf, Unicode 14 as in Python 3.11):
# Arabic number signs and end of ayah, Syriac abbreviation mark, Arabic pound and
# piastre marks, interlinear annotation marks, Kaithi number signs, Egyptian
# hieroglyph format controls. Written out, so that keys do not change with Python.
_OTHER_FORMAT = (
    (0x0600, 0x0605),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
)
INVISIBLE: frozenset[str] = frozenset(
    chr(cp) for low, high in (*_DEFAULT_IGNORABLE, *_OTHER_FORMAT) for cp in range(low, high + 1)
)
_DROP_INVISIBLE = {ord(ch): None for ch in INVISIBLE}


def drop_invisible(text: str) -> str:
    """Remove every invisible character (:data:`INVISIBLE`) from ``text``.

    Examples:
        >>> drop_invisible("Kos\u200btić\u00ad")
        'Kostić'
    """
    return text if text.isascii() else text.translate(_DROP_INVISIBLE)


TRANSLITERATION: Mapping[str, str] = MappingProxyType(
    {
        "æ": "ae",
        "ð": "d",
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "œ": "oe",
        "ß": "ss",
        "þ": "th",
        "ŧ": "t",
    }
)
