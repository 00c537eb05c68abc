"""Synthetic program pages: one real page reshuffled into many events of conference series.

Why: to measure how the pipeline scales (``make bench``) it needs corpora many
times the size of the one real page that look real to every stage: pages the
real parser reads with no more issues than the real page, the same people
recurring across events (with the spelling variants real pages have, so that
resolution has work to do), and papers that stay distinct works.

How: the real page is parsed once (:func:`program_template`); every generated
page keeps its lines verbatim (header, front matter, time slots, rooms, breaks,
the keynote) except for:

* the event name, everywhere it is printed, and the day lines: each page is
  another event, a series and a year (``"OSDI '17"``), on the same weekdays of
  the same month of its own year;
* the paper sessions: their titles and chair lines are shuffled among them,
  and every paper slot is filled with a new paper: the block (flags, media
  line, abstract) of a randomly drawn real paper, a new title recombined from
  real titles (unique in the corpus), and a new author line;
* the author lines: each page uses every real paper's author group once, in a
  random order, changed a little (order shuffled, one author dropped, one
  added from the page's pool of real people), so that real collaborations
  recur; a few mentions (``variant_rate``) are printed with a variant real
  pages have: accents dropped, a middle initial added or dropped, or the
  organization printed as another of its names in the registry;
* the test-of-time award: a new title and a names-only author group, published
  twelve years before the event.

Everything is pure: the pages are a function of the real text, the reference
data and the seed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from confdata.parse.authors.usenix import PrintedAuthor, parse_author_line, split_top_level
from confdata.parse.usenix.lines import MONTHS, WEEKDAYS, LineKind, classify
from confdata.parse.usenix.program import ProgramParse, SessionRecord, parse_program
from confdata.reference.data import Reference

# USENIX-style series names a synthetic event can belong to (the real page's series first).
SERIES = (
    "NSDI",
    "OSDI",
    "ATC",
    "FAST",
    "Security",
    "LISA",
    "HotOS",
    "HotCloud",
    "HotStorage",
    "HotEdge",
    "SREcon",
    "Enigma",
    "CSET",
    "WOOT",
    "FOCI",
    "OpML",
    "PEPR",
    "SOUPS",
    "HotSec",
    "ScAINet",
)
# Two-digit years print and parse ('05 is 2005, '99 is 1999) only within one century.
FIRST_YEAR, LAST_YEAR = 1970, 2069
# A corpus spreads over as few series as hold it with at most this many years each.
YEARS_PER_SERIES = 40
DEFAULT_VARIANT_RATE = 0.07
# How often a reused author group is changed, per kind of change.
SHUFFLE_RATE = 0.25
DROP_RATE = 0.25
ADD_RATE = 0.25
# The test-of-time paper was published this many years before the event.
AWARD_AGE = 12

_STRUCTURAL = {LineKind.DAY, LineKind.TIME, LineKind.TRACK, LineKind.HEADER}
_INITIAL = re.compile(r"^[A-Z]\.$")
_VENUE = re.compile(r"\(([^()]*?'\d{2})\)\s*$")
# Where a title's description splits into a head and a tail that another head can take.
_CONNECTOR = re.compile(r" (?=(?:for|via|with|in|using|through|on|at|from|to) )")
_INITIALS = "ABCDEFGHJKLMNPRSTVW"


@dataclass(frozen=True, slots=True)
class Person:
    """A real person as printed on the page: the name and the organizations part of its group."""

    name: str
    org: str


@dataclass(frozen=True, slots=True)
class _Block:
    """A paper's lines as printed (title to abstract), with where its title and authors are."""

    lines: tuple[str, ...]
    title: int
    authors: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Slot:
    """Where a paper sits on the page: lines ``start`` to ``end`` (exclusive), blank tail kept."""

    start: int
    end: int
    trailing_blanks: int


@dataclass(frozen=True, slots=True)
class _Award:
    title: int
    authors: tuple[int, ...]
    published: int


@dataclass(frozen=True, slots=True)
class ProgramTemplate:
    """What generation needs from the real page: its lines, slots, people and titles.

    Build it with :func:`program_template`.
    """

    lines: tuple[str, ...]
    event: str
    series: str
    year: int
    days: tuple[tuple[int, dt.date, bool], ...]  # (line index, date, printed with its year)
    event_lines: tuple[int, ...]
    session_titles: tuple[int, ...]
    chair_lines: tuple[int, ...]
    slots: tuple[_Slot, ...]
    blocks: tuple[_Block, ...]
    award: _Award | None
    groups: tuple[tuple[Person, ...], ...]
    pool: tuple[Person, ...]
    org_alternatives: dict[str, tuple[str, ...]]
    prefixes: tuple[str, ...]
    words: tuple[str, ...]
    suffixes: tuple[str, ...]
    heads: tuple[str, ...]
    tails: tuple[str, ...]


