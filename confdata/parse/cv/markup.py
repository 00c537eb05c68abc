"""Remove the markdown and HTML debris that PDF/HTML conversion leaves in CV text.

Owner names come ``**bold**``, files hide behind ``[Download](#)`` links, and
italics are often the only boundary between a title and its venue, so cleaning
comes in two strengths: :func:`_semi_clean` keeps ``*italic*`` marks and
:func:`_clean_inline` removes all markup.
"""

from __future__ import annotations

import re

# A link's URL stops at white space, ")" or "[": without "[" a run of "[a](" would
# make every "[" rescan the rest of the line (quadratic time).
_LINK_RE = re.compile(r"\[(?P<text>(?:\\.|[^\]\[\\])*)\]\((?P<url>[^)\s\[]*)\)")
# Link labels that only point at a file; the label carries no bibliographic data.
_LINK_LABEL_RE = re.compile(
    r"^(?:Download|PDF|Paper|Slides|Video|Watch|Code|Link|Preprint|DOI|BibTeX)\b\s*",
    re.IGNORECASE,
)
_HTML_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
# A bold span cannot hold its own opening mark, so an opening mark that is never
# closed is scanned up to the next one only, not to the end of the line.
_STRONG_RE = re.compile(
    r"\*\*(?P<a>(?:(?!\*\*).)+?)\*\*|__(?P<b>(?:(?!__).)+?)__"
    r"|<(?:b|strong|u)>(?P<c>(?:(?!<(?:b|strong|u)>).)+?)</(?:b|strong|u)>"
)
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$|&<>~])")
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?!\s)(?P<x>[^*]+?)(?<!\s)\*(?![\w*])")


def _semi_clean(text: str) -> str:
    """Remove links, escapes, bold and HTML but keep ``*italic*`` marks.

    Italics are kept because in many CVs they are the only printed boundary
    between a title and its venue; :func:`_strip_emphasis` removes them later.
    """

    def link(m: re.Match[str]) -> str:
        label = _ESCAPE_RE.sub(r"\1", m.group("text")).strip()
        return _LINK_LABEL_RE.sub("", label).strip()

    s = _LINK_RE.sub(link, text)
    s = _ESCAPE_RE.sub(r"\1", s)
    s = _STRONG_RE.sub(lambda m: m.group("a") or m.group("b") or m.group("c"), s)
    s = _HTML_TAG_RE.sub("", s)
    s = re.sub(r"\(\s*\)|\[\s*\]", "", s)  # brackets emptied by removed "Download" links
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\s+([.,;:])", r"\1", s)
    return s.strip()


def _strip_emphasis(text: str) -> str:
    """Remove the remaining ``*italic*`` marks and tidy spaces."""
    s = _ITALIC_RE.sub(lambda m: m.group("x"), text)
    s = s.replace("*", "")
    return re.sub(r"\s+", " ", s).strip()


def _clean_inline(text: str) -> str:
    """Fully clean a line of markup (links keep their label, emphasis is dropped)."""
    s = _LINK_RE.sub(lambda m: _ESCAPE_RE.sub(r"\1", m.group("text")), text)
    s = _ESCAPE_RE.sub(r"\1", s)
    s = _STRONG_RE.sub(lambda m: m.group("a") or m.group("b") or m.group("c"), s)
    s = _HTML_TAG_RE.sub("", s)
    s = s.lstrip("#").strip()
    return _strip_emphasis(s)


def _strong_names(text: str) -> set[str]:
    """Bold or underlined spans of an entry: how CVs mark the owner among authors."""
    return {
        _clean_inline(m.group("a") or m.group("b") or m.group("c"))
        for m in _STRONG_RE.finditer(text)
    }
