"""The grammar of USENIX author lines: who wrote a paper, and where each author works.

An author line is a ";"-separated list of groups. A group names one or more
people and then their organizations::

    line    := group (";" group)*
    group   := names "," orgs | orgs            (orgs only: belongs to the group before)
    names   := name | name "and" name | name ("," name)* ","? "and" name
    orgs    := org (("," | "and" | "&" | ", and") org)*

Commas and " and " appear inside organization names too ("University of
California, Berkeley", "Hong Kong University of Science and Technology"), so
the grammar asks :class:`~confdata.parse.authors.org_words.OrgKnowledge` where the names end
and where one organization ends and the next begins. Every decision taken
without knowledge to back it is returned as a :class:`SplitNote` so that the
data-quality report lists it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from confdata.parse.authors.org_words import OrgKnowledge, remember

_AND_PREFIX = re.compile(r"^(?:and|&)\s+", re.IGNORECASE)
# The only characters _AND_PREFIX can start with (IGNORECASE folds no other letter to "a").
_AND_FIRST = frozenset("aA&")
# A comma that separates: white space or the end of the text follows it (``\s`` is
# exactly ``str.isspace``).
_SEPARATING_COMMA = re.compile(r",(?=\s|\Z)")
# Tried only where a run of white space starts: from inside a long run, ``\s+``
# would rescan the rest of it at every position (quadratic time).
_AND_INSIDE = re.compile(r"(?<!\s)\s+(?:and|&)\s+")


@dataclass(frozen=True, slots=True)
class PrintedAuthor:
    """One authorship as printed.

    Attributes:
        name: The person's name exactly as printed.
        affiliations: Each organization exactly as printed, in printed order.
        status: ``affiliated``, ``unaffiliated``, ``independent`` or ``not_printed``.
        status_as_printed: The printed status phrase ("Independent Researcher"), if any.
        group: 1-based index of the ";"-group the name was printed in.
    """

    name: str
    affiliations: tuple[str, ...]
    status: str
    status_as_printed: str | None
    group: int


@dataclass(frozen=True, slots=True)
class SplitNote:
    """A decision the grammar took without knowledge to back it.

    Attributes:
        code: Issue code, e.g. ``uncertain-author-split``.
        message: What was decided and why it is uncertain.
        fragment: The part of the line concerned, as printed.
    """

    code: str
    message: str
    fragment: str


@dataclass(frozen=True, slots=True)
class AuthorLineParse:
    """The authors of one author line and the uncertain decisions taken to find them."""

    authors: tuple[PrintedAuthor, ...]
    notes: tuple[SplitNote, ...]


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on a separator outside parentheses, keeping pieces as printed (stripped).

    A comma only separates when white space or the end follows it, so that
    "Co.,Ltd." stays whole.

    Examples:
        >>> split_top_level("A (x; y); B", ";")
        ['A (x; y)', 'B']
        >>> split_top_level("China Telecom Co.,Ltd., Beijing", ",")
        ['China Telecom Co.,Ltd.', 'Beijing']
    """
    if len(sep) == 1 and "(" not in text and "[" not in text:
        # Nothing to count: the same cut, made by the string methods (most lines).
        flat = _SEPARATING_COMMA.split(text) if sep == "," else text.split(sep)
        return [piece.strip() for piece in flat]
    pieces: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif ch == sep and depth == 0:
            if sep == "," and i + 1 < len(text) and not text[i + 1].isspace():
                continue
            pieces.append(text[start:i].strip())
            start = i + 1
    pieces.append(text[start:].strip())
    return pieces


def _strip_and(text: str) -> tuple[str, bool]:
    if text[:1] not in _AND_FIRST:
        return text, False
    stripped = _AND_PREFIX.sub("", text, count=1)
    return stripped, stripped != text


@dataclass(slots=True)
class _Piece:
    text: str
    sep: str  # separator before this piece: "" (first), ",", ", and", " and ", " & "


def _pieces(orgs_text: str) -> list[_Piece]:
    """Cut an organizations part at every comma and every " and "/" & " (outside parentheses)."""
    pieces: list[_Piece] = []
    for i, segment in enumerate(split_top_level(orgs_text, ",")):
        segment, had_and = _strip_and(segment)
        sep = "" if i == 0 else (", and" if had_and else ",")
        inner = _split_and_outside_parens(segment)
        for j, (piece, joiner) in enumerate(inner):
            pieces.append(_Piece(piece, sep if j == 0 else joiner))
    return [p for p in pieces if p.text]


def _split_and_outside_parens(text: str) -> list[tuple[str, str]]:
    if "and" not in text and "&" not in text:
        return [(text.strip(), "")]  # what the loop below gives when nothing matches
    out: list[tuple[str, str]] = []
    depth = 0
    last = 0
    counted = 0  # parentheses are counted once, up to here
    joiner = ""
    for match in _AND_INSIDE.finditer(text):
        prefix = text[counted : match.start()]
        depth += prefix.count("(") - prefix.count(")")
        counted = match.start()
        if depth > 0:
            continue
        out.append((text[last : match.start()].strip(), joiner))
        joiner = " & " if "&" in match.group(0) else " and "
        last = match.end()
    out.append((text[last:].strip(), joiner))
    return out


