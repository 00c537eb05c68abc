"""The HTML quality report: escaped, offline, complete, and clean in a real browser.

The browser tests open the report of a real release in Debian's Chromium
(``/usr/bin/chromium``). When it is missing and we are root, the set-up installs
it with ``DEBIAN_FRONTEND=noninteractive apt-get update`` then
``DEBIAN_FRONTEND=noninteractive apt-get install -y chromium`` (see
:func:`install_chromium`); the tests skip, saying why, only when that is impossible.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from confdata.publish.bidi import BIDI_CONTROLS
from confdata.quality.charts import chart_data
from confdata.quality.html import render_html
from confdata.run import io
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW

CHROMIUM = Path("/usr/bin/chromium")
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}
APT_COMMANDS = (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"])
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
CHART_NAMES = [
    "research_papers_per_day",
    "research_papers_per_session",
    "authors_per_research_paper",
    "authorships_per_organization",
    "research_papers_per_organization",
    "authorships_by_organization_kind",
    "research_papers_by_country",
]


# --------------------------------------------------------------------------- helpers


class Tags(HTMLParser):
    """Every start tag of a document, with its attributes, as the browser's tokenizer sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def hostile_tables() -> dict[str, pl.DataFrame]:
    """Tiny tables whose printed text tries to break out of the HTML."""
    sessions = pl.DataFrame(
        {
            "session_id": ["ses_1", "ses_2", "ses_3"],
            "event": ["NSDI '26"] * 3,
            "date": [dt.date(2026, 5, 5), dt.date(2026, 5, 4), dt.date(2026, 5, 4)],
            "start_time": [dt.time(9), dt.time(14), dt.time(10, 30)],
            "track": [1, None, 2],
            "title": [f"Safe {SCRIPT}", f"Session {IMG}", "Empty paper session"],
            "kind": ["paper_session", "keynote", "paper_session"],
        },
        schema_overrides={"track": pl.Int16},
    )
    papers = pl.DataFrame(
        {
            "paper_id": ["p1", "p2", "p3", "p4"],
            "session_id": ["ses_1", "ses_1", "ses_2", None],
            "kind": ["research", "operational_systems", "keynote", "patent"],
        }
    )
    paper_authors = pl.DataFrame(
        {"paper_id": ["p1", "p1", "p1", "p2", "p3"], "position": [1, 2, 3, 1, 1]}
    )
    affiliations = pl.DataFrame(
        {"affiliation_id": ["a1", "a2"], "name": [f"Org {IMG}", f"Lab {SCRIPT}"]}
    )
    paa = pl.DataFrame(
        {
            "paper_id": ["p1", "p1", "p1", "p2"],
            "position": [1, 2, 3, 1],
            "affiliation_id": ["a1", "a2", "a1", "a1"],
        }
    )
    return {
        "sessions": sessions,
        "papers": papers,
        "paper_authors": paper_authors,
        "affiliations": affiliations,
        "paper_author_affiliations": paa,
    }


def hostile_report() -> dict[str, Any]:
    """A report (shaped like report.json) with hostile text in every free-text field."""
    issue = {
        "code": "uncertain-author-split",
        "severity": "warning",
        "message": f"could not split {SCRIPT}",
        "source_path": f"raw/{IMG}.txt",
        "line": 12,
        "text": f"Alice {IMG} and Bob {SCRIPT}",
        "table": "",
        "key": "",
    }
    return {
        "pipeline_version": "0.1.0",
        "release": {"version": "r0002", "previous_version": "r0001"},
        "diff": {
            "tables": {"papers": {"added": 3, "removed": 1, "changed": 2}},
            "entities": {
                "authors": {
                    "merged": [{"new_id": "aut_new", "old_ids": ["aut_a", "aut_b"]}],
                    "split": [],
                },
                "affiliations": {
                    "merged": [],
                    "split": [{"old_id": "aff_old", "new_ids": ["aff_x", "aff_y"]}],
                },
            },
        },
        "sources": [{"path": f"{SCRIPT}.txt", "kind": "program", "sha256": "ab" * 32}],
        "row_counts": {"papers": 4, "sessions": 3},
        "validation": {
            "ok": False,
            "tables": {
                "papers": {"checks": 5, "failures": 1, "rows": 4},
                "sessions": {"checks": 3, "failures": 0, "rows": 3},
            },
            "failures": [
                {
                    "table": "papers",
                    "column": "title",
                    "check": "str_length(1)",
                    "key": "p9",
                    "value": IMG,
                }
            ],
        },
        "resolution": {
            "merges": [{"into": "Jane Doe", "from": [f"J. Doe {SCRIPT}", "Jane  Doe"]}],
            "possible_homonyms": [{"name": "Wei Wang", "candidates": 3}],
            "unresolved_organizations": [IMG],
            "overrides_applied": 2,
            "evaluation": {"precision": 0.9734, "recall": 0.91, "pairs_checked": 400},
        },
        "issue_counts": {"uncertain-author-split": 2, "organization-only-group": 1},
        "severity_counts": {"info": 1, "warning": 2},
        "issues": [
            issue,
            {**issue, "line": 40, "message": "second", "text": "plain text"},
            {
                "code": "organization-only-group",
                "severity": "info",
                "message": "a group of organizations only",
                "source_path": "raw/p.txt",
                "line": 0,
                "text": "",
                "table": "papers",
                "key": "p1",
            },
        ],
    }


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --------------------------------------------------------------------------- chart data


