"""The grammar of USENIX technical-sessions pages: lines to sessions, papers and people.

The page, once its lines are classified (``usenix_lines``), reads::

    program  := HEADER? front_matter DAY slot+ (DAY slot+)*
    slot     := TIME (TRACK session)+ | TIME session
    session  := title (CHAIR | room)* body
    body     := paper* | item_content
    paper    := FLAG* title author_line+ FLAG* MEDIA paragraph*
    award    := title author_line+ PUBLISHED            (the Test of Time paper)
    keynote  := talk_title speaker_line MEDIA? paragraph*  (abstract, then the bio)

A paper's block is anchored on its media line ("Available Media", "Paper in
HTML | PDF" ...): the lines just before it are its flags, its author line (or
lines, when an author list is broken over several) and its title; the lines
after it, up to the next paper's title, are its abstract. Everything the
grammar cannot place is reported with its line, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from confdata.errors import RawInputError
from confdata.parse.authors.org_words import OrgKnowledge
from confdata.parse.authors.usenix import AuthorLineParse, PrintedAuthor, parse_author_line
from confdata.parse.raw_text import MAX_LINE_CHARS
from confdata.parse.usenix.end import check_program_end, reads_as_prose
from confdata.parse.usenix.lines import (
    DAY_RE,
    HEADER_RE,
    MONTHS,
    TIME_RE,
    Line,
    LineKind,
    ProgramRules,
    classify,
)
from confdata.quality.issues import Issue

# The version of what this grammar makes of a page. Bump it with any change that can
# change a parse's output (this module, usenix_lines, author_lines, org_words,
# staging.program_frames): cached parses of programs are keyed on it (see README,
# "Incremental runs, locking and crash safety").
PARSER_VERSION = 3

_YEAR_SUFFIX = re.compile(r"'(\d{2})\b")
_FULL_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_VENUE_IN_PARENS = re.compile(r"\(([^()]*?'\d{2})\)\s*$")


@dataclass(frozen=True, slots=True)
class ChairRecord:
    """A chair printed on a labelled line ("Session Chair: Name, Affiliation")."""

    role: str
    label_as_printed: str
    name: str
    affiliation_as_printed: str
    affiliations: tuple[str, ...]
    status: str
    line: int


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """A paper (or talk) as printed in a session."""

    title: str
    kind: str
    title_line: int
    authors: tuple[PrintedAuthor, ...]
    author_line: str
    author_line_no: int
    flags: tuple[str, ...]
    awards: tuple[str, ...]
    abstract: str | None
    bio: str | None
    venue: str
    year: int | None
    venue_as_printed: str | None
    has_media: bool


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One program item: a paper session, a keynote, a break, a meal ..."""

    date: dt.date
    day_line: int
    start_time: dt.time
    end_time: dt.time
    time_as_printed: str
    time_line: int
    track: int | None
    title: str
    title_line: int
    kind: str
    room: str | None
    chairs: tuple[ChairRecord, ...]
    papers: tuple[PaperRecord, ...]
    sponsor: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class ProgramParse:
    """Everything read from one program page."""

    event: str
    year: int
    header_line: int
    sessions: tuple[SessionRecord, ...]
    issues: tuple[Issue, ...]


@dataclass(slots=True)
class _Ctx:
    path: str
    rules: ProgramRules
    knowledge: OrgKnowledge
    issues: list[Issue] = field(default_factory=list)
    # Author lines already parsed in this page: the grammar asks about the same
    # line several times (is it a room? an author line? where does the paper end?).
    authors: dict[tuple[str, bool], AuthorLineParse] = field(default_factory=dict)
    # The number of the page's last non-blank line: how the page ends is program_end's call.
    last_no: int = 0

    def author_line(self, text: str, expect_affiliations: bool = True) -> AuthorLineParse:
        """Parse an author line (``author_lines.parse_author_line``), once per text."""
        key = (text, expect_affiliations)
        if key not in self.authors:
            self.authors[key] = parse_author_line(
                text, self.knowledge, expect_affiliations=expect_affiliations
            )
        return self.authors[key]

    def report(self, code: str, severity: str, message: str, line: Line | None) -> None:
        self.issues.append(
            Issue(
                code=code,
                severity=severity,  # type: ignore[arg-type]
                message=message,
                source_path=self.path,
                line=line.no if line else 0,
                text=line.text if line else "",
            )
        )

    def fail(self, line: Line | int, expected: str) -> RawInputError:
        if isinstance(line, Line):
            return RawInputError(self.path, line.no, expected, line.text)
        return RawInputError(self.path, line, expected)