def corpus_events(series: str, last_year: int, files: int) -> list[tuple[str, int]]:
    """Return ``files`` distinct events (series, year), years counting back from ``last_year``.

    A corpus keeps to as few series as hold it with at most
    :data:`YEARS_PER_SERIES` years each, so that people recur across the years
    of a series; the real page's series comes first. Years before
    :data:`FIRST_YEAR` wrap to the end of the printable century.

    Raises:
        ValueError: When more events are asked for than the series and years hold.

    Examples:
        >>> corpus_events("NSDI", 2026, 3)
        [('NSDI', 2026), ('NSDI', 2025), ('NSDI', 2024)]
        >>> corpus_events("NSDI", 2026, 50)[24:26]
        [('NSDI', 2002), ('OSDI', 2026)]
    """
    names = [series, *(s for s in SERIES if s != series)]
    span = LAST_YEAR - FIRST_YEAR + 1
    if files < 1 or files > len(names) * span:
        raise ValueError(f"files must be between 1 and {len(names) * span}, not {files}")
    used = min(len(names), math.ceil(files / YEARS_PER_SERIES))
    per_series = math.ceil(files / used)
    events = []
    for name in names[:used]:
        for back in range(per_series):
            year = FIRST_YEAR + (last_year - back - FIRST_YEAR) % span
            events.append((name, year))
    return events[:files]


def event_name(series: str, year: int) -> str:
    """Return the event as a page prints it: the series and the year's last two digits.

    Examples:
        >>> event_name("OSDI", 2005)
        "OSDI '05"
    """
    return f"{series} '{year % 100:02d}"


def strip_accents(text: str) -> str:
    """Return the text without its combining accents, as pages that drop them print it.

    Examples:
        >>> strip_accents("Dejan Kostić")
        'Dejan Kostic'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def toggle_middle_initial(name: str) -> str | None:
    """Return the name with its middle initial dropped, or one added; None if neither fits.

    The added initial is the same for a name every time (a fixed function of
    its letters), as a person's middle initial would be.

    Examples:
        >>> toggle_middle_initial("Jane Q. Doe")
        'Jane Doe'
        >>> toggle_middle_initial("Jane Doe")
        'Jane L. Doe'
        >>> toggle_middle_initial("Yogesh") is None
        True
    """
    words = name.split()
    if len(words) >= 3 and _INITIAL.match(words[1]):
        return " ".join([words[0], *words[2:]])
    if len(words) == 2:
        initial = _INITIALS[sum(map(ord, name)) % len(_INITIALS)]
        return f"{words[0]} {initial}. {words[1]}"
    return None


def join_names(names: Sequence[str]) -> str:
    """Join names as author lines print them ("A", "A and B", "A, B, and C").

    Examples:
        >>> join_names(["A", "B", "C"])
        'A, B, and C'
    """
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def render_author_line(people: Sequence[Person]) -> str:
    """Print people as an author line: neighbours with the same organizations share a group.

    Examples:
        >>> render_author_line([Person("A B", "X"), Person("C D", "X"), Person("E F", "Y")])
        'A B and C D, X; E F, Y'
    """
    groups: list[tuple[list[str], str]] = []
    for person in people:
        if groups and groups[-1][1] == person.org:
            groups[-1][0].append(person.name)
        else:
            groups.append(([person.name], person.org))
    return "; ".join(f"{join_names(names)}, {org}" for names, org in groups)


# --------------------------------------------------------------------------- template


def program_template(page_text: str, reference: Reference) -> ProgramTemplate:
    """Read the real page once: its lines, paper slots, author groups and titles.

    Raises:
        RawInputError: If the page does not parse (see ``parse_program``).
        ValueError: If the page has no paper session to reshuffle.
    """
    parse = parse_program(
        page_text,
        source_path="template",
        rules=reference.program_rules,
        knowledge=reference.org_knowledge,
    )
    lines = tuple(page_text.split("\n"))
    kinds = {
        no: classify(no, raw, reference.program_rules).kind
        for no, raw in enumerate(lines, 1)
        if raw.strip()
    }
    structural = sorted(no for no, kind in kinds.items() if kind in _STRUCTURAL)
    sessions = [s for s in parse.sessions if s.kind == "paper_session" and s.papers]
    if not sessions:
        raise ValueError("the page has no paper session to reshuffle")
    slots, blocks, groups = [], [], []
    for session in sessions:
        papers = sorted(session.papers, key=lambda p: p.title_line)
        starts = [_block_start(p.title_line, kinds, lines) for p in papers]
        for i, paper in enumerate(papers):
            end = starts[i + 1] if i + 1 < len(starts) else _next(structural, paper.title_line)
            slot, block = _slot(
                starts[i], end, paper.title_line, paper.author_line_no, kinds, lines
            )
            slots.append(slot)
            blocks.append(block)
            group = _people(paper.author_line, paper.authors)
            if group:
                groups.append(group)
    pool = sorted({p for g in groups for p in g if len(p.name.split()) >= 2}, key=_person_key)
    prefixes, words, suffixes, heads, tails = _title_parts(
        [p.title for s in sessions for p in s.papers]
    )
    return ProgramTemplate(
        lines=lines,
        event=parse.event,
        series=parse.event.split("'")[0].strip() or parse.event,
        year=parse.year,
        days=_days(parse, lines),
        event_lines=tuple(i for i, raw in enumerate(lines) if parse.event in raw),
        session_titles=tuple(s.title_line - 1 for s in sessions),
        chair_lines=_chair_lines(sessions),
        slots=tuple(slots),
        blocks=tuple(blocks),
        award=_award(parse, kinds, lines),
        groups=tuple(groups),
        pool=tuple(pool),
        org_alternatives=_org_alternatives(pool, reference),
        prefixes=prefixes,
        words=words,
        suffixes=suffixes,
        heads=heads,
        tails=tails,
    )


def _person_key(person: Person) -> tuple[str, str]:
    return (person.name, person.org)


def _block_start(title_line: int, kinds: dict[int, LineKind], lines: Sequence[str]) -> int:
    """Return the 1-based line a paper's block starts on: its title, or flags printed above it."""
    start, no = title_line, title_line - 1
    while no >= 1 and (not lines[no - 1].strip() or kinds.get(no) is LineKind.FLAG):
        if kinds.get(no) is LineKind.FLAG:
            start = no
        no -= 1
    return start


