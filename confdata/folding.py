"""Letters that Unicode decomposition does not fold to ASCII, shared by name matching.

People's names and organization names are both compared after NFKD
decomposition with the combining marks removed. A few letters do not
decompose into an ASCII base letter plus a mark, so they need an explicit
table to meet their usual ASCII spelling ("Bøgh" / "Bogh", "Łukasz" /
"Lukasz", "Işıl" / "Isil"). Keys are lower-case.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

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