def looks_like_program(text: str) -> bool:
    """Tell from its content whether a text is a USENIX technical-sessions page.

    It must have a weekday header and a time-slot line, and either the
    "<Event> Technical Sessions" title line near the top or a second time slot
    (pages are sometimes saved without their title).
    """
    days = times = 0
    lines = [ln.strip() for ln in text.split("\n", 20000)[:20000] if ln.strip()]
    for line in lines:
        if DAY_RE.match(line):
            days += 1
        elif TIME_RE.match(line):
            times += 1
    titled = any(HEADER_RE.match(line) for line in lines[:5])
    return days >= 1 and times >= 1 and (titled or times >= 2)


def parse_program(
    text: str, *, source_path: str, rules: ProgramRules, knowledge: OrgKnowledge
) -> ProgramParse:
    """Parse a USENIX technical-sessions page.

    Args:
        text: The whole page as text.
        source_path: The file's path as reported in issues and errors.
        rules: The program vocabulary.
        knowledge: Organization words and known organizations for author lines.

    Returns:
        The sessions with their papers, and every parse issue.

    Raises:
        RawInputError: When the text is not a program page or ends in the
            middle of a program item where a title or author line may be cut
            (one whose text alone was cut is a ``truncated-text`` warning; see
            :mod:`confdata.parse.usenix.end`); the error names the line and what was expected.
    """
    ctx = _Ctx(source_path, rules, knowledge)
    # Only "\n" ends a line (see raw_text), so line numbers are those an editor shows.
    lines = [classify(no, raw, rules) for no, raw in enumerate(text.split("\n"), 1) if raw.strip()]
    if not lines:
        raise ctx.fail(0, "a USENIX technical-sessions page, found an empty file")
    ctx.last_no = lines[-1].no
    event, year, header_line = _event(lines, ctx)
    first_day = next((i for i, ln in enumerate(lines) if ln.kind is LineKind.DAY), None)
    if first_day is None:
        raise ctx.fail(lines[0], "a day header such as 'Monday, May 4'")
    if first_day > 1 or (first_day == 1 and lines[0].kind is not LineKind.HEADER):
        front = lines[1 if lines[0].kind is LineKind.HEADER else 0 : first_day]
        ctx.report(
            "front-matter-skipped",
            "info",
            f"{len(front)} lines before the first day (proceedings and attendee files) "
            f"are not program items: lines {front[0].no}–{front[-1].no}",
            front[0],
        )
    sessions: list[SessionRecord] = []
    for day_line, day_lines in _split(lines[first_day:], LineKind.DAY):
        date = _date(day_line, year, ctx)
        if not day_lines or day_lines[0].kind is not LineKind.TIME:
            raise ctx.fail(
                day_lines[0] if day_lines else day_line,
                "a time slot such as '10:30 am–12:10 pm' after the day header",
            )
        for time_line, slot_lines in _split(day_lines, LineKind.TIME):
            sessions.extend(_slot(date, day_line, time_line, slot_lines, event, year, ctx))
    if (cut := check_program_end(text, lines, sessions, source_path)) is not None:
        ctx.issues.append(cut)
    return ProgramParse(event, year, header_line, tuple(sessions), tuple(ctx.issues))


def _event(lines: Sequence[Line], ctx: _Ctx) -> tuple[str, int, int]:
    header = next((ln for ln in lines[:5] if ln.kind is LineKind.HEADER), None)
    if header is None:
        raise ctx.fail(
            lines[0], 'a title line naming the event, such as "NSDI \'26 Technical Sessions"'
        )
    match = HEADER_RE.match(header.text)
    assert match is not None  # classify() only tags matching lines as HEADER
    event = match.group("event").strip()
    if m := _YEAR_SUFFIX.search(event):
        yy = int(m.group(1))
        return event, (2000 + yy if yy < 70 else 1900 + yy), header.no
    if m := _FULL_YEAR.search(event):
        return event, int(m.group(1)), header.no
    raise ctx.fail(header, 'an event name with its year, such as "NSDI \'26"')


def _split(lines: Sequence[Line], kind: LineKind) -> list[tuple[Line, list[Line]]]:
    """Cut lines at every line of a kind; the part before the first one must be empty."""
    parts: list[tuple[Line, list[Line]]] = []
    for line in lines:
        if line.kind is kind:
            parts.append((line, []))
        else:
            parts[-1][1].append(line)
    return parts


