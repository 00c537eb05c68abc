"""Data-quality issues: the structured warnings every stage reports.

An issue has a stable kebab-case ``code`` (analysts filter on it), a severity,
and where possible the raw file and line it came from, with that line quoted.
Parsers return issues instead of logging them so that nothing is skipped
silently and every warning reaches the data-quality report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

# A raw file left out of a release by ``--skip-bad-files``: severity "error" (the
# release lacks that file's data), listed first in the quality report.
SKIPPED_FILE_CODE = "skipped-bad-file"


@dataclass(frozen=True, slots=True)
class Issue:
    """One data-quality finding.

    Attributes:
        code: Stable kebab-case identifier, e.g. ``uncertain-author-split``.
        severity: ``error`` blocks publishing, except a raw file skipped on the
            user's request (``skipped-bad-file``, ``--skip-bad-files``): the rest
            is published and the skipped file is listed first in the report;
            ``warning`` and ``info`` never block.
        message: Human-readable explanation.
        source_path: Raw file the finding is about (relative path), if any.
        line: 1-based line in that file, 0 when not tied to a line.
        text: The raw line (or the part of it) the finding is about, quoted as printed.
        table: Output table the finding concerns, if any.
        key: Primary key of the affected row, if any.
    """

    code: str
    severity: Severity
    message: str
    source_path: str = ""
    line: int = 0
    text: str = ""
    table: str = ""
    key: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the issue as a plain dict (for JSON and Parquet)."""
        return asdict(self)
