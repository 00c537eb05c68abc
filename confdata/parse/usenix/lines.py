"""The lexical layer of the USENIX program grammar: what kind of line each line is.

A USENIX technical-sessions page, as text, is a sequence of lines of a few
kinds: day headers, time slots, track lines, labelled chair lines, media-link
lines, flag lines, sponsor and "Published in" lines, and free text (titles,
author lines, rooms, abstracts). This module turns each non-blank line into a
:class:`Line` of one :class:`LineKind`; ``usenix_program`` gives the free text
its meaning from where it stands. The vocabulary comes from
``raw/reference/usenix_program.yaml`` as a :class:`ProgramRules`.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAY_RE = re.compile(
    rf"^(?P<weekday>{'|'.join(WEEKDAYS)}),\s+(?P<month>{'|'.join(MONTHS)})\s+"
    r"(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?$"
)
TIME_RE = re.compile(
    r"^(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*(?P<p1>[ap])\.?\s?m\.?\s*[\u2010-\u2015-]\s*"
    r"(?P<h2>\d{1,2}):(?P<m2>\d{2})\s*(?P<p2>[ap])\.?\s?m\.?$",
    re.IGNORECASE,
)
TRACK_RE = re.compile(r"^Track\s+(?P<n>\d{1,2})$", re.IGNORECASE)
LABEL_RE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z -]{2,30}?)\s*:\s*(?P<rest>\S.*)$")
# The event ends in a non-space, so a long run of spaces is tried once, not from
# every position in it (``.+?\s+`` takes time quadratic in the run's length).
HEADER_RE = re.compile(r"^(?P<event>.*?\S)\s+Technical Sessions$", re.IGNORECASE)
# What a header line ends with, tried first so that the lazy ``.*?`` of ``HEADER_RE`` does
# not crawl through every abstract (each pattern character matches exactly one character).
_HEADER_END = "Technical Sessions"
_HEADER_TAIL = re.compile(_HEADER_END, re.IGNORECASE)
# The first characters DAY_RE, TIME_RE and TRACK_RE can match (besides a decimal digit):
# a line that starts with none of them, nor with a control character, is none of these.
_STRUCTURAL_FIRST = frozenset(day[0] for day in WEEKDAYS) | {"T", "t"}


class LineKind(enum.StrEnum):
    """The kinds of lines on a USENIX program page."""

    HEADER = "header"
    DAY = "day"
    TIME = "time"
    TRACK = "track"
    CHAIR = "chair"
    MEDIA = "media"
    FLAG = "flag"
    SPONSOR = "sponsor"
    PUBLISHED = "published"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Flag:
    """A flag line's meaning: ``category`` (award|paper_type) and normalized ``value``."""

    category: str
    value: str
    known: bool


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank line of a program, classified.

    Attributes:
        no: 1-based line number in the raw file.
        text: The line as printed, without surrounding white space.
        kind: What kind of line it is.
        data: Kind-specific values (a time range, a chair role, a flag meaning ...).
    """

    no: int
    text: str
    kind: LineKind
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ProgramRules:
    """The vocabulary of USENIX program pages (``usenix_program.yaml``)."""

    chair_labels: Mapping[str, str]  # match key of a label -> role
    label_max_edits: int
    media_lines: frozenset[str]
    media_link_words: frozenset[str]
    flags: Mapping[str, Flag]
    award_flag_re: re.Pattern[str]
    item_kinds: tuple[tuple[str, tuple[str, ...]], ...]
    room_words: frozenset[str]
    room_max_words: int
    sponsor_prefix: str
    published_in_prefix: str
    title_tba: frozenset[str]
    # The length of the longest key a line's key is compared with (see _line_key).
    _longest_key: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        longest = max(
            (
                len(k)
                for k in (
                    *self.media_lines,
                    *self.flags,
                    _prefix_key(self.sponsor_prefix),
                    _prefix_key(self.published_in_prefix),
                )
            ),
            default=0,
        )
        object.__setattr__(self, "_longest_key", longest)

    @classmethod
    def from_rules(cls, rules: Mapping[str, Any]) -> ProgramRules:
        """Build the rules from the parsed YAML.

        Raises:
            ValueError: If a required section is missing.
        """
        required = ("chair_labels", "media_lines", "flags", "item_kinds", "room_words")
        missing = [k for k in required if k not in rules]
        if missing:
            raise ValueError(f"program rules lack {', '.join(missing)}")
        return cls(
            chair_labels={
                key(label): role
                for role, labels in dict(rules["chair_labels"]).items()
                for label in labels
            },
            label_max_edits=int(rules.get("label_max_edits", 2)),
            media_lines=frozenset(key(m) for m in rules["media_lines"]),
            media_link_words=frozenset(key(m) for m in rules.get("media_link_words", ())),
            flags={
                key(f["pattern"]): Flag(str(f["category"]), str(f["value"]), True)
                for f in rules["flags"]
            },
            award_flag_re=re.compile(str(rules.get("award_flag_regex", r"^$"))),
            item_kinds=tuple(
                (str(rule["kind"]), tuple(str(w) for w in rule["words"]))
                for rule in rules["item_kinds"]
            ),
            room_words=frozenset(str(w) for w in rules["room_words"]),
            room_max_words=int(rules.get("room_max_words", 8)),
            sponsor_prefix=str(rules.get("sponsor_prefix", "Sponsored by")),
            published_in_prefix=str(rules.get("published_in_prefix", "Published in")),
            title_tba=frozenset(key(t) for t in rules.get("title_tba", ())),
        )

    def item_kind(self, title: str) -> str | None:
        """Return the kind of a non-paper program item from words in its title."""
        for kind, words in self.item_kinds:
            if any(_whole_word(w).search(title) for w in words):
                return kind
        return None

    def is_room(self, text: str) -> bool:
        """Tell whether a short line names a room ("Grand Ballroom I–VI")."""
        words = text.split()
        return (
            0 < len(words) <= self.room_max_words
            and not text.endswith((".", "!", "?", ":", ","))
            and any(w.strip("()") in self.room_words for w in words)
        )

    def award_value(self, text: str) -> str:
        """Return an award's normalized value ("Community Award Winner!" -> "Community Award").

        An award the rules do not list keeps its printed text, without the "!".
        """
        flag = self.flags.get(key(text))
        return flag.value if flag else text.strip().rstrip("!").strip()

    def is_tba(self, text: str) -> bool:
        """Tell whether a title is a placeholder such as "Title TBA"."""
        return key(text) in self.title_tba


def key(text: str) -> str:
    """Return the comparison form of a line: white space collapsed, case folded."""
    # str.split() breaks at exactly the characters ``\s`` matches (no-break spaces
    # included), and is several times faster than a regex substitution on long lines.
    return " ".join(text.split()).casefold()


@functools.lru_cache(maxsize=256)
def _whole_word(word: str) -> re.Pattern[str]:
    """Return the pattern that finds a word of the rules as a whole word, any case."""
    return re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _prefix_key(prefix: str) -> str:
    """Return the key a line starting with a prefix of the rules starts with."""
    return key(prefix) + " "


def clean(text: str) -> str:
    """Return a line as printed without surrounding white space (no-break spaces included)."""
    return text.replace("\u00a0", " ").strip() if text.strip("\u00a0 \t") else ""


def parse_time(hour: str, minute: str, half: str) -> dt.time:
    """Turn "10", "30", "a" into 10:30 (12 am is midnight, 12 pm is noon)."""
    h = int(hour) % 12 + (12 if half.lower() == "p" else 0)
    return dt.time(h, int(minute))


def classify(no: int, raw: str, rules: ProgramRules) -> Line:
    """Classify one non-blank line of a program page.

    Invisible control characters (a stray U+0001 from a bad copy) do not change
    what a structural line is: a day header followed by U+0001 is still one.
    The line's text is kept as printed.
    """
    text = clean(raw)
    if (line := _structural(no, text)) is not None:
        return line
    k = _line_key(text, rules._longest_key)
    if k in rules.media_lines or ("|" in text and _is_link_line(key(text), rules)):
        return Line(no, text, LineKind.MEDIA, {})
    if k in rules.flags:
        return Line(no, text, LineKind.FLAG, {"flag": rules.flags[k]})
    if rules.award_flag_re.match(text) and len(text.split()) <= 8:
        return Line(no, text, LineKind.FLAG, {"flag": Flag("award", text.rstrip("!"), False)})
    if k.startswith(_prefix_key(rules.sponsor_prefix)):
        return Line(
            no, text, LineKind.SPONSOR, {"sponsor": text[len(rules.sponsor_prefix) :].strip()}
        )
    if k.startswith(_prefix_key(rules.published_in_prefix)):
        return Line(no, text, LineKind.PUBLISHED, {})
    if m := LABEL_RE.match(text):
        label = key(m.group("label"))
        role, edits = _closest_label(label, rules)
        if role is not None and edits <= rules.label_max_edits:
            return Line(
                no,
                text,
                LineKind.CHAIR,
                {"role": role, "label": m.group("label"), "rest": m.group("rest"), "edits": edits},
            )
    if _HEADER_TAIL.match(text, len(text) - len(_HEADER_END)) and (m := HEADER_RE.match(text)):
        return Line(no, text, LineKind.HEADER, {"event": m.group("event")})
    return Line(no, text, LineKind.TEXT, {})


def _structural(no: int, text: str) -> Line | None:
    """Return the line as a day header, time slot or track line, if it is one."""
    if not (text[:1] in _STRUCTURAL_FIRST or text[:1].isdecimal() or _CONTROL.match(text)):
        return None  # cannot start any of the three (``\d`` is exactly str.isdecimal)
    probe = _CONTROL.sub("", text).strip()
    if m := DAY_RE.match(probe):
        return Line(no, text, LineKind.DAY, m.groupdict())
    if m := TIME_RE.match(probe):
        g = m.groupdict()
        start = parse_time(g["h1"], g["m1"], g["p1"])
        end = parse_time(g["h2"], g["m2"], g["p2"])
        return Line(no, text, LineKind.TIME, {"start": start, "end": end})
    if m := TRACK_RE.match(probe):
        return Line(no, text, LineKind.TRACK, {"track": int(m.group("n"))})
    return None


def _line_key(text: str, longest: int) -> str:
    """Return a line's key, or only a start of it when the key is longer than ``longest``.

    Abstracts run to thousands of characters, and their keys are only compared with
    short keys (equal to, or starting with): a start of the key longer than every
    key compared with gives the same answers. The key of a start of the text is a
    start of the text's key (words are cut and case is folded one character at a time).
    """
    head = 2 * longest + 2
    if len(text) > head:
        start = key(text[:head])
        if len(start) > longest:
            return start
    return key(text)


def _is_link_line(k: str, rules: ProgramRules) -> bool:
    parts = [p.strip() for p in k.split("|")]
    return len(parts) > 1 and all(p in rules.media_link_words for p in parts)


def _closest_label(label: str, rules: ProgramRules) -> tuple[str | None, int]:
    best: tuple[str | None, int] = (None, 10**6)
    for known, role in rules.chair_labels.items():
        edits = Levenshtein.distance(label, known)
        if edits < best[1]:
            best = (role, edits)
    # A short label within two edits of "Session Chair" would be noise ("Session").
    if best[1] and len(label) < 8:
        return None, best[1]
    return best