def _date(day: Line, year: int, ctx: _Ctx) -> dt.date:
    month = MONTHS.index(day.data["month"]) + 1
    explicit_year = int(day.data["year"]) if day.data.get("year") else year
    try:
        date = dt.date(explicit_year, month, int(day.data["day"]))
    except ValueError as err:
        raise ctx.fail(day, f"a real calendar date ({err})") from err
    if date.strftime("%A") != day.data["weekday"]:
        ctx.report(
            "weekday-mismatch",
            "warning",
            f"{date.isoformat()} is a {date.strftime('%A')}, not a {day.data['weekday']}; "
            "kept the printed date",
            day,
        )
    return date


def _slot(
    date: dt.date,
    day_line: Line,
    time_line: Line,
    slot_lines: list[Line],
    event: str,
    year: int,
    ctx: _Ctx,
) -> list[SessionRecord]:
    if not slot_lines:
        raise ctx.fail(time_line, "a session or program item after the time slot")
    units: list[tuple[int | None, list[Line]]]
    if slot_lines[0].kind is LineKind.TRACK:
        units = [(t.data["track"], body) for t, body in _split(slot_lines, LineKind.TRACK)]
        for (track, body), (track_line, _) in zip(
            units, _split(slot_lines, LineKind.TRACK), strict=True
        ):
            if not body:
                raise ctx.fail(track_line, f"a session title after 'Track {track}'")
    elif any(ln.kind is LineKind.TRACK for ln in slot_lines):
        first = next(ln for ln in slot_lines if ln.kind is LineKind.TRACK)
        raise ctx.fail(first, "a track line right after the time slot, before any session")
    else:
        units = [(None, slot_lines)]
    return [
        _session(date, day_line, time_line, track, body, event, year, ctx) for track, body in units
    ]


def _session(
    date: dt.date,
    day_line: Line,
    time_line: Line,
    track: int | None,
    body: list[Line],
    event: str,
    year: int,
    ctx: _Ctx,
) -> SessionRecord:
    title_line = body[0]
    if title_line.kind is not LineKind.TEXT:
        raise ctx.fail(title_line, "a session title")
    rest = body[1:]
    chairs: list[ChairRecord] = []
    room: str | None = None
    # Chairs and the room follow the title in either order, before any content.
    while rest:
        head = rest[0]
        if head.kind is LineKind.CHAIR:
            chairs.extend(_chairs(head, ctx))
        elif (
            head.kind is LineKind.TEXT
            and room is None
            and ctx.rules.is_room(head.text)
            and not (len(rest) > 1 and _is_author_like(rest[1].text, ctx))
        ):
            room = head.text
        else:
            break
        rest = rest[1:]
    kind = ctx.rules.item_kind(title_line.text)
    has_media = any(ln.kind is LineKind.MEDIA for ln in rest)
    if kind is None or (has_media and kind not in {"keynote", "award"}):
        kind = "paper_session"
    sponsor = next((ln.data["sponsor"] for ln in rest if ln.kind is LineKind.SPONSOR), None)
    papers: list[PaperRecord] = []
    description: str | None = None
    if kind == "paper_session":
        papers = _papers(rest, event, year, ctx)
        if not papers:
            ctx.report("empty-session", "warning", "paper session with no papers", title_line)
    elif kind == "keynote":
        papers = _keynote(title_line, rest, event, year, ctx)
    elif kind == "award" and any(ln.kind is LineKind.PUBLISHED for ln in rest):
        papers = _award_paper(title_line, rest, ctx)
    else:
        text_lines = [ln for ln in rest if ln.kind is LineKind.TEXT]
        stray = [ln for ln in rest if ln.kind not in {LineKind.TEXT, LineKind.SPONSOR}]
        for ln in stray:
            ctx.report(
                "unexpected-line",
                "warning",
                f"a {ln.kind.value} line inside a {kind} item was not understood",
                ln,
            )
        description = "\n\n".join(ln.text for ln in text_lines) or None
    return SessionRecord(
        date=date,
        day_line=day_line.no,
        start_time=time_line.data["start"],
        end_time=time_line.data["end"],
        time_as_printed=time_line.text,
        time_line=time_line.no,
        track=track,
        title=title_line.text,
        title_line=title_line.no,
        kind=kind,
        room=room,
        chairs=tuple(chairs),
        papers=tuple(papers),
        sponsor=sponsor,
        description=description,
    )


