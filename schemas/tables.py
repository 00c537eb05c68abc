"""The published tables' contract: pandera models that are also the data dictionary.

Every column carries a description; ``Config.metadata`` names the table's
grain ("one row per …"), its primary key and its foreign keys, which
``schemas.relations`` checks across tables with pandera checks. Validate
collected ``pl.DataFrame`` objects: on a LazyFrame pandera checks only names
and types.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

SESSION_KINDS = ["paper_session", "keynote", "break", "meal", "reception", "opening", "award"]
PAPER_KINDS = [
    "research",
    "operational_systems",
    "keynote",
    "test_of_time",
    "award",
    "conference",
    "journal",
    "patent",
    "workshop",
    "other",
]
# A program's own papers: those presented in its paper sessions.
PROGRAM_PAPER_KINDS = ["research", "operational_systems"]
# Works that are research papers: a program's own, the earlier papers a program honours
# (test_of_time, award) and a CV's conference, journal and workshop entries. The other
# kinds (keynote, patent, other) are talks, patents and the like.
RESEARCH_PAPER_KINDS = [
    *PROGRAM_PAPER_KINDS,
    "test_of_time",
    "award",
    "conference",
    "journal",
    "workshop",
]
OTHER_WORK_KINDS = [k for k in PAPER_KINDS if k not in RESEARCH_PAPER_KINDS]
POSITION_KINDS = ["work", "education"]
ORG_KINDS = ["academic", "industry", "government", "nonprofit"]
MENTION_ROLES = [
    "author",
    "keynote_speaker",
    "test_of_time_author",
    "session_chair",
    "program_co_chair",
    "general_chair",
    "cv_author",
    "cv_owner",
]
AFFILIATION_STATUSES = ["affiliated", "unaffiliated", "independent", "not_printed"]
CHAIR_ROLES = ["session_chair", "program_co_chair", "general_chair"]
SOURCE_KINDS = ["program", "cv"]

_ID = r"^[a-z]{3}_[0-9a-f]{16}$"


class Sources(pa.DataFrameModel):
    """The raw files a release was built from."""

    source_id: str = pa.Field(
        str_matches=_ID,
        unique=True,
        description="Stable ID of the raw file, from its path under raw/.",
    )
    path: str = pa.Field(
        unique=True, description="Path of the raw file relative to the raw folder."
    )
    kind: str = pa.Field(
        isin=SOURCE_KINDS, description="Kind of document, detected from its content: program or cv."
    )
    sha256: str = pa.Field(
        str_matches=r"^[0-9a-f]{64}$", description="SHA-256 of the file's bytes."
    )
    bytes: int = pa.Field(ge=1, description="Size of the file in bytes.")
    lines: int = pa.Field(ge=1, description="Number of lines in the file.")
    event: str = pa.Field(
        nullable=True,
        description='Event the program is for, as printed (e.g. "NSDI \'26"); null for a CV.',
    )

    class Config:
        strict = True
        coerce = False
        metadata = {
            "grain": "one row per raw file",
            "primary_key": ["source_id"],
            "foreign_keys": {},
        }


class Sessions(pa.DataFrameModel):
    """Program items: paper sessions, keynotes, breaks, meals, receptions, openings, awards."""

    session_id: str = pa.Field(
        str_matches=_ID,
        unique=True,
        description="Stable ID from event, date, start time, track and title.",
    )
    source_id: str = pa.Field(description="Raw file the item was read from (sources.source_id).")
    event: str = pa.Field(
        description="Event as printed in the program's title line, e.g. \"NSDI '26\"."
    )
    date: pl.Date = pa.Field(
        description="Day of the item, from the day header and the event's year."
    )
    start_time: pl.Time = pa.Field(description="Start of the time slot (local time of the venue).")
    end_time: pl.Time = pa.Field(description="End of the time slot (local time of the venue).")
    time_as_printed: str = pa.Field(
        description='The time-slot line exactly as printed, e.g. "10:30 am–12:10 pm".'
    )
    track: pl.Int16 = pa.Field(
        nullable=True,
        ge=1,
        description='Track number from a "Track N" line; null when the slot has no tracks.',
    )
    title: str = pa.Field(
        description='Title of the item as printed ("Coffee and Tea Break", a session\'s name).'
    )
    kind: str = pa.Field(
        isin=SESSION_KINDS, description="What the item is: " + ", ".join(SESSION_KINDS) + "."
    )
    room: str = pa.Field(nullable=True, description="Room as printed; null when none is printed.")
    sponsor: str = pa.Field(
        nullable=True, description='Sponsor from a "Sponsored by …" line, as printed.'
    )
    description: str = pa.Field(
        nullable=True,
        description="Other text printed with a non-paper item (paragraphs separated by a blank line).",
    )
    source_line: pl.Int32 = pa.Field(ge=1, description="Line of the item's title in the raw file.")

    class Config:
        strict = True
        metadata = {
            "grain": "one row per program item, breaks and meals included",
            "primary_key": ["session_id"],
            "foreign_keys": {"source_id": ("sources", "source_id")},
        }


class Papers(pa.DataFrameModel):
    """Works: papers and talks, each once however many sources list it."""

    paper_id: str = pa.Field(
        str_matches=_ID,
        unique=True,
        description="Stable ID of the work, from its normalized title and year (and venue, for keynotes).",
    )
    source_id: str = pa.Field(
        description="Raw file of the work's primary listing (sources.source_id): a program's listing first, then the first by path and line."
    )
    session_id: str = pa.Field(
        nullable=True,
        description="Program item the work is presented in (sessions.session_id); null when no program lists it.",
    )
    position_in_session: pl.Int16 = pa.Field(
        nullable=True,
        ge=1,
        description="1-based order of the work in its session; null when no program lists it.",
    )
    title: str = pa.Field(description="Title exactly as printed in the primary listing.")
    abstract: str = pa.Field(
        nullable=True,
        description="Whole abstract as printed, paragraphs separated by a blank line; null when none is printed.",
    )
    bio: str = pa.Field(
        nullable=True,
        description="Speaker's biography (keynotes only), paragraphs separated by a blank line.",
    )
    kind: str = pa.Field(
        isin=PAPER_KINDS,
        description='From a program: research, operational_systems (flagged "Operational Systems Paper"), keynote, test_of_time, award. From a CV section: conference, journal, patent, workshop, other.',
    )
    venue: str = pa.Field(
        nullable=True,
        description='Venue, short form where the text gives one ("NSDI \'26"; "NSDI \'14" for a Test of Time paper; "CoNEXT" in a CV).',
    )
    venue_as_printed: str = pa.Field(
        nullable=True,
        description='The venue as printed, when it differs from the program ("Published in the Proceedings of …", a CV\'s venue text).',
    )
    series: str = pa.Field(
        nullable=True,
        description='Series of the venue, without its year: "NSDI" for "NSDI \'26" (and for a Test of Time paper\'s "NSDI \'14"), a CV\'s short form printed in parentheses ("CoNEXT", "ASPLOS"). Null when none is printed (a CV\'s "ArXiv Preprint", a patent): never guessed.',
    )
    year: pl.Int16 = pa.Field(
        nullable=True,
        ge=1950,
        le=2100,
        description="Year of the venue: a program paper's event year (2026 for NSDI '26; 2014 for its Test of Time paper from NSDI '14), a CV entry's printed year; null when not printed.",
    )
    flags: pl.List(pl.Utf8) = pa.Field(
        description='Flag lines printed with the primary listing, exactly as printed ("Awarded Outstanding Paper!").'
    )
    awards: pl.List(pl.Utf8) = pa.Field(
        description='Awards named by any listing, normalized ("Outstanding Paper", "Community Award"), sorted.'
    )
    has_media: bool = pa.Field(
        description='True when the program links the paper\'s media ("Available Media" or similar).'
    )
    source_line: pl.Int32 = pa.Field(
        ge=1, description="Line of the primary listing's title (or entry) in its raw file."
    )

    class Config:
        strict = True
        metadata = {
            "grain": "one row per work (paper or talk)",
            "primary_key": ["paper_id"],
            "foreign_keys": {
                "source_id": ("sources", "source_id"),
                "session_id": ("sessions", "session_id"),
            },
        }


class PaperListings(pa.DataFrameModel):
    """Every listing of a work: in a program, or as an entry of a CV."""

    source_id: str = pa.Field(description="Raw file of the listing (sources.source_id).")
    source_line: pl.Int32 = pa.Field(
        ge=1, description="Line where the listing starts in its raw file."
    )
    paper_id: str = pa.Field(description="The work listed (papers.paper_id).")
    listing_key: str = pa.Field(
        nullable=True,
        description='The CV\'s key for the entry ("C4", "P14", "12"); null in a program.',
    )
    listed_as: str = pa.Field(
        isin=PAPER_KINDS,
        description="Kind as this listing gives it (a CV's section, or the program's kind).",
    )
    title: str = pa.Field(
        description="Title exactly as printed in this listing (markup such as **bold** removed)."
    )
    authors_as_printed: pl.List(pl.Utf8) = pa.Field(
        description="Authors' names exactly as printed in this listing, in order."
    )
    venue: str = pa.Field(
        nullable=True, description="Venue of this listing, short form where given."
    )
    venue_as_printed: str = pa.Field(
        nullable=True, description="Venue text exactly as printed in this listing."
    )
    series: str = pa.Field(
        nullable=True,
        description="Series of this listing's venue, without its year (as papers.series); null when none is printed.",
    )
    year: pl.Int16 = pa.Field(
        nullable=True,
        ge=1950,
        le=2100,
        description="Year of this listing's venue (as papers.year): a program paper's event year, a Test of Time paper's original venue's year, a CV entry's printed year; null when not printed.",
    )
    flags: pl.List(pl.Utf8) = pa.Field(
        description="Award or flag texts exactly as printed with this listing."
    )
    accepted: pl.Int32 = pa.Field(
        nullable=True,
        ge=0,
        description='Papers accepted, from an acceptance rate ("28/104 ≈ 26.9%" -> 28).',
    )
    submitted: pl.Int32 = pa.Field(
        nullable=True,
        ge=1,
        description='Papers submitted, from an acceptance rate ("28/104 ≈ 26.9%" -> 104).',
    )
    acceptance_rate_as_printed: str = pa.Field(
        nullable=True, description="The acceptance rate exactly as printed."
    )
    acceptance_note: str = pa.Field(
        nullable=True, description='Qualifier printed with the acceptance rate ("Spring").'
    )
    impact_factor: float = pa.Field(
        nullable=True, ge=0, description="Journal impact factor as printed."
    )
    patent_application_numbers: pl.List(pl.Utf8) = pa.Field(
        description='Patent application numbers as printed ("US 19/173,029", "PCT/SE2023/050880").'
    )
    patent_grant_numbers: pl.List(pl.Utf8) = pa.Field(
        description='Granted patent numbers as printed ("US12111766B2").'
    )
    filed: str = pa.Field(
        nullable=True,
        str_matches=r"^\d{4}(-\d{2})?$",
        description='Filing date as precise as printed: "2025-04" or "2025".',
    )
    other_titles: pl.List(pl.Utf8) = pa.Field(
        description='Alternative titles printed as "Other name: …".'
    )

    class Config:
        strict = True
        unique = ["source_id", "source_line"]
        metadata = {
            "grain": "one row per listing of a work in a source",
            "primary_key": ["source_id", "source_line"],
            "foreign_keys": {
                "source_id": ("sources", "source_id"),
                "paper_id": ("papers", "paper_id"),
            },
        }


class Authors(pa.DataFrameModel):
    """People: authors, speakers, chairs and CV owners, each once however printed."""

    author_id: str = pa.Field(
        str_matches=_ID,
        unique=True,
        description="Stable ID of the person, from their earliest mention (file content, line, position: renaming a file changes no ID); retired IDs are in author_redirects.",
    )
    name: str = pa.Field(
        description="Display name: the form printed most often (ties: the longest)."
    )
    name_variants: pl.List(pl.Utf8) = pa.Field(
        description="Every printed form of the name seen in the sources, sorted."
    )
    affiliation_ids: pl.List(pl.Utf8) = pa.Field(
        description="Organizations printed with the person in any source (affiliations.affiliation_id), sorted."
    )
    research_paper_count: pl.Int32 = pa.Field(
        ge=0,
        description="Number of distinct research papers the person is an author of, in any source: works of kind "
        + ", ".join(RESEARCH_PAPER_KINDS)
        + " (a work listed twice counts once; keynotes, patents and other works are in other_work_count).",
    )
    other_work_count: pl.Int32 = pa.Field(
        ge=0,
        description="Number of distinct other works the person is listed on: kind "
        + ", ".join(OTHER_WORK_KINDS)
        + " (keynote talks, patents, other CV entries).",
    )

    class Config:
        strict = True
        metadata = {
            "grain": "one row per person",
            "primary_key": ["author_id"],
            "foreign_keys": {"affiliation_ids": ("affiliations", "affiliation_id")},
        }


class AuthorMentions(pa.DataFrameModel):
    """Every printed appearance of a person, with the person it was resolved to."""

    mention_id: str = pa.Field(
        unique=True,
        description='Where the name is printed: "<raw file>:<line>:<position>" (chair<n> for a chair, owner for a CV\'s owner).',
    )
    author_id: str = pa.Field(
        description="The person the mention was resolved to (authors.author_id)."
    )
    name_as_printed: str = pa.Field(description="The name exactly as printed.")
    name_key: str = pa.Field(
        description="The normalized name used for blocking (folded letters, no initials or suffixes)."
    )
    role: str = pa.Field(
        isin=MENTION_ROLES, description="The role printed: " + ", ".join(MENTION_ROLES) + "."
    )
    source_id: str = pa.Field(description="The raw file (sources.source_id).")
    source_line: pl.Int32 = pa.Field(
        ge=1, description="The line of the raw file the name is printed on."
    )
    position: pl.Int16 = pa.Field(
        nullable=True,
        ge=1,
        description="Position in the author list or among the chairs; null for a CV's owner.",
    )
    paper_id: str = pa.Field(
        nullable=True, description="The work, for an author mention (papers.paper_id)."
    )
    session_id: str = pa.Field(
        nullable=True,
        description="The program item, for a chair or a program author (sessions.session_id).",
    )
    affiliation_ids: pl.List(pl.Utf8) = pa.Field(
        description="Organizations printed with this mention (affiliations.affiliation_id)."
    )

    class Config:
        strict = True
        metadata = {
            "grain": "one row per printed appearance of a person (mention)",
            "primary_key": ["mention_id"],
            "foreign_keys": {
                "author_id": ("authors", "author_id"),
                "source_id": ("sources", "source_id"),
                "paper_id": ("papers", "paper_id"),
                "session_id": ("sessions", "session_id"),
                "affiliation_ids": ("affiliations", "affiliation_id"),
            },
        }


class AuthorLinks(pa.DataFrameModel):
    """The evidence table: every decision people resolution took, merge or not."""

    left: str = pa.Field(
        description="One side: a mention (author_mentions.mention_id). Mentions pooled into a unit before comparison (a CV's mentions of one name; mentions of one name with the same organizations, or with none and the same co-authors) are named by the unit's first mention, and each is joined to it by a star link."
    )
    right: str = pa.Field(description="The other side, named the same way.")
    name_key: str = pa.Field(
        description="The name key both sides share (or the keys, for an override)."
    )
    rule: str = pa.Field(
        description="The rule or evidence: same-key+shared-org, same-key+org-parent, same-key+org-sibling, same-key+shared-coauthor, same-key+same-source-role, same-key+same-paper, same-key+no-evidence, conflicting-orgs, same-author-list, override-must-link, override-cannot-link."
    )
    features: str = pa.Field(
        description="The evidence as JSON: shared organizations, shared co-authors, and what contradicted."
    )
    score: float = pa.Field(
        ge=0,
        le=1,
        description="Evidence score in [0, 1]; a link is accepted at the merge threshold (0.6) or above.",
    )
    merged: bool = pa.Field(description="True when the two sides are one person in this release.")

    class Config:
        strict = True
        unique = ["left", "right", "rule"]
        metadata = {
            "grain": "one row per decision taken between two mentions (or units)",
            "primary_key": ["left", "right", "rule"],
            "foreign_keys": {
                "left": ("author_mentions", "mention_id"),
                "right": ("author_mentions", "mention_id"),
            },
        }


class AuthorRedirects(pa.DataFrameModel):
    """Person IDs of earlier releases that a merge or split retired, and where they went."""

    old_author_id: str = pa.Field(
        unique=True, description="A person ID published before and no longer in authors."
    )
    new_author_id: str = pa.Field(
        nullable=True,
        description="The person now holding most of its mentions; null when none is left.",
    )
    reason: str = pa.Field(description="merged, split, renamed or removed, with the detail.")

    class Config:
        strict = True
        metadata = {
            "grain": "one row per retired person ID",
            "primary_key": ["old_author_id"],
            "foreign_keys": {},
        }


class Affiliations(pa.DataFrameModel):
    """Organizations: registry organizations (with their parents) and unresolved strings."""

    affiliation_id: str = pa.Field(
        str_matches=_ID,
        unique=True,
        description="Stable ID: from the registry entry's id, or from the normalized printed string when unresolved.",
    )
    name: str = pa.Field(
        description="Canonical name from the registry; the printed string when unresolved."
    )
    aliases: pl.List(pl.Utf8) = pa.Field(
        description="Every printed form matched to this organization in the sources, sorted; empty for a parent that is never printed itself."
    )
    kind: str = pa.Field(
        nullable=True,
        isin=ORG_KINDS,
        description="academic, industry, government or nonprofit (from the registry); null when unresolved.",
    )
    country: str = pa.Field(
        nullable=True,
        str_matches=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 country code from the registry; null when unresolved, international or unknown.",
    )
    parent_affiliation_id: str = pa.Field(
        nullable=True,
        description="The organization this one is a unit of (affiliations.affiliation_id), e.g. MIT CSAIL -> MIT.",
    )
    registry_id: str = pa.Field(
        nullable=True,
        description="The entry's id in raw/reference/organizations.yaml; null when unresolved.",
    )
    resolution: str = pa.Field(
        isin=["registry", "unresolved"],
        description="registry when the organization is in the registry, unresolved when only its printed string is known.",
    )
    source: str = pa.Field(
        nullable=True,
        description="Where the registry entry's facts came from, as recorded in the registry.",
    )

    class Config:
        strict = True
        metadata = {
            "grain": "one row per organization",
            "primary_key": ["affiliation_id"],
            "foreign_keys": {"parent_affiliation_id": ("affiliations", "affiliation_id")},
        }


class PaperAuthors(pa.DataFrameModel):
    """Authorships: who wrote which paper, in printed order."""

    paper_id: str = pa.Field(description="The paper (papers.paper_id).")
    position: pl.Int16 = pa.Field(
        ge=1,
        description="1-based position of the author in the printed author list (a name printed again in the list is one authorship, at its first position: the later position is skipped, issue repeated-author).",
    )
    author_id: str = pa.Field(description="The person (authors.author_id).")
    name_as_printed: str = pa.Field(
        description="The author's name exactly as printed in this paper's author line."
    )
    affiliation_status: str = pa.Field(
        isin=AFFILIATION_STATUSES,
        description='affiliated, unaffiliated (printed "unaffiliated"), independent ("Independent Researcher") or not_printed.',
    )
    status_as_printed: str = pa.Field(
        nullable=True,
        description='The printed status phrase when there is no organization ("Independent Researcher").',
    )
    author_group: pl.Int16 = pa.Field(
        ge=1, description='1-based index of the ";"-separated group the name was printed in.'
    )
    source_line: pl.Int32 = pa.Field(ge=1, description="Line of the author line in the raw file.")

    class Config:
        strict = True
        unique = ["paper_id", "position"]
        metadata = {
            "grain": "one row per authorship",
            "primary_key": ["paper_id", "position"],
            "foreign_keys": {
                "paper_id": ("papers", "paper_id"),
                "author_id": ("authors", "author_id"),
            },
        }


class PaperAuthorAffiliations(pa.DataFrameModel):
    """The organizations printed for each authorship."""

    paper_id: str = pa.Field(description="The paper (papers.paper_id).")
    position: pl.Int16 = pa.Field(ge=1, description="The authorship (paper_authors.position).")
    affiliation_position: pl.Int16 = pa.Field(
        ge=1, description="1-based order of the organization for this authorship."
    )
    affiliation_id: str = pa.Field(description="The organization (affiliations.affiliation_id).")
    affiliation_as_printed: str = pa.Field(description="The organization exactly as printed.")
    match_method: str = pa.Field(
        isin=["exact", "alias", "normalized", "fuzzy", "unresolved"],
        description="How the printed string was matched to the registry: exact name, exact alias, normalized form, fuzzy (typo-tolerant), or unresolved.",
    )
    match_score: float = pa.Field(
        ge=0,
        le=100,
        description="Match score: 100 for exact, alias and normalized matches; the fuzzy score otherwise (for unresolved: the closest rejected candidate's, 0 if none).",
    )
    matched_as: str = pa.Field(
        nullable=True,
        description="The registry name or alias the string matched (or, when unresolved, the closest one considered).",
    )

    class Config:
        strict = True
        unique = ["paper_id", "position", "affiliation_position"]
        metadata = {
            "grain": "one row per organization of an authorship",
            "primary_key": ["paper_id", "position", "affiliation_position"],
            "foreign_keys": {
                ("paper_id", "position"): ("paper_authors", ("paper_id", "position")),
                "affiliation_id": ("affiliations", "affiliation_id"),
            },
        }


class SessionChairs(pa.DataFrameModel):
    """People printed on labelled chair lines: session chairs and program co-chairs."""

    session_id: str = pa.Field(description="The program item (sessions.session_id).")
    position: pl.Int16 = pa.Field(
        ge=1,
        description="1-based order of the chair within the item (a name printed again is one chair: the later position is skipped, issue repeated-chair).",
    )
    role: str = pa.Field(
        isin=CHAIR_ROLES,
        description="session_chair, program_co_chair or general_chair, from the line's label.",
    )
    label_as_printed: str = pa.Field(
        description='The label exactly as printed ("Session Char" is read as a session chair and reported).'
    )
    author_id: str = pa.Field(description="The person (authors.author_id).")
    name_as_printed: str = pa.Field(description="The chair's name exactly as printed.")
    affiliation_as_printed: str = pa.Field(
        nullable=True, description="Everything printed after the name, as printed."
    )
    affiliation_ids: pl.List(pl.Utf8) = pa.Field(
        description="The organizations in affiliation_as_printed (affiliations.affiliation_id), in order."
    )
    source_line: pl.Int32 = pa.Field(ge=1, description="Line of the chair line in the raw file.")

    class Config:
        strict = True
        unique = ["session_id", "position"]
        metadata = {
            "grain": "one row per chair of a program item",
            "primary_key": ["session_id", "position"],
            "foreign_keys": {
                "session_id": ("sessions", "session_id"),
                "author_id": ("authors", "author_id"),
                "affiliation_ids": ("affiliations", "affiliation_id"),
            },
        }


class AuthorPositions(pa.DataFrameModel):
    """Jobs and degrees of a CV's owner."""

    source_id: str = pa.Field(description="The CV the position was read from (sources.source_id).")
    position: pl.Int16 = pa.Field(
        ge=1,
        description="1-based order of the position in the CV (work experience first, then education).",
    )
    author_id: str = pa.Field(description="The CV's owner (authors.author_id).")
    affiliation_id: str = pa.Field(
        description="The employer or university (affiliations.affiliation_id)."
    )
    organization_as_printed: str = pa.Field(
        description="The employer or university exactly as printed."
    )
    kind: str = pa.Field(isin=POSITION_KINDS, description="work or education.")
    role: str = pa.Field(nullable=True, description="Job title or degree as printed.")
    unit: str = pa.Field(nullable=True, description="Team, lab, school or department as printed.")
    place: str = pa.Field(nullable=True, description='Place as printed ("Stockholm, Sweden").')
    start: str = pa.Field(
        nullable=True,
        str_matches=r"^\d{4}(-(\d{2}|spring|summer|fall|winter))?$",
        description='Start, as precise as printed: "2017-08", "2013" or a season "2013-fall".',
    )
    end: str = pa.Field(
        nullable=True,
        str_matches=r"^\d{4}(-(\d{2}|spring|summer|fall|winter))?$",
        description="End in the same form; null when current or not printed.",
    )
    start_as_printed: str = pa.Field(nullable=True, description="Start exactly as printed.")
    end_as_printed: str = pa.Field(nullable=True, description='End exactly as printed ("now").')
    is_current: bool = pa.Field(description='True when the end is printed as "now" or "present".')
    source_line: pl.Int32 = pa.Field(
        ge=1, description="Line of the position's organization in the CV."
    )

    class Config:
        strict = True
        unique = ["source_id", "position"]
        metadata = {
            "grain": "one row per job or degree listed in a CV",
            "primary_key": ["source_id", "position"],
            "foreign_keys": {
                "source_id": ("sources", "source_id"),
                "author_id": ("authors", "author_id"),
                "affiliation_id": ("affiliations", "affiliation_id"),
            },
        }


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "sources": Sources,
    "sessions": Sessions,
    "papers": Papers,
    "paper_listings": PaperListings,
    "authors": Authors,
    "author_mentions": AuthorMentions,
    "author_links": AuthorLinks,
    "author_redirects": AuthorRedirects,
    "affiliations": Affiliations,
    "paper_authors": PaperAuthors,
    "paper_author_affiliations": PaperAuthorAffiliations,
    "session_chairs": SessionChairs,
    "author_positions": AuthorPositions,
}