def _next(structural: Sequence[int], after: int) -> int:
    """Return the first structural line after a line (the end of its session), or past the end."""
    return next((no for no in structural if no > after), 10**9)


def _slot(
    start: int,
    end: int,
    title_line: int,
    author_line: int,
    kinds: dict[int, LineKind],
    lines: Sequence[str],
) -> tuple[_Slot, _Block]:
    end = min(end, len(lines) + 1)
    body = list(lines[start - 1 : end - 1])
    trailing = 0
    while body and not body[-1].strip():
        body.pop()
        trailing += 1
    authors = []
    no = author_line
    while no < end and kinds.get(no, LineKind.TEXT) is LineKind.TEXT:
        if lines[no - 1].strip():
            authors.append(no - start)
        no += 1
    block = _Block(tuple(body), title_line - start, tuple(authors))
    return _Slot(start - 1, end - 1, trailing), block


def _people(author_line: str, authors: Sequence[PrintedAuthor]) -> tuple[Person, ...]:
    """Return a paper's authors with the organizations part of their group, as printed.

    Authors printed without an organization are left out: an author line
    cannot print them between groups that have one.
    """
    groups = split_top_level(author_line, ";")
    people = []
    for author in authors:
        group = author.group
        text = groups[group - 1] if group <= len(groups) else ""
        last = [a.name for a in authors if a.group == group][-1]
        at = text.rfind(last)
        org = text[at + len(last) :].strip().lstrip(",").strip() if at >= 0 else ""
        if org:
            people.append(Person(author.name, org))
    return tuple(people)


def _days(parse: ProgramParse, lines: Sequence[str]) -> tuple[tuple[int, dt.date, bool], ...]:
    seen: dict[int, dt.date] = {}
    for session in parse.sessions:
        seen.setdefault(session.day_line, session.date)
    return tuple(
        (no - 1, date, bool(re.search(r",\s*\d{4}\s*$", lines[no - 1])))
        for no, date in sorted(seen.items())
    )


def _chair_lines(sessions: Sequence[SessionRecord]) -> tuple[int, ...]:
    """Return the chair line of each paper session that has exactly one (to shuffle them)."""
    found = []
    for session in sessions:
        nos = sorted({c.line for c in session.chairs})
        if len(nos) == 1:
            found.append(nos[0] - 1)
    return tuple(found)