def _chairs(line: Line, ctx: _Ctx) -> list[ChairRecord]:
    label = str(line.data["label"])
    if line.data["edits"]:
        ctx.report(
            "misspelled-label",
            "warning",
            f"label {label!r} read as {line.data['role'].replace('_', ' ')}",
            line,
        )
    parsed = ctx.author_line(str(line.data["rest"]))
    _report_notes(parsed, line, ctx)
    groups = {a.group: a for a in parsed.authors}
    printed = [g.strip() for g in str(line.data["rest"]).split(";")]
    chairs = []
    for author in parsed.authors:
        group_text = printed[author.group - 1] if author.group <= len(printed) else ""
        affiliation = group_text.split(",", 1)[1].strip() if "," in group_text else ""
        chairs.append(
            ChairRecord(
                role=str(line.data["role"]),
                label_as_printed=label,
                name=author.name,
                affiliation_as_printed=affiliation if groups else "",
                affiliations=author.affiliations,
                status=author.status,
                line=line.no,
            )
        )
    return chairs


def _report_notes(parsed: AuthorLineParse, line: Line, ctx: _Ctx) -> None:
    severity = {"organization-only-group": "info"}
    for note in parsed.notes:
        ctx.report(note.code, severity.get(note.code, "warning"), note.message, line)


def _is_author_like(text: str, ctx: _Ctx) -> bool:
    """Tell whether a line reads as an author line rather than a title or a paragraph.

    Every name must look like a person's, at least one must have two words or
    more, and at least one group must end in an organization or a status.
    """
    if "," not in text or _ends_sentence(text):
        return False
    parsed = ctx.author_line(text)
    if not parsed.authors:
        return False
    names_ok = all(ctx.knowledge.is_person_like(a.name) for a in parsed.authors)
    has_full_name = any(len(a.name.split()) >= 2 for a in parsed.authors)
    has_org = any(a.status != "not_printed" for a in parsed.authors)
    return names_ok and has_full_name and has_org


def _ends_sentence(text: str) -> bool:
    """Tell whether a line ends with a full stop rather than an abbreviation ("Co.,Ltd.")."""
    stripped = text.rstrip()
    if not stripped.endswith("."):
        return False
    last = re.split(r"[\s,]+", stripped)[-1]
    # "Inc.", "Ltd.", "Jr.", "Q." end author lines; sentences end with a lowercase word.
    return not (last[:1].isupper() and len(last) <= 5)


def _continues_author_line(text: str) -> bool:
    stripped = text.rstrip()
    return stripped.endswith((",", ";", "&")) or stripped.endswith(" and")


def _is_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "?", "!", '"', "”")) or len(text.split()) > 40


def _papers(body: list[Line], event: str, year: int, ctx: _Ctx) -> list[PaperRecord]:
    """Find the papers of a session body by anchoring on media lines."""
    anchors = [i for i, ln in enumerate(body) if ln.kind is LineKind.MEDIA]
    papers: list[PaperRecord] = []
    start = 0  # first line that is not yet part of a paper
    blocks: list[tuple[int, int, int, int]] = []  # (flags_before, title, authors_end, media)
    for anchor in anchors:
        j = anchor - 1
        while j >= start and body[j].kind is LineKind.FLAG:
            j -= 1
        authors_end = j
        if j < start or body[j].kind is not LineKind.TEXT:
            raise ctx.fail(body[anchor], "an author line and a title before the media line")
        # An author list broken over several lines: earlier pieces end with "," ";" or "and".
        while (
            j - 1 >= start
            and body[j - 1].kind is LineKind.TEXT
            and (_continues_author_line(body[j - 1].text))
        ):
            j -= 1
        title = j - 1
        if title < start or body[title].kind is not LineKind.TEXT:
            raise ctx.fail(body[j], "a paper title before the author line")
        flags_before = title
        while flags_before - 1 >= start and body[flags_before - 1].kind is LineKind.FLAG:
            flags_before -= 1
        blocks.append((flags_before, title, authors_end, anchor))
        start = anchor + 1
    if not anchors:
        _no_paper_lines(body, ctx)
        return []
    _unplaced(body[: blocks[0][0]], ctx)
    for n, (flags_before, title, authors_end, anchor) in enumerate(blocks):
        end = blocks[n + 1][0] if n + 1 < len(blocks) else len(body)
        tail = body[anchor + 1 : end]
        if n + 1 == len(blocks):
            _check_end(tail, ctx)
        paragraphs = [ln for ln in tail if ln.kind is LineKind.TEXT]
        for ln in tail:
            if ln.kind is not LineKind.TEXT:
                ctx.report(
                    "unexpected-line",
                    "warning",
                    f"a {ln.kind.value} line inside an abstract was not understood",
                    ln,
                )
        flag_lines = [*body[flags_before:title], *body[authors_end + 1 : anchor]]
        author_lines = body[title + 1 : authors_end + 1]
        papers.append(_paper(body[title], author_lines, flag_lines, paragraphs, event, year, ctx))
    return papers