def test_chart_data_counts_and_orders_deterministically() -> None:
    """It counts research papers by day, session, author count and organization, in a fixed order."""
    tables = hostile_tables()
    charts = chart_data(tables)
    assert list(charts) == CHART_NAMES
    # The keynote (Monday) is no research paper; the patent is in no session.
    assert charts["research_papers_per_day"]["bars"] == [{"label": "Tue 2026-05-05", "value": 2}]
    assert charts["research_papers_per_day"]["note"] == (
        "2 research papers counted. Not counted: program items that are not research papers "
        "(1 keynote), and 1 work in no program session (listed only in a CV)."
    )
    # Program order; the empty paper session is kept with 0, the keynote's item is left out.
    session_bars = charts["research_papers_per_session"]["bars"]
    assert [b["value"] for b in session_bars] == [0, 2]
    assert session_bars[0]["label"] == "Mon 10:30 · T2 · Empty paper session"
    # Every bin from the least to the most authors, of the two research papers only.
    assert charts["authors_per_research_paper"]["bars"] == [
        {"label": str(n), "value": v} for n, v in [(1, 1), (2, 0), (3, 1)]
    ]
    assert "Not counted: 2 other works" in charts["authors_per_research_paper"]["note"]
    assert charts["authorships_per_organization"]["bars"] == [
        {"label": f"Org {IMG}", "value": 3},
        {"label": f"Lab {SCRIPT}", "value": 1},
    ]
    assert charts["research_papers_per_organization"]["bars"] == [
        {"label": f"Org {IMG}", "value": 2},
        {"label": f"Lab {SCRIPT}", "value": 1},
    ]
    for name in ("authorships_by_organization_kind", "research_papers_by_country"):
        assert charts[name]["available"] is False
        assert "Not available: the affiliations table has no" in charts[name]["note"]
    reordered = {name: df.reverse() for name, df in reversed(list(tables.items()))}
    assert chart_data(reordered) == charts


def test_every_chart_says_what_it_counts() -> None:
    """Titles name research papers or authorships; none counts rows of affiliations."""
    for chart in chart_data(hostile_tables()).values():
        words = f"{chart['title']} {chart['value_name']}".lower()
        assert "research papers" in words or "authorships" in words, chart["title"]
        assert chart["value_name"] in ("research papers", "authorships")
    html = render_html(hostile_report(), chart_data(hostile_tables()))
    assert html.count('<p class="counts">Research papers (kind research, operational_systems)') == 2


def test_organization_charts_count_authorships_and_papers_not_rows() -> None:
    """By kind: authorships naming an organization of the kind; by country: papers with one."""
    tables = hostile_tables()
    tables["affiliations"] = pl.DataFrame(
        {
            "affiliation_id": ["a1", "a2", "a3", "a4"],
            "name": ["A", "B", "C", "D"],
            "kind": ["industry", "academic", "academic", None],
            "country": ["US", "CN", "US", "SE"],
        }
    )
    charts = chart_data(tables)
    # a3 and a4 are named by no authorship: they count for nothing (rows would give academic 2).
    assert charts["authorships_by_organization_kind"]["bars"] == [
        {"label": "industry", "value": 3},
        {"label": "academic", "value": 1},
    ]
    # p1 has authors in the US and China, p2 in the US.
    assert charts["research_papers_by_country"]["bars"] == [
        {"label": "US", "value": 2},
        {"label": "CN", "value": 1},
    ]
    html = render_html(hostile_report(), charts)
    assert html.count("<svg") == 7


