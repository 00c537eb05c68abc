"""The data-quality report as one self-contained HTML page.

:func:`render_html` takes the report dict (what ``report.json`` holds, see
:mod:`confdata.quality`) and the charts' data (:func:`confdata.report_charts.chart_data`)
and returns a complete HTML document that works offline: inline CSS, bar charts
drawn as inline SVG, no script, font, image or stylesheet fetched from anywhere.
A Content-Security-Policy in the page forbids every fetch and every script, so
even a browser that found something to load would not load it.

Every text that comes from the data (titles, names, issue messages, quoted raw
lines, table names, …) goes through :func:`html.escape`. Each chart carries an
SVG ``<title>`` and ``<desc>`` and the same numbers as a table in a
``<details>`` element. The output holds no clock reading: the same inputs give
the same bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

SEVERITIES = ("error", "warning", "info")
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
_FAILURE_COLUMNS = ("table", "column", "check", "key", "value")
_DIFF_COLUMNS = ("added", "removed", "changed")

# Chart geometry (SVG user units = CSS pixels at 100%).
_WIDTH = 720
_V_LEFT, _V_RIGHT, _V_TOP, _V_PLOT, _V_BOTTOM = 48, 12, 24, 200, 44
_H_LABEL, _H_RIGHT, _H_TOP, _H_ROW, _H_BAR, _H_AXIS = 340, 44, 8, 20, 14, 34
_H_LABEL_CHARS = 48
_V_LABEL_CHARS = 18
_CHAR_PX = 6.6  # width of a wide-ish character at the charts' 11px font

CSS = """
:root {
  --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --alt: #f6f8fa;
  --accent: #2f6f9f; --error: #b42318; --warning: #8a5a00; --info: #0b5cad; --ok: #1a7f37;
}
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0; color: var(--fg); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
    "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
}
.page { max-width: 1080px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 1.8rem; margin: 0 0 .2rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 1.08rem; margin: 1.5rem 0 .4rem; }
h4, h5, h6 { font-size: 1rem; margin: 1rem 0 .3rem; }
p { margin: .4rem 0; }
.lead { color: var(--muted); margin: 0 0 1rem; }
.muted, .note { color: var(--muted); }
.note { font-size: .9rem; }
code, .mono {
  font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", "Liberation Mono",
    Menlo, Consolas, monospace;
  font-size: .88em;
}
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--alt); }
tbody tr:nth-child(even) { background: #fbfcfd; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td { font-weight: 600; background: var(--alt); }
td { overflow-wrap: break-word; }
.lines span { display: block; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
  gap: 12px; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card .k { font-size: .75rem; color: var(--muted); text-transform: uppercase;
  letter-spacing: .05em; }
.card .v { font-size: 1.3rem; font-weight: 600; }
.card .v small.sub { display: block; }
.card .v small { font-size: .85rem; font-weight: 400; color: var(--muted); }
.badge { display: inline-block; padding: 0 .55em; border-radius: 1em; font-size: .78rem;
  font-weight: 600; border: 1px solid currentColor; line-height: 1.5; vertical-align: middle; }
.sev-error, .bad { color: var(--error); }
.sev-warning { color: var(--warning); }
.sev-info { color: var(--info); }
.good { color: var(--ok); }
nav.toc { margin: 1rem 0; padding: .5rem .8rem; background: var(--alt); border-radius: 8px;
  font-size: .9rem; }
nav.toc a { margin-right: 1rem; color: var(--accent); }
a { color: var(--accent); }
.issue-group { margin-bottom: 1.5rem; }
table.issues { width: 100%; }
table.issues td.where { white-space: nowrap; width: 1%; }
blockquote.src { margin: .35rem 0 0; padding: .25rem .6rem; border-left: 3px solid var(--line);
  background: var(--alt); white-space: pre-wrap; overflow-wrap: anywhere; }
.meta { font-size: .82rem; color: var(--muted); }
figure.chart { margin: 1rem 0 2rem; break-inside: avoid; }
figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart text { font-size: 11px; fill: var(--fg); }
svg.chart text.tick, svg.chart text.axis-title { fill: var(--muted); }
svg.chart .bar { fill: var(--accent); }
svg.chart .grid { stroke: #e4e7eb; stroke-width: 1; }
svg.chart .axis { stroke: #8c959f; stroke-width: 1; }
details { margin: .4rem 0; }
details > summary { cursor: pointer; color: var(--accent); font-size: .9rem; }
.unavailable { padding: .6rem .8rem; border: 1px dashed var(--line); border-radius: 8px;
  color: var(--muted); }
@media print {
  body { font-size: 10.5pt; }
  .page { max-width: none; padding: 0; }
  nav.toc, details > summary { display: none; }
  h2, h3 { break-after: avoid; }
  tr, figure.chart, .card { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def render_html(report: Mapping[str, Any], charts: Mapping[str, Any]) -> str:
    """Return the data-quality report as one self-contained HTML document.

    Args:
        report: The report dict (``report.json``): ``pipeline_version``,
            ``row_counts``, ``validation``, ``severity_counts``, ``issues``,
            ``sources``, and when present ``release``, ``diff`` and
            ``resolution`` (rendered generically).
        charts: Charts by name, as :func:`confdata.report_charts.chart_data`
            returns them; drawn in their order.
    """
    ids = _Ids()
    release = report.get("release") or {}
    version = release.get("version") if isinstance(release, Mapping) else release
    title = "Data-quality report" + (f" — release {version}" if version else "")
    sections = [
        ("changes", "Changes", _changes_section(report)),
        ("tables", "Tables", _tables_section(report)),
        ("resolution", "Resolution", _resolution_section(report)),
        ("charts", "Charts", _charts_section(charts, ids)),
        ("issues", "Issues", _issues_section(report, ids)),
        ("sources", "Sources", _sources_section(report)),
    ]
    present = [(anchor, label, body) for anchor, label, body in sections if body]
    toc = " ".join(f'<a href="#{anchor}">{label}</a>' for anchor, label, _ in present)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="color-scheme" content="light">',
            f"<title>{_e(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            '<div class="page">',
            _summary(report, title),
            f'<nav class="toc" aria-label="Contents">{toc}</nav>',
            "<main>",
            *(body for _, _, body in present),
            "</main>",
            "</div>",
            "</body>",
            "</html>",
            "",
        ]
    )


# --------------------------------------------------------------------------- text helpers


def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape(_fmt(value), quote=True)


def _fmt(value: Any) -> str:
    """Format a scalar for display: grouped integers, short floats, yes/no, a dash for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:.4f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)
    return str(value)


def _compact(value: Any) -> str:
    """Format any value on one line (lists joined by commas, mappings as key: value)."""
    if isinstance(value, Mapping):
        return "; ".join(f"{_humanize(k)}: {_compact(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_compact(v) for v in value)
    return _fmt(value)


def _humanize(key: Any) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _td(value: Any) -> str:
    cls = ' class="num"' if _is_number(value) else ""
    return f"<td{cls}>{escape(_compact(value))}</td>"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sev_badge(severity: Any) -> str:
    sev = str(severity)
    cls = f"sev-{sev}" if sev in SEVERITIES else "muted"
    return f'<span class="badge {cls}">{_e(sev)}</span>'


class _Ids:
    """Unique, safe element IDs made from arbitrary text."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def make(self, prefix: str, text: Any) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:60] or "x"
        candidate, n = f"{prefix}-{slug}", 1
        while candidate in self.seen:
            n += 1
            candidate = f"{prefix}-{slug}-{n}"
        self.seen.add(candidate)
        return candidate


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
        f'<span class="sev-{_e(sev)}">{_e(n)}&nbsp;{_e(sev)}</span>' for sev, n in counts.items()
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


# --------------------------------------------------------------------------- generic rendering


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> str:
    rows = [list(r) for r in rows]
    numeric = [bool(rows) and all(_is_number(r[i]) for r in rows) for i in range(len(headers))]
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if numeric[i] else ""}>{_e(h)}</th>' for i, h in enumerate(headers)
    )
    body = "\n".join("<tr>" + "".join(_td(v) for v in r) + "</tr>" for r in rows)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _columns(rows: Iterable[Mapping[str, Any]], preferred: Sequence[str] = ()) -> list[str]:
    seen = [c for c in preferred if any(c in r for r in rows)]
    for r in rows:
        seen += [k for k in r if k not in seen]
    return seen


def _generic(value: Any, level: int) -> str:
    """Render any JSON-like value: mappings as tables or headed parts, lists as tables or lists."""
    if isinstance(value, Mapping):
        if not value:
            return '<p class="muted">none</p>'
        if all(_is_scalar(v) for v in value.values()):
            return _table(["", "value"], ((_humanize(k), v) for k, v in value.items()))
        if all(
            isinstance(v, Mapping) and all(_is_scalar(x) for x in v.values())
            for v in value.values()
        ):
            cols = _columns(list(value.values()))
            return _table(["", *cols], ([k, *(v.get(c) for c in cols)] for k, v in value.items()))
        h = min(level, 6)
        return "\n".join(
            f"<h{h}>{_e(_humanize(k))}</h{h}>\n{_generic(v, level + 1)}" for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        if not value:
            return '<p class="muted">none</p>'
        if all(isinstance(v, Mapping) for v in value):
            cols = _columns(value)
            return _table(cols, ([v.get(c) for c in cols] for v in value))
        return "<ul>" + "".join(f"<li>{escape(_compact(v))}</li>" for v in value) + "</ul>"
    return f"<p>{_e(value)}</p>"


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


# --------------------------------------------------------------------------- charts


def _charts_section(charts: Mapping[str, Any], ids: _Ids) -> str:
    if not charts:
        return ""
    return "\n".join(
        [
            '<section id="charts">',
            "<h2>Charts</h2>",
            *(_chart_figure(name, chart, ids) for name, chart in charts.items()),
            "</section>",
        ]
    )


def _chart_figure(name: str, chart: Mapping[str, Any], ids: _Ids) -> str:
    base = ids.make("chart", name)
    title = str(chart.get("title") or _humanize(name))
    note = str(chart.get("note") or "")
    bars = [b for b in chart.get("bars") or [] if isinstance(b, Mapping)]
    out = [f'<figure class="chart" id="{base}">', f"<figcaption>{_e(title)}</figcaption>"]
    if not chart.get("available", True):
        out.append(f'<p class="unavailable">{_e(note or "Not available yet.")}</p>')
    elif not bars:
        out.append('<p class="unavailable">No data.</p>')
    else:
        desc = _chart_desc(chart, bars)
        if chart.get("orientation") == "horizontal":
            out.append(_horizontal_svg(base, title, desc, bars, chart))
        else:
            out.append(_vertical_svg(base, title, desc, bars, chart))
        if note:
            out.append(f'<p class="note">{_e(note)}</p>')
        label_name = str(chart.get("label_name") or "label")
        value_name = str(chart.get("value_name") or "value")
        out.append(
            "<details><summary>The numbers as a table</summary>"
            + _table([label_name, value_name], ([b.get("label"), b.get("value")] for b in bars))
            + "</details>"
        )
    out.append("</figure>")
    return "\n".join(out)


def _value(bar: Mapping[str, Any]) -> float:
    v = bar.get("value")
    return max(float(v), 0.0) if _is_number(v) else 0.0


def _chart_desc(chart: Mapping[str, Any], bars: list[Mapping[str, Any]]) -> str:
    top = max(bars, key=_value)
    value_name = str(chart.get("value_name") or "value")
    return (
        f"{chart.get('description') or ''} Bar chart of {len(bars)} bars; the highest is "
        f"{top.get('label')} with {_fmt(top.get('value'))} {value_name}."
    ).strip()


def _nice_ticks(maximum: float, target: int = 5) -> list[float]:
    """Return evenly spaced round tick values from 0 to at least ``maximum``."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if maximum >= 1 and step < 1:
        step = 1.0
    top = math.ceil(maximum / step - 1e-9) * step
    return [round(i * step, 10) for i in range(round(top / step) + 1)]


def _n(x: float) -> str:
    """Format an SVG coordinate (one decimal, no trailing zero)."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg_open(base: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{base}-title {base}-desc">'
        f'<title id="{base}-title">{_e(title)}</title>'
        f'<desc id="{base}-desc">{_e(desc)}</desc>'
    )


def _vertical_svg(
    base: str, title: str, desc: str, bars: list[Mapping[str, Any]], chart: Mapping[str, Any]
) -> str:
    height = _V_TOP + _V_PLOT + _V_BOTTOM
    plot_w = _WIDTH - _V_LEFT - _V_RIGHT
    ticks = _nice_ticks(max(_value(b) for b in bars))
    top = ticks[-1]
    slot = plot_w / len(bars)
    bar_w = min(slot * 0.72, 90.0)
    base_y = _V_TOP + _V_PLOT

    def y(v: float) -> float:
        return base_y - v / top * _V_PLOT

    labels = [_truncate(str(b.get("label")), _V_LABEL_CHARS) for b in bars]
    widest = max(len(t) for t in labels) * _CHAR_PX + 8
    every = max(1, math.ceil(widest / slot))
    out = [_svg_open(base, _WIDTH, height, title, desc)]
    for t in ticks:
        out.append(
            f'<line class="grid" x1="{_V_LEFT}" x2="{_WIDTH - _V_RIGHT}" y1="{_n(y(t))}" y2="{_n(y(t))}"/>'
            f'<text class="tick" x="{_V_LEFT - 6}" y="{_n(y(t) + 4)}" text-anchor="end">{_e(t)}</text>'
        )
    for i, (bar, label) in enumerate(zip(bars, labels, strict=True)):
        v = _value(bar)
        cx = _V_LEFT + slot * (i + 0.5)
        tip = f"{bar.get('label')}: {_fmt(bar.get('value'))}"
        out.append(
            f"<g><title>{_e(tip)}</title>"
            f'<rect class="bar" x="{_n(cx - bar_w / 2)}" y="{_n(y(v))}" width="{_n(bar_w)}" '
            f'height="{_n(base_y - y(v))}"/>'
        )
        if slot >= 16 and (v > 0 or len(bars) <= 12):
            out.append(
                f'<text x="{_n(cx)}" y="{_n(y(v) - 4)}" text-anchor="middle">{_e(bar.get("value"))}</text>'
            )
        if i % every == 0:
            out.append(
                f'<text class="tick" x="{_n(cx)}" y="{base_y + 16}" text-anchor="middle">{_e(label)}</text>'
            )
        out.append("</g>")
    out += [
        f'<line class="axis" x1="{_V_LEFT}" x2="{_WIDTH - _V_RIGHT}" y1="{base_y}" y2="{base_y}"/>',
        f'<text class="axis-title" x="{_V_LEFT - 6}" y="{_V_TOP - 10}" text-anchor="end">'
        f"{_e(chart.get('value_name') or '')}</text>",
        f'<text class="axis-title" x="{_n(_V_LEFT + plot_w / 2)}" y="{height - 6}" '
        f'text-anchor="middle">{_e(chart.get("label_name") or "")}</text>',
        "</svg>",
    ]
    return "".join(out)


def _horizontal_svg(
    base: str, title: str, desc: str, bars: list[Mapping[str, Any]], chart: Mapping[str, Any]
) -> str:
    plot_h = len(bars) * _H_ROW
    height = _H_TOP + plot_h + _H_AXIS
    labels = [_truncate(str(b.get("label")), _H_LABEL_CHARS) for b in bars]
    gutter = min(_H_LABEL, max(60, math.ceil(max(len(t) for t in labels) * _CHAR_PX) + 16))
    plot_w = _WIDTH - gutter - _H_RIGHT
    ticks = _nice_ticks(max(_value(b) for b in bars))
    top = ticks[-1]

    def x(v: float) -> float:
        return gutter + v / top * plot_w

    out = [_svg_open(base, _WIDTH, height, title, desc)]
    for t in ticks:
        out.append(
            f'<line class="grid" x1="{_n(x(t))}" x2="{_n(x(t))}" y1="{_H_TOP}" y2="{_H_TOP + plot_h}"/>'
            f'<text class="tick" x="{_n(x(t))}" y="{_H_TOP + plot_h + 14}" text-anchor="middle">'
            f"{_e(t)}</text>"
        )
    for i, (bar, label) in enumerate(zip(bars, labels, strict=True)):
        v = _value(bar)
        y0 = _H_TOP + i * _H_ROW
        mid = y0 + _H_ROW / 2 + 4
        tip = f"{bar.get('label')}: {_fmt(bar.get('value'))}"
        out.append(
            f"<g><title>{_e(tip)}</title>"
            f'<text x="{gutter - 8}" y="{_n(mid)}" text-anchor="end">{_e(label)}</text>'
            f'<rect class="bar" x="{gutter}" y="{_n(y0 + (_H_ROW - _H_BAR) / 2)}" '
            f'width="{_n(x(v) - gutter)}" height="{_H_BAR}"/>'
            f'<text x="{_n(x(v) + 4)}" y="{_n(mid)}">{_e(bar.get("value"))}</text></g>'
        )
    out += [
        f'<line class="axis" x1="{gutter}" x2="{gutter}" y1="{_H_TOP}" y2="{_H_TOP + plot_h}"/>',
        f'<text class="axis-title" x="{_n(gutter + plot_w / 2)}" y="{height - 4}" '
        f'text-anchor="middle">{_e(chart.get("value_name") or "")}</text>',
        "</svg>",
    ]
    return "".join(out)