def _joined(pieces: list[_Piece]) -> str:
    text = pieces[0].text
    for piece in pieces[1:]:
        sep = piece.sep + " " if piece.sep in {",", ", and"} else piece.sep
        text += sep + piece.text
    return text


def split_organizations(
    orgs_text: str, knowledge: OrgKnowledge
) -> tuple[tuple[str, ...], tuple[SplitNote, ...]]:
    """Split an organizations part into organizations exactly as printed.

    Known organizations win (longest first); then a comma followed by a place or
    legal suffix continues a name ("…, Berkeley", "…, Ltd."), a unit followed by
    a plain comma joins its parent ("NICE Lab, XMU"), and a single word after
    " and " that cannot stand alone continues the name ("…Science and Technology").

    Examples:
        >>> from confdata.parse.authors.org_words import OrgKnowledge
        >>> k = OrgKnowledge.from_rules({"head_words": ["University"], "unit_prefixes": [],
        ...     "unit_suffixes": [], "legal_suffixes": [], "place_qualifiers": ["Berkeley"],
        ...     "statuses": {}, "continuation_words": ["Technology"]}, ["NVIDIA"])
        >>> split_organizations("University of California, Berkeley, and NVIDIA", k)[0]
        ('University of California, Berkeley', 'NVIDIA')
    """
    # The same organizations recur on a page and across pages (a page splits some 670
    # organization parts, 250 distinct ones): the split is remembered per knowledge.
    memo: dict[str, tuple[tuple[str, ...], tuple[SplitNote, ...]]]
    memo = knowledge.memo("split_organizations")
    answer = memo.get(orgs_text)
    if answer is None:
        answer = remember(memo, orgs_text, _split_organizations(orgs_text, knowledge))
    return answer


def _split_organizations(
    orgs_text: str, knowledge: OrgKnowledge
) -> tuple[tuple[str, ...], tuple[SplitNote, ...]]:
    """Compute :func:`split_organizations` (not remembered)."""
    pieces = _pieces(orgs_text)
    notes: list[SplitNote] = []
    orgs: list[str] = []
    i = 0
    while i < len(pieces):
        end = _longest_known(pieces, i, knowledge)
        current = pieces[i : end + 1]
        i = end + 1
        while i < len(pieces):
            nxt = pieces[i]
            if _longest_known(pieces, i, knowledge) > i:
                break  # the next pieces make a known organization of their own
            continues, note = _continues(current, nxt, knowledge)
            if note is not None:
                notes.append(note)
            if not continues:
                break
            current = [*current, nxt]
            i += 1
        orgs.append(_joined(current))
    return tuple(orgs), tuple(notes)


def _longest_known(pieces: list[_Piece], start: int, knowledge: OrgKnowledge) -> int:
    """Return the last index of the longest run from ``start`` that is a known organization.

    Runs longer than the longest known name (in pieces) are not tried, so a line
    of many commas costs time linear in its length, not cubic.
    """
    longest = start + _max_known_pieces(knowledge.known) - 1
    for end in range(min(len(pieces) - 1, longest), start, -1):
        if knowledge.is_known(_joined(pieces[start : end + 1])):
            return end
    return start


@functools.lru_cache(maxsize=8)
def _max_known_pieces(known: frozenset[str]) -> int:
    """Return an upper bound of the pieces a known name splits into (its separators + 1)."""
    return max((k.count(",") + k.count("and") + k.count("&") + 1 for k in known), default=1)


def _continues(
    current: list[_Piece], nxt: _Piece, knowledge: OrgKnowledge
) -> tuple[bool, SplitNote | None]:
    """Decide whether ``nxt`` continues the organization in ``current``.

    Returns whether it continues, and a :class:`SplitNote` when the decision
    is a guess that the report must show.
    """
    head = _joined(current)
    if nxt.sep == ",":
        if knowledge.is_qualifier(nxt.text):
            return True, None
        return knowledge.is_unit(head) and knowledge.org_evidence(nxt.text) is not None, None
    if nxt.sep not in {" and ", " & "}:
        return False, None
    if knowledge.is_continuation(nxt.text) or knowledge.joins_subjects(head, nxt.text):
        return True, None
    if knowledge.org_evidence(nxt.text) is not None:
        return False, None
    # Nothing marks the next piece as an organization. Organization names rarely
    # go on with a proper noun after " and ", so after a recognisable organization
    # the piece starts a new one; after anything else it continues the name.
    # Either way the guess is reported.
    if knowledge.org_evidence(head) is not None:
        message = f"split {head!r} and {nxt.text!r} into two organizations"
        split = True
    else:
        message = f"kept {head!r} and {nxt.text!r} as one organization"
        split = False
    return not split, SplitNote(
        "uncertain-organization-split",
        f"{message}: nothing known says {nxt.text!r} is an organization of its own",
        f"{head}{nxt.sep}{nxt.text}",
    )