def _award(parse: ProgramParse, kinds: dict[int, LineKind], lines: Sequence[str]) -> _Award | None:
    """Find the test-of-time paper: its title, names-only author lines and "Published in" line."""
    for session in parse.sessions:
        for paper in session.papers:
            if paper.kind != "test_of_time":
                continue
            authors, no = [], paper.author_line_no
            while no <= len(lines) and kinds.get(no, LineKind.TEXT) is LineKind.TEXT:
                if lines[no - 1].strip():
                    authors.append(no - 1)
                no += 1
            if kinds.get(no) is LineKind.PUBLISHED and _VENUE.search(lines[no - 1]):
                return _Award(paper.title_line - 1, tuple(authors), no - 1)
    return None


def _org_alternatives(pool: Sequence[Person], reference: Reference) -> dict[str, tuple[str, ...]]:
    """Map each printed organization that is a registry name to the registry's other names for it.

    Only names that an author line reads back whole (one organization, no
    note) are offered, so a variant never changes how the line parses.
    """
    strings: dict[str, tuple[str, ...]] = {}
    for entry in reference.registry.entries:
        for s in entry.strings():
            strings[s] = entry.strings()
    out: dict[str, tuple[str, ...]] = {}
    for org in sorted({p.org for p in pool}):
        others = tuple(s for s in strings.get(org, ()) if s != org and _reads_whole(s, reference))
        if others:
            out[org] = others
    return out


def _reads_whole(org: str, reference: Reference) -> bool:
    parsed = parse_author_line(f"Jane Doe, {org}", reference.org_knowledge)
    return (
        not parsed.notes
        and len(parsed.authors) == 1
        and parsed.authors[0].name == "Jane Doe"
        and parsed.authors[0].affiliations == (org,)
    )


