"""The data-quality report: row counts, validation results and every parse issue.

Built as plain data (for ``report.json``) and rendered as Markdown (``report.md``).
It holds no clock readings, so the same input gives the same report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from confdata.quality.issues import SKIPPED_FILE_CODE, Issue

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def sort_issues(issues: Iterable[Issue]) -> list[Issue]:
    """Order issues by file, line, code and message, so reports are stable.

    Raw files skipped with ``--skip-bad-files`` come first.
    """
    return sorted(
        issues,
        key=lambda i: (
            i.code != SKIPPED_FILE_CODE,
            i.source_path,
            i.line,
            i.code,
            i.message,
            i.text,
        ),
    )


def build_report(
    *,
    pipeline_version: str,
    sources: list[dict[str, Any]],
    row_counts: Mapping[str, int],
    validation: Mapping[str, Any],
    issues: Iterable[Issue],
    release: Mapping[str, Any] | None = None,
    diff: Mapping[str, Any] | None = None,
    resolution: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the report as plain data (what ``report.json`` holds)."""
    ordered = sort_issues(issues)
    return {
        "pipeline_version": pipeline_version,
        "release": dict(release or {}),
        "diff": dict(diff or {}),
        "resolution": dict(resolution or {}),
        "sources": sources,
        "row_counts": dict(sorted(row_counts.items())),
        "validation": dict(validation),
        "issue_counts": dict(sorted(Counter(i.code for i in ordered).items())),
        "severity_counts": dict(sorted(Counter(i.severity for i in ordered).items())),
        "issues": [i.to_dict() for i in ordered],
    }


def severity_phrase(n: int, severity: str) -> str:
    """Say how many issues of a severity there are, in plain English.

    Examples:
        >>> severity_phrase(1, "warning"), severity_phrase(15, "warning")
        ('1 warning', '15 warnings')
        >>> severity_phrase(0, "error"), severity_phrase(35, "info")
        ('0 errors', '35 info')
    """
    # "info" is a mass noun: 35 info (messages), never "35 infos".
    return f"{n:,} {severity}" if n == 1 or severity == "info" else f"{n:,} {severity}s"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Mapping[str, Any]) -> str:
    """Render the report for people: summary first, then every issue with its line quoted."""
    out: list[str] = ["# Data-quality report", ""]
    validation = report["validation"]
    verdict = "passed" if validation.get("ok") else "FAILED"
    counts = report["severity_counts"]
    ordered = sorted(counts.items(), key=lambda kv: (_SEVERITY_ORDER.get(kv[0], 9), kv[0]))
    out += [
        f"Pipeline version {report['pipeline_version']}. Validation {verdict}. "
        + (
            ", ".join(severity_phrase(n, sev) for sev, n in ordered) + "."
            if counts
            else "No issues."
        ),
        "",
        *_skipped_lines(report),
        *_release_lines(report),
        *_resolution_lines(report),
        "## Sources",
        "",
        "| path | kind | sha256 |",
        "|---|---|---|",
    ]
    out += [
        f"| {_cell(s['path'])} | {s['kind']} | `{s['sha256'][:16]}…` |" for s in report["sources"]
    ]
    out += ["", "## Tables", "", "| table | rows | checks | failures |", "|---|---:|---:|---:|"]
    for name, rows in report["row_counts"].items():
        t = validation.get("tables", {}).get(name, {})
        out.append(f"| {name} | {rows} | {t.get('checks', '')} | {t.get('failures', '')} |")
    failures = validation.get("failures", [])
    if failures:
        out += [
            "",
            "## Validation failures",
            "",
            "| table | column | check | key | value |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| {f['table']} | {f['column']} | {_cell(f['check'])} | {_cell(f['key'])} | {_cell(f['value'])} |"
            for f in failures
        ]
    out += ["", "## Issues by code", "", "| code | count |", "|---|---:|"]
    out += [f"| {code} | {n} |" for code, n in report["issue_counts"].items()]
    issues = sorted(report["issues"], key=lambda i: (_SEVERITY_ORDER[i["severity"]], i["code"]))
    current = None
    for issue in issues:
        if issue["code"] != current:
            current = issue["code"]
            out += ["", f"### {current} ({issue['severity']})", ""]
        where = f"{issue['source_path']}:{issue['line']}" if issue["line"] else issue["source_path"]
        out.append(f"- `{where}` {issue['message']}")
        if issue["text"]:
            out.append(f"  > {issue['text']}")
    return "\n".join(out) + "\n"


