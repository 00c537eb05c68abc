"""Telling a program page cut off at its end from one that ends where its program ends.

A page saved or copied in part ends inside a program item. Where the item's
title and author line are whole and only its text (an abstract, a description,
a bio) stops short, the items are still right: the page is published with a
``truncated-text`` warning. Where a title, an author line or a session heading
may be cut, the parse would publish a misread (a cut title read as the
previous paper's abstract, a cut name as an author), so the file is refused.

How a cut is told from a complete end (2026-12, from the NSDI '26 page, whose
231 abstract paragraphs all end with a full stop, and the corpus excerpts,
which end with a line break after a complete item):

* text ends with final punctuation (``.`` ``?`` ``!`` a closing quote or
  bracket) when it is complete; a last paragraph without it that reads as
  prose (a sentence inside it, or more words than any title) was cut;
* a last line without final punctuation that does not read as prose may be a
  paper title or author line, cut or without the rest of its paper: refused;
* a page that does not end with a line break was cut in the middle of its last
  line, so a heading there (a session title, a chair line, a speaker line) may
  be cut too: refused;
* a last paper with no abstract when every other paper has one lost it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from confdata.errors import RawInputError
from confdata.parse.usenix.lines import Line, LineKind
from confdata.quality.issues import Issue

if TYPE_CHECKING:  # the parser calls this module: its records are only named here
    from confdata.parse.usenix.program import SessionRecord

TRUNCATED_TEXT_CODE = "truncated-text"

# Titles are shorter (NSDI '26: 133 characters at most, 20 words); a paragraph this long
# is prose whatever its punctuation.
_PROSE_WORDS = 40
# A sentence ending inside the line: "… models (LLMs). RL workflows …". Abbreviations
# such as "e.g. 4 ports" are followed by a lowercase word or a digit.
_INNER_SENTENCE_END = re.compile(r"[a-z0-9)\]][.?!][\"”’)]?\s+[A-Z]")
# A full stop, question or exclamation mark, maybe inside closing quotes or brackets.
_FINAL_PUNCTUATION = re.compile(r"[.?!][\"”’)\]]*$")
# Author lines are lists: a comma or semicolon every two or three words. Prose has
# one every ten words or so (NSDI '26 abstracts: 0.06 per word).
_LIST_SEPARATORS_PER_WORD = 0.2
# Titles capitalize most of their longer words; prose few of them (NSDI '26: titles 0.8
# and more, abstract paragraphs under 0.3).
_TITLE_CASE_SHARE = 0.5
_CUT = "the file ends in the middle of line {no}, without a final line break: is it cut off?"


def ends_like_prose(text: str) -> bool:
    """Tell whether a line ends as complete text does, with final punctuation.

    Examples:
        >>> ends_like_prose("… exhibit starvation."), ends_like_prose("weight transfer t")
        (True, False)
    """
    return bool(_FINAL_PUNCTUATION.search(text.rstrip()))


def reads_as_prose(text: str) -> bool:
    """Tell whether a line is a paragraph (of an abstract), never a title or an author line.

    A paragraph has a sentence ending inside it, or more words than a title;
    it is not a list of names (commas or semicolons every few words), and most
    of its longer words are not capitalized as a title's are ("Who Watches the
    Watchers? On the Reliability of …" is a title).

    Examples:
        >>> reads_as_prose("We built it. It is fast and cheap to run on a cluster of ten")
        True
        >>> reads_as_prose("Who Watches the Watchers? On the Reliability of Softwarizing Cloud")
        False
    """
    words = text.split()
    if not words or (text.count(",") + text.count(";")) / len(words) >= _LIST_SEPARATORS_PER_WORD:
        return False
    if _title_cased(words):
        return False
    return len(words) > _PROSE_WORDS or (
        len(words) >= 10 and bool(_INNER_SENTENCE_END.search(text))
    )


def looks_like_title(text: str) -> bool:
    """Tell whether a line reads as a paper title: short, most longer words capitalized.

    Examples:
        >>> looks_like_title("Who Watches the Watchers? On the Reliability of Cloud Management")
        True
        >>> looks_like_title("The code is at https://github.com/Terra-Flux/PolyRL.")
        False
    """
    words = text.split()
    return 0 < len(words) <= _PROSE_WORDS and _title_cased(words)


def _title_cased(words: Sequence[str]) -> bool:
    long_words = [w for w in words if len(w) >= 4 and w[:1].isalpha()]
    capitalized = sum(w[:1].isupper() for w in long_words)
    return bool(long_words) and capitalized / len(long_words) >= _TITLE_CASE_SHARE


def ends_mid_line(text: str) -> bool:
    r"""Tell whether a text stops inside its last non-blank line (no line break after it).

    Examples:
        >>> ends_mid_line("a\nb"), ends_mid_line("a\nb\n  ")
        (True, False)
    """
    return not text.rstrip(" \t\v\f").endswith("\n")


def check_program_end(
    text: str, lines: Sequence[Line], sessions: Sequence[SessionRecord], path: str
) -> Issue | None:
    """Check how a program page ends; return a ``truncated-text`` warning when its text was cut.

    Args:
        text: The whole page.
        lines: Its non-blank lines, classified.
        sessions: The program items read from it.
        path: The file's path, for the issue or the error.

    Raises:
        RawInputError: When the page ends where a title, an author or speaker
            line or a session heading may be cut (see the module's rules); the
            error points at the line where the unfinished item starts.
    """
    if not sessions or not lines:
        return None
    last, session = lines[-1], sessions[-1]
    cut = ends_mid_line(text)
    if cut and _is_heading(last, session):
        raise RawInputError(
            path,
            session.title_line,
            f"a complete program item ({_CUT.format(no=last.no)})",
            last.text,
        )
    if not session.papers:
        return _check_item_text(last, session, cut, path)
    paper = session.papers[-1]
    if cut and last.no == paper.author_line_no:
        who = "speaker" if paper.kind == "keynote" else "author"
        raise RawInputError(
            path, paper.title_line, f"a complete {who} line ({_CUT.format(no=last.no)})", last.text
        )
    if cut and last.kind is LineKind.PUBLISHED and paper.venue == paper.venue_as_printed:
        raise RawInputError(
            path,
            last.no,
            f"a 'Published in' line ending with its venue, such as \"(NSDI '14)\" "
            f"({_CUT.format(no=last.no)})",
            last.text,
        )
    if last.kind is LineKind.MEDIA and paper.abstract is None and _abstracts_elsewhere(sessions):
        return _truncated(path, last, "after the media line of the last paper, before its abstract")
    if last.kind is not LineKind.TEXT or last.no <= paper.author_line_no:
        return None
    if paper.kind == "keynote":  # its item has no other paper: a last line can only be text
        prose_cut = not ends_like_prose(last.text) and (cut or reads_as_prose(last.text))
        return _truncated(path, last, "in the keynote's text") if prose_cut else None
    return _check_last_paragraph(lines, sessions, path)


def _is_heading(line: Line, session: SessionRecord) -> bool:
    """Tell whether a line is the title, a chair line or the room of a program item."""
    return (
        line.no == session.title_line
        or line.kind is LineKind.CHAIR
        or (line.kind is LineKind.TEXT and session.room == line.text and not session.papers)
    )


def _check_item_text(last: Line, session: SessionRecord, cut: bool, path: str) -> Issue | None:
    """Check the last line of a page that ends in an item without papers (a meal, a break …)."""
    if last.kind is not LineKind.TEXT or ends_like_prose(last.text):
        return None
    if reads_as_prose(last.text) and session.description:
        return _truncated(path, last, "in the description of the last program item")
    if cut:  # a line that is not prose, cut: a title or a name may be cut
        raise RawInputError(
            path,
            session.title_line,
            f"a complete program item ({_CUT.format(no=last.no)})",
            last.text,
        )
    return None


def _check_last_paragraph(
    lines: Sequence[Line], sessions: Sequence[SessionRecord], path: str
) -> Issue | None:
    """Check the last line of the page, read as the last paragraph of the last paper."""
    last, paper = lines[-1], sessions[-1].papers[-1]
    before = lines[-2]  # the media line at least comes before
    if (
        before.kind is LineKind.TEXT
        and before.no > paper.author_line_no
        and not ends_like_prose(before.text)
    ):
        # A paragraph of an abstract follows the media line or a paragraph, which ends
        # like prose: the line before is the title of a paper whose rest is missing.
        raise RawInputError(
            path,
            before.no,
            "a whole paper from here: title, author line and 'Available Media' (the file ends "
            f"at line {last.no}: is it cut off?)",
            before.text,
        )
    # Right after the media line, in a page whose papers all have an abstract, a line
    # is the first paragraph of this paper's: complete when it ends like prose.
    first = before.kind is LineKind.MEDIA
    if first and ends_like_prose(last.text) and _abstracts_elsewhere(sessions, at_least=1):
        return None
    if looks_like_title(last.text) and not reads_as_prose(last.text):
        raise RawInputError(
            path,
            last.no,
            "an author line and 'Available Media' after the paper title (the file ends here: "
            "is it cut off?)",
            last.text,
        )
    if ends_like_prose(last.text):
        return None
    if reads_as_prose(last.text) or (first and _abstracts_elsewhere(sessions)):
        return _truncated(path, last, f"in the abstract of the last paper, {paper.title!r}")
    raise RawInputError(
        path,
        last.no,
        "the end of an abstract, or an author line and 'Available Media' after a paper title "
        "(the file ends here, inside a program item: is it cut off?)",
        last.text,
    )


def _abstracts_elsewhere(sessions: Sequence[SessionRecord], at_least: int = 2) -> bool:
    """Tell whether every paper but the last has an abstract (and there are ``at_least``)."""
    papers = [p for s in sessions for p in s.papers if p.has_media and p.kind != "keynote"]
    return len(papers) > at_least and all(p.abstract for p in papers[:-1])


def _truncated(path: str, line: Line, where: str) -> Issue:
    return Issue(
        code=TRUNCATED_TEXT_CODE,
        severity="warning",
        message=(
            f"the file ends {where}, as if it were cut off: published as far as it goes "
            "(the rest of the item, and of the program, may be missing)"
        ),
        source_path=path,
        line=line.no,
        text=line.text,
    )
