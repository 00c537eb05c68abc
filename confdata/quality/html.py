"""The data-quality report as one self-contained HTML page.

:func:`render_html` takes the report dict (what ``report.json`` holds, see
:mod:`confdata.quality.report`) and the charts' data (:func:`confdata.quality.charts.chart_data`)
and returns a complete HTML document that works offline: inline CSS, bar charts
drawn as inline SVG, no script, font, image or stylesheet fetched from anywhere.
A Content-Security-Policy in the page forbids every fetch and every script, so
even a browser that found something to load would not load it.

Every text that comes from the data (titles, names, issue messages, quoted raw
lines, table names, …) goes through :func:`confdata.quality.markup._e`
(:func:`html.escape`, with bidirectional controls shown as ``<U+202E>``). Each chart carries an
SVG ``<title>`` and ``<desc>`` and the same numbers as a table in a
``<details>`` element. The output holds no clock reading: the same inputs give
the same bytes.

This module holds the page (its CSS and :func:`render_html`) and the charts; the
other sections are :mod:`confdata.quality.sections`, built with the escaping,
formatting and table helpers of :mod:`confdata.quality.markup`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from confdata.quality.issues import SKIPPED_FILE_CODE
from confdata.quality.markup import _e, _fmt, _humanize, _Ids, _is_number, _table, _truncate
from confdata.quality.sections import (
    _changes_section,
    _issue_row,
    _issues_section,
    _resolution_section,
    _sources_section,
    _summary,
    _tables_section,
)

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

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
figure.chart p.counts { color: var(--muted); font-size: .9rem; margin: 0 0 .4rem; }
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


def _skipped_section(report: Mapping[str, Any]) -> str:
    """List the raw files left out with ``--skip-bad-files``: the first section of the page."""
    skipped = [i for i in report.get("issues") or [] if i.get("code") == SKIPPED_FILE_CODE]
    if not skipped:
        return ""
    return "\n".join(
        [
            '<section id="skipped">',
            f'<h2 class="sev-error">Skipped files ({_e(len(skipped))})</h2>',
            "<p>These raw files could not be read and were left out of this release "
            "(<code>--skip-bad-files</code>); nothing of them is in the tables.</p>",
            '<table class="issues"><thead><tr><th scope="col">file:line</th>'
            '<th scope="col">what was wrong, and what was found</th></tr></thead><tbody>',
            *(_issue_row(i) for i in skipped),
            "</tbody></table>",
            "</section>",
        ]
    )


def render_html(report: Mapping[str, Any], charts: Mapping[str, Any]) -> str:
    """Return the data-quality report as one self-contained HTML document.

    Args:
        report: The report dict (``report.json``): ``pipeline_version``,
            ``row_counts``, ``validation``, ``severity_counts``, ``issues``,
            ``sources``, and when present ``release``, ``diff`` and
            ``resolution`` (rendered generically).
        charts: Charts by name, as :func:`confdata.quality.charts.chart_data`
            returns them; drawn in their order.
    """
    ids = _Ids()
    release = report.get("release") or {}
    version = release.get("version") if isinstance(release, Mapping) else release
    title = "Data-quality report" + (f" — release {version}" if version else "")
    sections = [
        ("skipped", "Skipped files", _skipped_section(report)),
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
    if chart.get("description"):
        # What the chart counts, in words, above the bars (also the SVG's <desc>).
        out.append(f'<p class="counts">{_e(chart["description"])}</p>')
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
        # The value's name reads from the left edge (above the ticks), so a long one
        # ("research papers") is not cut off.
        f'<text class="axis-title" x="4" y="{_V_TOP - 10}" text-anchor="start">'
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