def _split_names(text: str) -> list[str]:
    names: list[str] = []
    for segment in split_top_level(text, ","):
        segment, _ = _strip_and(segment)
        names.extend(n for n, _ in _split_and_outside_parens(segment) if n)
    return names


def parse_author_line(
    line: str, knowledge: OrgKnowledge, *, expect_affiliations: bool = True
) -> AuthorLineParse:
    """Parse an author line into printed authors with their organizations.

    Args:
        line: The author line as printed (several physical lines joined by spaces).
        knowledge: Organization words and known organizations.
        expect_affiliations: False where the format prints names only (the Test
            of Time award lists authors without organizations).

    Returns:
        The authors in printed order and every uncertain decision.
    """
    authors: list[PrintedAuthor] = []
    notes: list[SplitNote] = []
    groups = [g for g in split_top_level(line, ";") if g]
    for group_no, group in enumerate(groups, start=1):
        body, _ = _strip_and(group)
        segments = [s for s in split_top_level(body, ",") if s]
        if not segments:
            notes.append(SplitNote("empty-author-group", f"group {group_no} holds no name", group))
            continue
        first = _strip_and(segments[0])[0]
        if authors and knowledge.org_evidence(first) is not None and expect_affiliations:
            _attach_orphan_orgs(authors, body, group_no, knowledge, notes)
            continue
        names, orgs_text, group_notes = _split_group(segments, knowledge, expect_affiliations)
        notes.extend(group_notes)
        status, status_printed, orgs = "not_printed", None, ()
        if orgs_text:
            status_code = knowledge.status_of(orgs_text)
            if status_code:
                status, status_printed = status_code, orgs_text
            else:
                orgs, org_notes = split_organizations(orgs_text, knowledge)
                notes.extend(org_notes)
                status = "affiliated"
        elif expect_affiliations:
            notes.append(
                SplitNote(
                    "missing-affiliation",
                    f"no organization printed for {', '.join(names)}",
                    group,
                )
            )
        for name in names:
            authors.append(PrintedAuthor(name, tuple(orgs), status, status_printed, group_no))
            notes.extend(_name_notes(name, knowledge))
    return AuthorLineParse(tuple(authors), tuple(notes))


def _attach_orphan_orgs(
    authors: list[PrintedAuthor],
    body: str,
    group_no: int,
    knowledge: OrgKnowledge,
    notes: list[SplitNote],
) -> None:
    """Give a ";"-group that holds only organizations to the group before it."""
    orgs, org_notes = split_organizations(body, knowledge)
    notes.extend(org_notes)
    owner_group = authors[-1].group
    for i, author in enumerate(authors):
        if author.group == owner_group:
            authors[i] = PrintedAuthor(
                author.name,
                author.affiliations + orgs,
                "affiliated",
                author.status_as_printed,
                author.group,
            )
    notes.append(
        SplitNote(
            "organization-only-group",
            f"group {group_no} names only organizations; given to the authors of the "
            "group before it",
            body,
        )
    )


def _split_group(
    segments: list[str], knowledge: OrgKnowledge, expect_affiliations: bool
) -> tuple[list[str], str, list[SplitNote]]:
    """Find where the names of a group end and its organizations begin."""
    notes: list[SplitNote] = []
    if not expect_affiliations:
        names = _split_names(", ".join(segments))
        for name in names:
            if knowledge.org_evidence(name) is not None:
                notes.append(
                    SplitNote(
                        "uncertain-author-split",
                        f"{name!r} reads as an organization where only names are printed",
                        name,
                    )
                )
        return names, "", notes
    if len(segments) == 1:
        return _split_names(segments[0]), "", notes
    boundary = next(
        (
            k
            for k in range(1, len(segments))
            if knowledge.org_evidence(_strip_and(segments[k])[0]) is not None
            or knowledge.status_of(segments[k]) is not None
        ),
        None,
    )
    if boundary is None:
        boundary = len(segments) - 1
        if len(segments) > 2:
            notes.append(
                SplitNote(
                    "uncertain-author-split",
                    f"nothing marks {segments[-1]!r} as an organization; took it as the "
                    "group's organization because a group ends with one",
                    ", ".join(segments),
                )
            )
    names = _split_names(", ".join(segments[:boundary]))
    return names, ", ".join(segments[boundary:]), notes


def _name_notes(name: str, knowledge: OrgKnowledge) -> list[SplitNote]:
    if not knowledge.is_person_like(name):
        return [
            SplitNote(
                "uncertain-author-split",
                f"{name!r} was read as a person's name but does not look like one",
                name,
            )
        ]
    if len(name.split()) == 1:
        return [
            SplitNote(
                "uncertain-author-split",
                f"{name!r} is a single word: read as a person's name (a mononym), "
                "but it could be an organization nothing here knows",
                name,
            )
        ]
    return []