def _paper(
    title: Line,
    author_lines: list[Line],
    flag_lines: list[Line],
    paragraphs: list[Line],
    event: str,
    year: int,
    ctx: _Ctx,
) -> PaperRecord:
    author_text = _author_text(author_lines, ctx)
    parsed = ctx.author_line(author_text)
    _report_notes(parsed, author_lines[0], ctx)
    if not _is_author_like(author_text, ctx):
        ctx.report(
            "doubtful-author-line",
            "warning",
            "the line read as this paper's author line does not look like one",
            author_lines[0],
        )
    kind = "research"
    awards: list[str] = []
    for ln in flag_lines:
        flag = ln.data["flag"]
        if not flag.known:
            ctx.report(
                "unknown-flag", "warning", "flag line not in the rules; kept as an award", ln
            )
        if flag.category == "paper_type":
            kind = flag.value
        else:
            awards.append(flag.value)
    return PaperRecord(
        title=title.text,
        kind=kind,
        title_line=title.no,
        authors=parsed.authors,
        author_line=author_text,
        author_line_no=author_lines[0].no,
        flags=tuple(ln.text for ln in flag_lines),
        awards=tuple(awards),
        abstract="\n\n".join(ln.text for ln in paragraphs) or None,
        bio=None,
        venue=event,
        year=year,
        venue_as_printed=None,
        has_media=True,
    )


def _author_text(author_lines: Sequence[Line], ctx: _Ctx) -> str:
    """Join an author list printed over several lines, refusing one of absurd length.

    Each physical line is at most ``MAX_LINE_CHARS`` long (``raw_text``), but a run
    of lines ending in "," would join into one author line without end.
    """
    text = " ".join(ln.text for ln in author_lines)
    if len(text) > MAX_LINE_CHARS:
        raise ctx.fail(
            author_lines[0],
            f"an author line of at most {MAX_LINE_CHARS:,} characters (it has {len(text):,}, "
            f"over lines {author_lines[0].no}–{author_lines[-1].no})",
        )
    return text


def _unplaced(lines: Sequence[Line], ctx: _Ctx) -> None:
    for ln in lines:
        ctx.report(
            "unplaced-line",
            "warning",
            "line before the first paper of a session not understood",
            ln,
        )


def _no_paper_lines(body: list[Line], ctx: _Ctx) -> None:
    if body and body[-1].kind is LineKind.TEXT and not _is_sentence(body[-1].text):
        expected = (
            "'Available Media' (or another media line) after the author line"
            if _is_author_like(body[-1].text, ctx)
            else "an author line after the paper title"
        )
        raise ctx.fail(body[-1], expected)
    _unplaced(body, ctx)


def _check_end(tail: list[Line], ctx: _Ctx) -> None:
    """Refuse a session that ends in the middle of a paper (a cut-off file)."""
    if not tail:
        return
    last = tail[-1]
    if last.kind is LineKind.TEXT and not _is_sentence(last.text):
        if _is_author_like(last.text, ctx):
            raise ctx.fail(last, "'Available Media' (or another media line) after the author line")
        if last.no == ctx.last_no:
            return  # a title, or an abstract cut short? program_end tells from the whole page
        # A paragraph that only lacks its final punctuation is an abstract, not a title.
        title_like = len(tail) == 1 or _is_sentence(tail[-2].text)
        if title_like and not reads_as_prose(last.text):
            raise ctx.fail(last, "an author line after the paper title")