def _title_parts(titles: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Cut real titles into the parts new titles are recombined from.

    Returns the system names before a colon, those that are one word (to
    splice), the descriptions, and the descriptions cut at a connector word
    into heads and tails ("Scheduling for" + " LLM Inference").
    """
    prefixes, suffixes = [], []
    for title in titles:
        if ": " in title:
            prefix, suffix = title.split(": ", 1)
            prefixes.append(prefix)
            suffixes.append(suffix)
        else:
            suffixes.append(title)
    heads, tails = [], []
    for suffix in suffixes:
        parts = _CONNECTOR.split(suffix, maxsplit=1)
        if len(parts) == 2 and parts[0] and parts[1]:
            heads.append(parts[0])
            tails.append(" " + parts[1])
    words = [p for p in prefixes if " " not in p and len(p) >= 4]
    return (
        tuple(prefixes or ["System"]),
        tuple(words or prefixes or ["System"]),
        tuple(suffixes),
        tuple(heads or suffixes),
        tuple(tails or [""]),
    )


# --------------------------------------------------------------------------- generation


def synthetic_programs(
    template: ProgramTemplate,
    *,
    seed: int,
    files: int,
    variant_rate: float = DEFAULT_VARIANT_RATE,
) -> Iterator[tuple[str, str]]:
    """Yield ``files`` program pages (file name, text), each a distinct event.

    The same ``(template, seed, files, variant_rate)`` always yields the same
    pages, one at a time, so a large corpus need not be held in memory.

    Raises:
        ValueError: When ``files`` is out of range (see :func:`corpus_events`).
    """
    rng = random.Random(seed)
    used_titles: set[str] = set()
    for series, year in corpus_events(template.series, template.year, files):
        name = f"{series.lower()}-{year}-technical-sessions.txt"
        yield name, _page(template, series, year, rng, used_titles, variant_rate)


def synthetic_corpus(
    page_text: str,
    reference: Reference,
    *,
    seed: int,
    files: int,
    variant_rate: float = DEFAULT_VARIANT_RATE,
) -> dict[str, str]:
    """Return ``files`` program pages made from a real page: ``{file name: text}``.

    See the module docstring for what changes from page to page.
    """
    template = program_template(page_text, reference)
    return dict(synthetic_programs(template, seed=seed, files=files, variant_rate=variant_rate))


def _page(
    t: ProgramTemplate,
    series: str,
    year: int,
    rng: random.Random,
    used_titles: set[str],
    variant_rate: float,
) -> str:
    lines = list(t.lines)
    event = event_name(series, year)
    for i in t.event_lines:
        lines[i] = lines[i].replace(t.event, event)
    for i, text in _day_lines(t, year).items():
        lines[i] = text
    for targets in (t.session_titles, t.chair_lines):
        texts = [t.lines[i] for i in targets]
        rng.shuffle(texts)
        for i, text in zip(targets, texts, strict=True):
            lines[i] = text
    if t.award is not None:
        _fill_award(lines, t, series, year, rng, used_titles)
    groups = list(t.groups)
    rng.shuffle(groups)
    out: list[str] = []
    cursor = 0
    for n, slot in enumerate(t.slots):
        out.extend(lines[cursor : slot.start])
        block = t.blocks[rng.randrange(len(t.blocks))]
        people = _mutate(groups[n % len(groups)], t.pool, rng)
        people = [_variant(p, t, rng) if rng.random() < variant_rate else p for p in people]
        body = list(block.lines)
        body[block.title] = _title(t, rng, used_titles)
        body[block.authors[0]] = render_author_line(people)
        for extra in block.authors[1:]:
            body[extra] = ""
        out.extend(body)
        out.extend([""] * slot.trailing_blanks)
        cursor = slot.end
    out.extend(lines[cursor:])
    return "\n".join(out)


def _day_lines(t: ProgramTemplate, year: int) -> dict[int, str]:
    """Print the page's days in another year: same weekdays, same month, same gaps."""
    if not t.days:
        return {}
    first = t.days[0][1]
    start = dt.date(year, first.month, 1)
    start += dt.timedelta(days=(first.weekday() - start.weekday()) % 7)
    out = {}
    for i, date, with_year in t.days:
        new = start + (date - first)
        text = f"{WEEKDAYS[new.weekday()]}, {MONTHS[new.month - 1]} {new.day}"
        out[i] = f"{text}, {new.year}" if with_year else text
    return out


def _fill_award(
    lines: list[str],
    t: ProgramTemplate,
    series: str,
    year: int,
    rng: random.Random,
    used_titles: set[str],
) -> None:
    assert t.award is not None
    award = t.award
    group = rng.choice([g for g in t.groups if len(g) >= 2] or list(t.groups))
    lines[award.title] = _title(t, rng, used_titles)
    lines[award.authors[0]] = join_names([p.name for p in group])
    for extra in award.authors[1:]:
        lines[extra] = ""
    published = max(FIRST_YEAR, year - AWARD_AGE)
    lines[award.published] = _VENUE.sub(
        f"({event_name(series, published)})", lines[award.published]
    )


def _mutate(group: Sequence[Person], pool: Sequence[Person], rng: random.Random) -> list[Person]:
    """Change a real author group a little: shuffle it, drop one author, add one."""
    people = list(group)
    if len(people) > 1 and rng.random() < SHUFFLE_RATE:
        rng.shuffle(people)
    if len(people) >= 3 and rng.random() < DROP_RATE:
        del people[rng.randrange(len(people))]
    if pool and rng.random() < ADD_RATE:
        newcomer = pool[rng.randrange(len(pool))]
        if all(p.name != newcomer.name for p in people):
            people.insert(rng.randrange(len(people) + 1), newcomer)
    return people


def _variant(person: Person, t: ProgramTemplate, rng: random.Random) -> Person:
    """Print a person the way another page might: no accents, a middle initial, another org name."""
    options: list[Person] = []
    weights: list[int] = []
    plain = strip_accents(person.name)
    if plain != person.name:
        # Few names have accents, and pages that drop them drop them all: likelier.
        options.append(dataclasses.replace(person, name=plain))
        weights.append(3)
    toggled = toggle_middle_initial(person.name)
    if toggled is not None:
        options.append(dataclasses.replace(person, name=toggled))
        weights.append(1)
    alternatives = t.org_alternatives.get(person.org, ())
    if alternatives:
        options.append(dataclasses.replace(person, org=rng.choice(alternatives)))
        weights.append(1)
    return rng.choices(options, weights)[0] if options else person


def _title(t: ProgramTemplate, rng: random.Random, used: set[str]) -> str:
    """Recombine real titles into one not yet used in the corpus (compared without case)."""
    while True:
        if rng.random() < 0.5:
            description = rng.choice(t.suffixes)
        else:
            description = rng.choice(t.heads) + rng.choice(t.tails)
        roll = rng.random()
        # A title of names and commas alone can read as an author line (a session's
        # room before it would then not be read as its room): those get a system name.
        if roll < 0.15 and ", " not in description:
            title = description
        elif roll < 0.55:
            title = f"{rng.choice(t.prefixes)}: {description}"
        else:
            a, b = rng.choice(t.words), rng.choice(t.words)
            title = f"{a[: (len(a) + 1) // 2]}{b[len(b) // 2 :]}: {description}"
        key = " ".join(title.casefold().split())
        if key not in used:
            used.add(key)
            return title