def test_chart_data_says_what_is_missing() -> None:
    """It marks a chart unavailable, with the reason, when a table is missing."""
    charts = chart_data({})
    assert all(not c["available"] and c["note"] for c in charts.values())
    assert "no papers table" in charts["research_papers_per_day"]["note"]


# --------------------------------------------------------------------------- escaping and offline


def test_text_from_the_raw_files_is_escaped() -> None:
    """Injected markup in an issue and a session title shows as text, never as a tag."""
    html = render_html(hostile_report(), chart_data(hostile_tables()))
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    # The session title (papers-per-session chart) and the quoted issue line, escaped.
    assert "Tue 09:00 · T1 · Safe &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Alice &quot;&gt;&lt;img src=x onerror=alert(1)&gt; and Bob &lt;script&gt;" in html
    tags = Tags(html)
    allowed = (
        "html head meta title style body div header h1 h2 h3 h4 p nav a main section "
        "table caption thead tbody tfoot tr th td code span small strong blockquote "
        "figure figcaption svg desc g rect line text details summary ul li"
    )
    assert {t for t, _ in tags.tags} <= set(allowed.split())
    handlers = [k for _, attrs in tags.tags for k in attrs if k.startswith("on")]
    assert handlers == []


def test_bidi_controls_from_the_raw_files_are_shown_not_obeyed() -> None:
    """A right-to-left override or isolate in a name, an issue or a title shows as <U+202E>.

    Left raw, it reorders what the browser displays after it (Trojan Source).
    """
    rlo = "Ke \u202eSun\u202c, \u2067Ali\u2069 \u200f"
    report = hostile_report()
    report["issues"][0] = {**report["issues"][0], "message": f"odd {rlo}", "text": rlo}
    tables = hostile_tables()
    tables["sessions"] = tables["sessions"].with_columns(
        pl.col("title").str.replace("Empty", "Empty \u202e", literal=True)
    )
    html = render_html(report, chart_data(tables))
    assert not any(ch in html for ch in BIDI_CONTROLS)
    assert (
        "Ke &lt;U+202E&gt;Sun&lt;U+202C&gt;, &lt;U+2067&gt;Ali&lt;U+2069&gt; &lt;U+200F&gt;" in html
    )
    assert "Empty &lt;U+202E&gt; paper session" in html