def _keynote(
    item_title: Line, body: list[Line], event: str, year: int, ctx: _Ctx
) -> list[PaperRecord]:
    """Read a keynote: talk title, speaker line, optional media line, abstract, then bio."""
    text_lines = [ln for ln in body if ln.kind in {LineKind.TEXT, LineKind.MEDIA}]
    if len(text_lines) < 2 or text_lines[0].kind is not LineKind.TEXT:
        raise ctx.fail(
            text_lines[0] if text_lines else item_title,
            "a talk title and a speaker line ('Name, Affiliation') in the keynote",
        )
    title, speaker = text_lines[0], text_lines[1]
    if speaker.kind is not LineKind.TEXT:
        raise ctx.fail(speaker, "a speaker line ('Name, Affiliation') after the talk title")
    parsed = ctx.author_line(speaker.text)
    _report_notes(parsed, speaker, ctx)
    rest = text_lines[2:]
    has_media = bool(rest) and rest[0].kind is LineKind.MEDIA
    paragraphs = [ln.text for ln in rest if ln.kind is LineKind.TEXT]
    abstract, bio = _split_bio(paragraphs, [a.name for a in parsed.authors])
    if bio is None and paragraphs:
        ctx.report(
            "keynote-bio-not-found",
            "info",
            "no paragraph starts with the speaker's name; all paragraphs kept as the abstract",
            speaker,
        )
    return [
        PaperRecord(
            title=title.text,
            kind="keynote",
            title_line=title.no,
            authors=parsed.authors,
            author_line=speaker.text,
            author_line_no=speaker.no,
            flags=(),
            awards=(),
            abstract=abstract,
            bio=bio,
            venue=event,
            year=year,
            venue_as_printed=None,
            has_media=has_media,
        )
    ]


def _split_bio(paragraphs: list[str], speakers: list[str]) -> tuple[str | None, str | None]:
    """Split keynote paragraphs into the abstract and the speaker's bio.

    The bio starts at the first paragraph that begins with a speaker's full,
    first or last name ("Amin Vahdat is ...", "Amin has ..."); the paragraphs
    after it ("Before joining Google, Amin ...") belong to the bio too.
    """
    tokens = {t for name in speakers for t in (name, *name.split()) if len(t) > 1}
    for i, paragraph in enumerate(paragraphs):
        first = paragraph.split(" ", 1)[0].rstrip(",'’s")
        if any(paragraph.startswith(t + " ") for t in tokens) or first in tokens:
            abstract = "\n\n".join(paragraphs[:i]) or None
            return abstract, "\n\n".join(paragraphs[i:])
    return "\n\n".join(paragraphs) or None, None


def _award_paper(item_title: Line, body: list[Line], ctx: _Ctx) -> list[PaperRecord]:
    """Read an award item's paper: title, authors (names only), "Published in …"."""
    published = next(i for i, ln in enumerate(body) if ln.kind is LineKind.PUBLISHED)
    head = [ln for ln in body[:published] if ln.kind is LineKind.TEXT]
    if len(head) < 2:
        raise ctx.fail(
            body[published], "the award paper's title and author line before 'Published in'"
        )
    title, author_lines = head[0], head[1:]
    author_text = _author_text(author_lines, ctx)
    names_only = all(
        ctx.knowledge.org_evidence(seg) is None for seg in author_text.replace(";", ",").split(",")
    )
    parsed = ctx.author_line(author_text, expect_affiliations=not names_only)
    _report_notes(parsed, author_lines[0], ctx)
    venue_line = body[published]
    venue, venue_year = _venue(venue_line.text)
    if venue is None:
        ctx.report(
            "venue-not-found",
            "warning",
            "no venue such as \"(NSDI '14)\" at the end of the 'Published in' line",
            venue_line,
        )
    for ln in body[published + 1 :]:
        ctx.report("unexpected-line", "warning", "line after the award paper not understood", ln)
    return [
        PaperRecord(
            title=title.text,
            kind="test_of_time" if "test of time" in item_title.text.lower() else "award",
            title_line=title.no,
            authors=parsed.authors,
            author_line=author_text,
            author_line_no=author_lines[0].no,
            flags=(),
            awards=(),
            abstract=None,
            bio=None,
            venue=venue or venue_line.text,
            year=venue_year,
            venue_as_printed=venue_line.text,
            has_media=False,
        )
    ]


def _venue(text: str) -> tuple[str | None, int | None]:
    """Find the short venue and its year in a "Published in … (NSDI '14)" line."""
    m = _VENUE_IN_PARENS.search(text)
    if not m:
        return None, None
    venue = m.group(1).strip()
    yy = int(venue[-2:])
    return venue, 2000 + yy if yy < 70 else 1900 + yy
