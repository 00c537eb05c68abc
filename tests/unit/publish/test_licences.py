"""datapackage.json carries the licence the user chose, and the licences of the data it includes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from frictionless import validate

from confdata.publish.licences import DEFAULT_LICENCE, licence_entry, reference_data_sources
from confdata.run.steps import run_pipeline
from tests.conftest import RAW

ROR_DECLARATION = """
# 2026-12: test only; the organizations would come from the ROR data dump.
data_sources:
  - name: ror
    title: Research Organization Registry (ROR)
    path: https://ror.org
    version: v1.50
    licence: CC0-1.0
"""
ROR_LICENCE = {
    "name": "CC0-1.0",
    "title": "Research Organization Registry (ROR) data: Creative Commons Zero v1.0 Universal",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
}
CC_BY = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


def _package(out: Path) -> dict[str, Any]:
    return json.loads((out / "datapackage.json").read_text(encoding="utf-8"))


def _valid(out: Path) -> bool:
    report = validate(str(out / "datapackage.json"))
    return bool(report.valid)


@pytest.fixture()
def ror_reference(tmp_path: Path) -> Path:
    """A reference folder whose organization registry declares ROR as its source."""
    reference = tmp_path / "reference"
    shutil.copytree(RAW / "reference", reference)
    registry = reference / "organizations.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + ROR_DECLARATION, "utf-8")
    return reference


def test_default_licence_is_cc_by_and_no_source_is_claimed(raw: Path, tmp_path: Path) -> None:
    """Without a choice, the release is CC-BY-4.0; it includes no ROR data, so says none."""
    out = tmp_path / "out"
    run_pipeline(raw, out)
    package = _package(out)
    assert DEFAULT_LICENCE == "CC-BY-4.0"
    assert package["licenses"] == [CC_BY]
    assert "sources" not in package
    assert _valid(out)


def test_the_chosen_licence_is_declared_and_a_change_of_licence_is_a_new_release(
    raw: Path, tmp_path: Path
) -> None:
    """--licence CC0-1.0 gives CC0; the same tables under another licence are a new release."""
    out = tmp_path / "out"
    first = run_pipeline(raw, out, licence="ODbL-1.0")
    assert _package(out)["licenses"][0]["name"] == "ODbL-1.0"
    second = run_pipeline(raw, out, licence="cc0-1.0")  # SPDX ids ignore case
    assert (first.version, second.version, second.published) == ("r0001", "r0002", True)
    assert _package(out)["licenses"] == [
        {
            "name": "CC0-1.0",
            "title": "Creative Commons Zero v1.0 Universal",
            "path": "https://creativecommons.org/publicdomain/zero/1.0/",
        }
    ]
    assert not run_pipeline(raw, out, licence="CC0-1.0").published  # nothing changed now
    assert _valid(out)


def test_ror_data_in_the_reference_adds_its_licence_and_source(
    raw: Path, tmp_path: Path, ror_reference: Path
) -> None:
    """Reference data declaring ROR puts CC0 (ROR) in licenses and ROR in sources."""
    out = tmp_path / "out"
    run_pipeline(raw, out, reference_dir=ror_reference)
    package = _package(out)
    assert package["licenses"] == [CC_BY, ROR_LICENCE]
    assert package["sources"] == [
        {
            "title": "Research Organization Registry (ROR)",
            "path": "https://ror.org",
            "version": "v1.50",
        }
    ]
    assert _valid(out)


def test_an_unknown_licence_stops_before_anything_is_done(raw: Path, tmp_path: Path) -> None:
    """A licence the package cannot name is refused, listing the known ones; out/ is not made."""
    with pytest.raises(ValueError, match=r"expected an SPDX id among CC-BY-4.0, .* found 'WTFPL'"):
        run_pipeline(raw, tmp_path / "out", licence="WTFPL")
    assert not (tmp_path / "out").exists()


def test_the_command_line_refuses_an_unknown_licence(capsys: pytest.CaptureFixture[str]) -> None:
    """``--licence`` is checked like any other argument (usage error, exit 2)."""
    from flows.build import main

    with pytest.raises(SystemExit) as stop:
        main(["--licence", "WTFPL", "--out", "/nonexistent/never-written"])
    assert stop.value.code == 2
    assert "expected an SPDX id among" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ("data_sources: {name: ror}\n", "data_sources must be a list"),
        ("data_sources:\n  - {name: ror, title: ROR}\n", "expected name, title, path and licence"),
        (
            "data_sources:\n  - {name: ror, title: ROR, path: x, licence: Beerware}\n",
            r"data_sources\[0\]: licence: expected an SPDX id",
        ),
        (
            "data_sources:\n  - {name: ror, title: ROR, path: x, licence: CC0-1.0, url: y}\n",
            "expected only",
        ),
        ("data_sources:\n  - {name: ' ', title: ROR, path: x, licence: CC0-1.0}\n", "non-empty"),
    ],
)
def test_a_malformed_declaration_names_its_file(declaration: str, message: str) -> None:
    """A bad data_sources block is refused, naming the reference file."""
    with pytest.raises(ValueError, match=f"reference file ror.yaml: .*{message}"):
        reference_data_sources({"ror.yaml": declaration})


def test_one_source_declared_twice_must_agree() -> None:
    """Two files may declare the same source only with the same terms."""
    one = "data_sources:\n  - {name: ror, title: ROR, path: https://ror.org, licence: CC0-1.0}\n"
    other = one.replace("CC0-1.0", "CC-BY-4.0")
    assert reference_data_sources({"a.yaml": one, "b.yaml": one})[0]["name"] == "ror"
    with pytest.raises(ValueError, match="declared differently in a.yaml"):
        reference_data_sources({"a.yaml": one, "b.yaml": other})
    assert licence_entry("ODC-By-1.0")["path"] == "https://opendatacommons.org/licenses/by/1-0/"
