"""The sections of the quality report: summary, changes, tables, resolution, issues, sources.

Each function takes the report dict (``report.json``, see :mod:`confdata.quality.report`)
and returns the HTML of one part of the page, or an empty string when the report
has nothing for it; :func:`confdata.quality.html.render_html` assembles them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from confdata.quality.markup import (
    SEVERITIES,
    _columns,
    _e,
    _generic,
    _humanize,
    _Ids,
    _is_number,
    _sev_badge,
    _table,
    _td,
)
from confdata.quality.report import severity_phrase

_FAILURE_COLUMNS = ("table", "column", "check", "key", "value")
_DIFF_COLUMNS = ("added", "removed", "changed")


# --------------------------------------------------------------------------- summary


def _severity_counts(report: Mapping[str, Any]) -> dict[str, int]:
    counts = dict(report.get("severity_counts") or {})
    if not counts and report.get("issues"):
        for issue in report["issues"]:
            sev = issue.get("severity", "")
            counts[sev] = counts.get(sev, 0) + 1
    ordered = {sev: int(counts.get(sev, 0)) for sev in SEVERITIES}
    ordered.update({k: int(v) for k, v in sorted(counts.items()) if k not in ordered})
    return ordered


def _verdict(report: Mapping[str, Any]) -> str:
    validation = report.get("validation") or {}
    if "ok" not in validation:
        return '<span class="muted">not run</span>'
    if validation["ok"]:
        return '<span class="good">passed</span>'
    n = len(validation.get("failures") or [])
    return f'<span class="bad">FAILED</span> <small>{_e(n)} failing rows</small>'


def _diff_totals(report: Mapping[str, Any]) -> dict[str, int] | None:
    diff = report.get("diff") or {}
    tables = diff.get("tables") if isinstance(diff, Mapping) else None
    if not isinstance(tables, Mapping) or not tables:
        return None
    totals = dict.fromkeys(_DIFF_COLUMNS, 0)
    for row in tables.values():
        if isinstance(row, Mapping):
            for col in _DIFF_COLUMNS:
                if _is_number(row.get(col)):
                    totals[col] += int(row[col])
    return totals


def _release_card(report: Mapping[str, Any]) -> str:
    release = report.get("release")
    if not release:
        return ""
    if not isinstance(release, Mapping):
        return _card("Release", _e(release))
    previous = release.get("previous_version")
    if "previous_version" in release:
        vs = f"after {_e(previous)}" if previous else "the first release"
        sub = f'<small class="sub">{vs}</small>'
    else:
        sub = ""
    return _card("Release", f"{_e(release.get('version'))} {sub}")


def _card(key: str, value_html: str) -> str:
    return (
        f'<div class="card"><div class="k">{_e(key)}</div><div class="v">{value_html}</div></div>'
    )


def _summary(report: Mapping[str, Any], title: str) -> str:
    counts = _severity_counts(report)
    issues_html = "".join(
        f'<span class="sev-{_e(sev)}">{_e(severity_phrase(n, sev)).replace(" ", "&nbsp;", 1)}</span>'
        for sev, n in counts.items()
    )
    rows = sum(int(v) for v in (report.get("row_counts") or {}).values() if _is_number(v))
    cards = [
        _release_card(report),
        _card("Pipeline version", _e(report.get("pipeline_version"))),
        _card("Validation", _verdict(report)),
        _card("Issues by severity", f'<small class="lines">{issues_html}</small>'),
        _card(
            "Rows",
            f"{_e(rows)} <small>in {_e(len(report.get('row_counts') or {}))} tables</small>",
        ),
        _card("Sources", _e(len(report.get("sources") or []))),
    ]
    totals = _diff_totals(report)
    previous = (report.get("release") or {}) if isinstance(report.get("release"), Mapping) else {}
    if totals is not None and previous.get("previous_version", True):
        changes = "".join(f"<span>{_e(totals[c])} {c}</span>" for c in _DIFF_COLUMNS)
        cards.append(_card("Rows since last release", f'<small class="lines">{changes}</small>'))
    return "\n".join(
        [
            '<header id="summary">',
            f"<h1>{_e(title)}</h1>",
            '<p class="lead">What this release of the confdata tables holds, whether every '
            "table passed its checks, and every issue found while reading the raw files.</p>",
            '<div class="cards">',
            *(c for c in cards if c),
            "</div>",
            "</header>",
        ]
    )


# --------------------------------------------------------------------------- sections


def _changes_section(report: Mapping[str, Any]) -> str:
    release = report.get("release")
    diff = report.get("diff") or {}
    if not release and not diff:
        return ""
    out = ['<section id="changes">', "<h2>Release and changes</h2>"]
    previous = None
    if isinstance(release, Mapping) and release:
        previous = release.get("previous_version")
        vs = f"compared with release {_e(previous)}" if previous else "the first release"
        out.append(f"<p>Release <strong>{_e(release.get('version'))}</strong>, {vs}.</p>")
        extra = {k: v for k, v in release.items() if k not in ("version", "previous_version")}
        if extra:
            out.append(_generic(extra, 3))
    elif release:
        out.append(f"<p>Release <strong>{_e(release)}</strong>.</p>")
    first = isinstance(release, Mapping) and "previous_version" in release and not previous
    if first:
        out.append('<p class="muted">No previous release to compare with: every row is new.</p>')
    elif isinstance(diff, Mapping) and diff:
        out.append(_diff_html(diff))
    out.append("</section>")
    return "\n".join(out)


def _diff_html(diff: Mapping[str, Any]) -> str:
    out = []
    tables = diff.get("tables")
    if isinstance(tables, Mapping) and tables:
        rows = [
            [name, *((d.get(c, 0) if isinstance(d, Mapping) else None) for c in _DIFF_COLUMNS)]
            for name, d in sorted(tables.items())
        ]
        totals = _diff_totals({"diff": diff}) or {}
        foot = "".join(f'<td class="num">{_e(totals.get(c, 0))}</td>' for c in _DIFF_COLUMNS)
        table = _table(["table", *_DIFF_COLUMNS], rows).replace(
            "</tbody></table>", f"</tbody><tfoot><tr><td>all tables</td>{foot}</tr></tfoot></table>"
        )
        out += ["<h3>Rows added, removed and changed, by table</h3>", table]
    entities = diff.get("entities")
    if isinstance(entities, Mapping) and entities:
        out.append("<h3>People and organizations merged or split</h3>")
        for name, moves in sorted(entities.items()):
            out.append(_entity_moves(name, moves))
    rest = {k: v for k, v in diff.items() if k not in ("tables", "entities")}
    if rest:
        out.append(_generic(rest, 3))
    return "\n".join(out)


def _entity_moves(name: str, moves: Any) -> str:
    if not isinstance(moves, Mapping):
        return f"<h4>{_e(_humanize(name))}</h4>{_generic(moves, 5)}"
    merged = list(moves.get("merged") or [])
    split = list(moves.get("split") or [])
    out = [
        f"<h4>{_e(_humanize(name))}: {_e(len(merged))} merged, {_e(len(split))} split</h4>",
    ]
    if merged:
        rows = ([m.get("new_id"), m.get("old_ids")] for m in merged)
        out.append(
            _collapsed(f"{len(merged)} merged", _table(["now one ID", "was these IDs"], rows))
        )
    if split:
        rows = ([m.get("old_id"), m.get("new_ids")] for m in split)
        out.append(_collapsed(f"{len(split)} split", _table(["was one ID", "now these IDs"], rows)))
    rest = {k: v for k, v in moves.items() if k not in ("merged", "split")}
    if rest:
        out.append(_generic(rest, 5))
    return "\n".join(out)


def _collapsed(what: str, table_html: str, limit: int = 10) -> str:
    """Show a table as is when short; behind a <details> when long."""
    if table_html.count("<tr>") - 1 <= limit:
        return table_html
    return f"<details><summary>The IDs ({_e(what)})</summary>{table_html}</details>"


def _tables_section(report: Mapping[str, Any]) -> str:
    counts = report.get("row_counts") or {}
    validation = report.get("validation") or {}
    per_table = validation.get("tables") or {}
    names = list(counts) + sorted(n for n in per_table if n not in counts)
    rows = []
    for name in names:
        t = per_table.get(name) or {}
        failures = t.get("failures")
        status = (
            '<span class="good">ok</span>'
            if failures == 0
            else ('<span class="bad">failed</span>' if failures else '<span class="muted">—</span>')
        )
        rows.append(
            f"<tr><td>{_e(name)}</td>{_td(counts.get(name, t.get('rows')))}"
            f"{_td(t.get('checks'))}{_td(failures)}<td>{status}</td></tr>"
        )
    out = [
        '<section id="tables">',
        "<h2>Tables and validation</h2>",
        "<p>Rows in each published table, and the schema checks run on it "
        "(types, keys, allowed values, foreign keys).</p>",
        '<table><thead><tr><th scope="col">table</th><th scope="col" class="num">rows</th>'
        '<th scope="col" class="num">checks</th><th scope="col" class="num">failures</th>'
        '<th scope="col">status</th></tr></thead><tbody>',
        *rows,
        "</tbody></table>",
    ]
    failures = validation.get("failures") or []
    if failures:
        cols = _columns(failures, _FAILURE_COLUMNS)
        out += [
            f'<h3 class="bad">Validation failures ({_e(len(failures))})</h3>',
            _table(cols, ([f.get(c) for c in cols] for f in failures)),
        ]
    out.append("</section>")
    return "\n".join(out)


def _resolution_section(report: Mapping[str, Any]) -> str:
    if "resolution" not in report:
        return ""
    resolution = report.get("resolution")
    return "\n".join(
        [
            '<section id="resolution">',
            "<h2>Resolution of people and organizations</h2>",
            _generic(resolution, 3),
            "</section>",
        ]
    )


def _issue_where(issue: Mapping[str, Any]) -> str:
    path = issue.get("source_path") or ""
    line = issue.get("line") or 0
    return f"{path}:{line}" if line else str(path)


def _issue_row(issue: Mapping[str, Any]) -> str:
    meta = [
        f"{_e(label)} <code>{_e(issue[key])}</code>"
        for key, label in (("table", "table"), ("key", "key"))
        if issue.get(key)
    ]
    text = issue.get("text") or ""
    return "".join(
        [
            f'<tr><td class="where"><code>{_e(_issue_where(issue))}</code></td><td>',
            _e(issue.get("message", "")),
            f'<div class="meta">{" · ".join(meta)}</div>' if meta else "",
            f'<blockquote class="src"><code>{_e(text)}</code></blockquote>' if text else "",
            "</td></tr>",
        ]
    )


def _issues_section(report: Mapping[str, Any], ids: _Ids) -> str:
    issues = list(report.get("issues") or [])
    rank = {sev: i for i, sev in enumerate(SEVERITIES)}
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for issue in issues:
        groups.setdefault(str(issue.get("code", "")), []).append(issue)

    def group_key(item: tuple[str, list[Mapping[str, Any]]]) -> tuple[int, str]:
        code, members = item
        return (min(rank.get(str(m.get("severity")), len(rank)) for m in members), code)

    ordered = sorted(groups.items(), key=group_key)
    out = ['<section id="issues">', f"<h2>Issues ({_e(len(issues))})</h2>"]
    if not ordered:
        out += ['<p class="muted">No issues.</p>', "</section>"]
        return "\n".join(out)
    anchors = {code: ids.make("issue", code) for code, _ in ordered}
    out.append(
        "<p>Every finding made while reading the raw files, grouped by its stable code, "
        "with the file, the line and the line quoted as printed.</p>"
    )
    summary_rows = []
    for code, members in ordered:
        sevs = sorted({str(m.get("severity")) for m in members}, key=lambda s: rank.get(s, 9))
        summary_rows.append(
            f'<tr><td><a href="#{anchors[code]}"><code>{_e(code)}</code></a></td>'
            f"<td>{' '.join(_sev_badge(s) for s in sevs)}</td>{_td(len(members))}</tr>"
        )
    out += [
        '<table><thead><tr><th scope="col">code</th><th scope="col">severity</th>'
        '<th scope="col" class="num">issues</th></tr></thead><tbody>',
        *summary_rows,
        "</tbody></table>",
    ]
    for code, members in ordered:
        sevs = sorted({str(m.get("severity")) for m in members}, key=lambda s: rank.get(s, 9))
        out += [
            f'<section class="issue-group" id="{anchors[code]}">',
            f"<h3><code>{_e(code)}</code> {' '.join(_sev_badge(s) for s in sevs)} "
            f'<span class="muted">× {_e(len(members))}</span></h3>',
            '<table class="issues"><thead><tr><th scope="col">file:line</th>'
            '<th scope="col">what, and the line as printed</th></tr></thead><tbody>',
            *(_issue_row(m) for m in members),
            "</tbody></table>",
            "</section>",
        ]
    out.append("</section>")
    return "\n".join(out)


def _sources_section(report: Mapping[str, Any]) -> str:
    sources = list(report.get("sources") or [])
    if not sources:
        return ""
    rows = []
    for s in sources:
        digest = str(s.get("sha256") or "")
        rows.append(
            f"<tr><td><code>{_e(s.get('path'))}</code></td><td>{_e(s.get('kind'))}</td>"
            f'<td><code title="{_e(digest)}">{_e(digest[:16])}…</code></td></tr>'
        )
    return "\n".join(
        [
            '<section id="sources">',
            "<h2>Sources</h2>",
            '<table><thead><tr><th scope="col">path</th><th scope="col">kind</th>'
            '<th scope="col">sha256</th></tr></thead><tbody>',
            *rows,
            "</tbody></table>",
            "</section>",
        ]
    )