def test_the_page_fetches_nothing() -> None:
    """No external URL, no import, no url(): links are in-page anchors and nothing has a src."""
    html = render_html(hostile_report(), chart_data(hostile_tables()))
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html
    tags = Tags(html)
    assert not [attrs for _, attrs in tags.tags if "src" in attrs]
    assert all(str(a["href"]).startswith("#") for _, a in tags.tags if "href" in a)
    assert tags.named("link") == [] and tags.named("script") == []
    csp = [a for a in tags.named("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in str(csp[0]["content"])


def test_release_diff_resolution_and_failures_are_rendered() -> None:
    """It shows the release, the diff, the resolution summary and the validation failures."""
    html = render_html(hostile_report(), chart_data(hostile_tables()))
    assert "release r0002" in html and "compared with release <strong>" not in html
    assert "compared with release r0001" in html
    assert re.search(r"<td>papers</td><td class=\"num\">3</td><td class=\"num\">1</td>", html)
    assert "aut_new" in html and "aut_a, aut_b" in html
    assert "aff_old" in html and "aff_x, aff_y" in html
    assert "Authors: 1 merged, 0 split" in html and "Affiliations: 0 merged, 1 split" in html
    assert 'id="resolution"' in html
    for text in ("Possible homonyms", "Unresolved organizations", "Wei Wang", "0.9734"):
        assert text in html
    assert "Overrides applied" in html
    assert "FAILED" in html and "str_length(1)" in html
    assert "Validation failures (1)" in html


def test_issues_are_grouped_by_code_with_file_line_and_quote() -> None:
    """Every issue appears under its code, warnings first, with file:line and its line quoted."""
    html = render_html(hostile_report(), chart_data(hostile_tables()))
    warn = html.index('<section class="issue-group" id="issue-uncertain-author-split">')
    info = html.index('<section class="issue-group" id="issue-organization-only-group">')
    assert warn < info
    assert "raw/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.txt:12" in html
    assert ".txt:40</code>" in html
    assert '<blockquote class="src"><code>plain text</code></blockquote>' in html
    assert "table <code>papers</code> · key <code>p1</code>" in html
    assert 'href="#issue-uncertain-author-split"' in html


def test_same_input_same_page_and_minimal_report() -> None:
    """It is a pure function, and copes with a bare report (no release, no issues, no charts)."""
    report, charts = hostile_report(), chart_data(hostile_tables())
    assert render_html(report, charts) == render_html(report, charts)
    bare = render_html({"pipeline_version": "0.1.0", "validation": {"ok": True}}, {})
    assert "<h1>Data-quality report</h1>" in bare and "passed" in bare
    assert 'id="changes"' not in bare and 'id="resolution"' not in bare


# --------------------------------------------------------------------------- a real release


Page = tuple[Path, dict[str, Any], dict[str, Any]]


def drawn(charts: dict[str, Any]) -> int:
    """How many charts have bars to draw (the others say why not)."""
    return sum(1 for c in charts.values() if c["available"] and c["bars"])


@pytest.fixture(scope="module")
def release_page(tmp_path_factory: pytest.TempPathFactory) -> Page:
    """The HTML report of a release built from raw/, written to a file; its report and charts."""
    folder = tmp_path_factory.mktemp("html_report")
    out = folder / "out"
    run_pipeline(RAW, out)
    report = io.read_json(out / "quality" / "report.json")
    charts = chart_data(io.read_frames(out / "parquet"))
    page = folder / "report.html"
    page.write_text(render_html(report, charts), encoding="utf-8")
    return page, report, charts


def test_real_release_renders_summary_tables_charts_and_issues(
    release_page: Page,
) -> None:
    """The real release's page has the summary, every table, every chart and every issue code."""
    page, report, charts = release_page
    html = page.read_text(encoding="utf-8")
    assert f"release {report['release']['version']}" in html
    assert "Pipeline version" in html and "passed" in html
    assert report["severity_counts"] == {"info": 35, "warning": 18}
    assert "18&nbsp;warnings" in html and "35&nbsp;info" in html and "0&nbsp;errors" in html
    for name, rows in report["row_counts"].items():
        assert f'<tr><td>{name}</td><td class="num">{rows:,}</td>' in html
    for title in (
        "Research papers per day",
        "Research papers per session",
        "Research papers by number of authors",
        "Authorships of research papers per organization (top 15)",
        "Research papers per organization (top 15)",
        "Authorships of research papers by organization kind",
        "Research papers by country",
    ):
        assert f"<figcaption>{title}</figcaption>" in html
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(svgs) == drawn(charts) == len(CHART_NAMES)
    for svg in svgs:
        assert re.search(
            r'role="img".*?<title id="[^"]+">.+?</title><desc id="[^"]+">.+?</desc>', svg
        )
    assert html.count("<details><summary>The numbers as a table</summary>") == len(svgs)
    assert html.count("Not available") == len(charts) - len(svgs)
    for code in report["issue_counts"]:
        assert f'id="issue-{code}"' in html
    assert html.count('<td class="where">') == len(report["issues"])
    # The CV quotes raw HTML: it must be shown as text.
    assert "<ul style" not in html and "&lt;ul style=" in html


def test_research_papers_on_monday_are_those_a_reader_counts_on_the_page(
    release_page: Page,
) -> None:
    """Monday's bar is 42: the page's papers that day, not its keynote or Test of Time paper."""
    _, _, charts = release_page
    lines = NSDI26.read_text(encoding="utf-8").splitlines()
    monday = lines[lines.index("Monday, May 4") : lines.index("Tuesday, May 5")]
    # Every paper presented links its media, and so does the keynote; the Test of Time
    # paper (an NSDI '14 paper honoured at lunch) links none.
    assert monday.count("Keynote Address") == 1
    on_the_page = monday.count("Available Media") - 1
    assert on_the_page == 42
    bars = charts["research_papers_per_day"]["bars"]
    assert bars[0] == {"label": "Mon 2026-05-04", "value": on_the_page}
    assert sum(b["value"] for b in bars) == 150
    note = charts["research_papers_per_day"]["note"]
    assert "(1 keynote, 1 Test of Time paper)" in note
    assert sum(b["value"] for b in charts["research_papers_per_session"]["bars"]) == 150


# --------------------------------------------------------------------------- headless Chromium


def install_chromium() -> str | None:
    """Install Debian's chromium when it is missing; return why that is impossible, or None.

    Runs ``apt-get update`` then ``apt-get install -y chromium`` (non-interactive),
    only when /usr/bin/chromium is missing and we are root.
    """
    if CHROMIUM.exists():
        return None
    if shutil.which("apt-get") is None:
        return f"{CHROMIUM} is missing and there is no apt-get to install it"
    if os.geteuid() != 0:
        return f"{CHROMIUM} is missing and only root can apt-get install chromium"
    env = {**os.environ, **APT_ENV}
    for command in APT_COMMANDS:
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"`{' '.join(command)}` failed: {exc}"
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return f"`{' '.join(command)}` exited {done.returncode}: {' | '.join(tail)}"
    return None if CHROMIUM.exists() else f"chromium installed but {CHROMIUM} is missing"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's headless Chromium, installed on first use when missing."""
    reason = install_chromium()
    if reason and os.environ.get("CI"):
        # CI must prove the report renders: a missing browser is a failure there.
        pytest.fail(f"no headless Chromium in CI: {reason}")
    if reason:
        pytest.skip(f"no headless Chromium: {reason}")
    return CHROMIUM


def stop(process: subprocess.Popen[Any]) -> None:
    """Stop a Chromium we started, with its helper processes (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def run_chromium(chromium: Path, profile: Path, *args: str, timeout: float = 120) -> str:
    """Run Chromium once (``--dump-dom``, ``--screenshot``) and return its standard output."""
    process = subprocess.Popen(
        [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, _ = process.communicate(timeout=timeout)
    finally:
        stop(process)
    assert process.returncode == 0, f"chromium exited {process.returncode}"
    return stdout


class DevTools:
    """A minimal Chrome DevTools Protocol client over one WebSocket, keeping every event."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.last_id = 0
        self.events: list[dict[str, Any]] = []

    def _receive(self, timeout: float) -> dict[str, Any]:
        message = json.loads(self.ws.recv(timeout=timeout))
        if "method" in message:
            self.events.append(message)
        return message

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.last_id += 1
        request: dict[str, Any] = {"id": self.last_id, "method": method, "params": params}
        if session:
            request["sessionId"] = session
        self.ws.send(json.dumps(request))
        deadline = time.monotonic() + 30
        while True:
            message = self._receive(max(deadline - time.monotonic(), 0.01))
            if message.get("id") == self.last_id:
                assert "error" not in message, f"{method}: {message['error']}"
                return message.get("result", {})

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["method"] == method:
                    return event
            self._receive(max(deadline - time.monotonic(), 0.01))

    def settle(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._receive(left)
            except TimeoutError:
                return


@contextmanager
def devtools(chromium: Path, profile: Path) -> Iterator[DevTools]:
    """Start Chromium with remote debugging on a free local port and connect to it."""
    from websockets.sync.client import connect

    process = subprocess.Popen(
        [
            str(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and len(port_file.read_text().splitlines()) >= 2):
            assert process.poll() is None, f"chromium exited {process.returncode} at start"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        with connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30) as ws:
            yield DevTools(ws)
    finally:
        stop(process)


# Text drawn outside its chart's viewBox (clipped), as the browser lays it out.
CLIPPED_TEXT_JS = """
[...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const vb = svg.viewBox.baseVal;
  return [...svg.querySelectorAll('text')].filter(t => {
    const b = t.getBBox();
    return b.x < vb.x - 0.5 || b.y < vb.y - 0.5
      || b.x + b.width > vb.x + vb.width + 0.5 || b.y + b.height > vb.y + vb.height + 0.5;
  }).map(t => t.textContent);
})
"""


def browse(
    chromium: Path, profile: Path, page: Path, expression: str = "null"
) -> tuple[list[str], list[str], Any]:
    """Load ``page`` in Chromium; return its console errors, the URLs it requested, and
    the value of ``expression`` evaluated (by DevTools, not by the page) once loaded."""
    with devtools(chromium, profile) as cdp:
        target = cdp.call("Target.createTarget", url="about:blank")["targetId"]
        session = cdp.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            cdp.call(f"{domain}.enable", session=session)
        cdp.events.clear()
        navigated = cdp.call("Page.navigate", session=session, url=page.as_uri())
        assert "errorText" not in navigated, navigated
        cdp.wait_for("Page.loadEventFired")
        cdp.settle(1.0)
        evaluated = cdp.call(
            "Runtime.evaluate", session=session, expression=expression, returnByValue=True
        )
    errors, requests = [], []
    for event in cdp.events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            thrown = details.get("exception", {}).get("description", "")
            errors.append(f"exception: {details.get('text')} {thrown}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            errors.append(f"log: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            requests.append(params["request"]["url"])
    assert "exceptionDetails" not in evaluated, evaluated
    return errors, requests, evaluated["result"].get("value")


def test_chromium_renders_the_summary_and_every_svg_chart(
    chromium: Path, release_page: Page, tmp_path: Path
) -> None:
    """Chromium's DOM of the real report holds the summary, every drawn chart and no script."""
    page, report, charts = release_page
    dom = run_chromium(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert f"Data-quality report — release {report['release']['version']}" in dom
    assert 'id="summary"' in dom and "passed" in dom
    assert len(re.findall(r"<svg\b", dom)) == drawn(charts)
    assert len(re.findall(r'<rect class="bar"', dom)) >= 3 + 15
    assert "<script" not in dom


def test_chromium_shows_no_console_error_and_fetches_nothing(
    chromium: Path, release_page: Page, tmp_path: Path
) -> None:
    """Loading the real report logs no console error, requests nothing but the file itself,
    and draws every chart's text inside its chart (no label clipped)."""
    page, _, _ = release_page
    errors, requests, clipped = browse(chromium, tmp_path / "profile", page, CLIPPED_TEXT_JS)
    assert errors == []
    assert requests == [page.as_uri()]
    assert clipped == []


def test_console_error_probe_catches_errors(chromium: Path, tmp_path: Path) -> None:
    """The probe above is not blind: a page that errs is caught (console, exception, fetch)."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><title>bad</title><img src='missing.png' alt=''>"
        "<script>console.error('boom'); throw new Error('kaboom')</script>",
        encoding="utf-8",
    )
    errors, requests, _ = browse(chromium, tmp_path / "profile", bad)
    assert any("boom" in e for e in errors), errors
    assert any("kaboom" in e for e in errors), errors
    assert any("ERR_FILE_NOT_FOUND" in e for e in errors), errors
    assert any(u.endswith("missing.png") for u in requests)


def test_chromium_screenshot_of_the_report(
    chromium: Path, release_page: Page, tmp_path: Path
) -> None:
    """Chromium draws the page to a 1280x4000 screenshot (looked at by a person when changed)."""
    page, _, _ = release_page
    shot = tmp_path / "r.png"
    run_chromium(
        chromium,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,4000",
        page.as_uri(),
    )
    assert png_size(shot) == (1280, 4000)
    assert shot.stat().st_size > 50_000  # a blank page compresses to a few KB


def test_clipped_text_probe_catches_clipping(
    chromium: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clipping probe is not blind: a label left untruncated runs off its chart."""
    from confdata.quality import html as report_html

    monkeypatch.setattr(report_html, "_H_LABEL_CHARS", 500)
    long_label = "A very long organization name " * 4
    chart = {
        "title": "Clipped",
        "orientation": "horizontal",
        "available": True,
        "bars": [{"label": long_label, "value": 3}, {"label": "short", "value": 1}],
    }
    page = tmp_path / "clipped.html"
    page.write_text(render_html({"pipeline_version": "x"}, {"c": chart}), encoding="utf-8")
    errors, _, clipped = browse(chromium, tmp_path / "profile", page, CLIPPED_TEXT_JS)
    assert errors == []
    assert clipped == [long_label]