def _skipped_lines(report: Mapping[str, Any]) -> list[str]:
    """Render the raw files left out with ``--skip-bad-files``, before anything else."""
    skipped = [i for i in report["issues"] if i["code"] == SKIPPED_FILE_CODE]
    if not skipped:
        return []
    out = [
        f"## Skipped files ({len(skipped)})",
        "",
        "These raw files could not be read and were left out of this release "
        "(`--skip-bad-files`); nothing of them is in the tables.",
        "",
    ]
    for issue in skipped:
        where = f"{issue['source_path']}:{issue['line']}" if issue["line"] else issue["source_path"]
        out.append(f"- `{where}` {_cell(issue['message'])}")
        if issue["text"]:
            out.append(f"  > {_cell(issue['text'])}")
    return [*out, ""]


def _release_lines(report: Mapping[str, Any]) -> list[str]:
    """Render the release version and the diff against the previous release."""
    release = report.get("release") or {}
    if not release:
        return []
    previous = release.get("previous_version")
    out = [
        f"Release {release.get('version')}"
        + (f", compared with {previous}." if previous else " (the first release)."),
        "",
    ]
    diff = report.get("diff") or {}
    tables = diff.get("tables") or {}
    if previous and tables:
        out += [
            "## Changes since " + previous,
            "",
            "| table | added | removed | changed |",
            "|---|---:|---:|---:|",
        ]
        out += [
            f"| {n} | {d['added']} | {d['removed']} | {d['changed']} |"
            for n, d in sorted(tables.items())
        ]
        for name, moves in sorted((diff.get("entities") or {}).items()):
            for m in moves.get("merged", []):
                out.append(f"- {name}: merged {', '.join(m['old_ids'])} into {m['new_id']}")
            for m in moves.get("split", []):
                out.append(f"- {name}: split {m['old_id']} into {', '.join(m['new_ids'])}")
        out.append("")
    return out


def _resolution_lines(report: Mapping[str, Any]) -> list[str]:
    """Render the resolution summary: people merged and kept apart, organizations matched."""
    resolution = report.get("resolution") or {}
    if not resolution:
        return []
    out = ["## Resolution", ""]
    people = resolution.get("people") or {}
    if people:
        out.append(
            f"People: {people['mentions']} mentions of {people['printed_names']} printed names "
            f"resolved to {people['people']} persons; {people['possible_homonyms']} possible "
            f"homonyms kept apart (listed under possible-homonym below)."
        )
        out += ["", "| evidence | decisions |", "|---|---:|"]
        out += [f"| {rule} | {n} |" for rule, n in people["links_by_rule"].items()]
        merged = people.get("merged_spellings") or []
        if merged:
            out += ["", "Persons printed in several forms:", ""]
            out += [f"- `{m['author_id']}`: {' / '.join(m['variants'])}" for m in merged]
        out += [
            "",
            f"Overrides applied: {len(people['overrides_applied'])}; overrides matching nothing: "
            f"{len(people['overrides_unmatched'])}.",
        ]
        out += [f"- {o['message']}" for o in people["overrides_unmatched"]]
    orgs = resolution.get("organizations") or {}
    if orgs:
        methods = ", ".join(f"{m} {n}" for m, n in orgs["by_method"].items())
        out += [
            "",
            f"Organizations: {orgs['printed_strings']} printed strings matched by {methods}.",
        ]
        out += [f"- unresolved: {u}" for u in orgs["unresolved"]]
        out += [
            f"- fuzzy: {f['printed']!r} -> {f['matched']!r} ({f['score']})" for f in orgs["fuzzy"]
        ]
    evaluation = resolution.get("evaluation") or {}
    if evaluation:
        pw = evaluation["people"]["pairwise"]
        bc = evaluation["people"]["bcubed"]
        out += [
            "",
            f"Evaluation (`make eval`): people pairwise precision {pw['precision']:.4f}, recall "
            f"{pw['recall']:.4f}; B-cubed F1 {bc['f1']:.4f}; organization accuracy "
            f"{evaluation['organizations']['accuracy']:.4f}.",
        ]
    out.append("")
    return out
