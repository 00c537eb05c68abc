"""The terms a release is published under: its licence, and the data sources it includes.

The licence is the user's choice (``--licence`` on the command line, the flow's
``licence`` parameter, ``run_pipeline(licence=...)``): an SPDX identifier from
:data:`LICENCES`, default :data:`DEFAULT_LICENCE`. It goes into
``datapackage.json`` as ``licenses`` (SPDX id, title and URL, as Data Package
v1 asks).

Reference data taken from elsewhere carries its own terms. A reference file
(``raw/reference/*.yaml``) that holds such data says so at its top level::

    data_sources:
      - name: ror
        title: Research Organization Registry (ROR)
        path: https://ror.org
        licence: CC0-1.0

Every declared source becomes a ``sources`` entry of the package and adds its
licence to ``licenses``, so a release that includes ROR data says so, and one
that does not, does not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import yaml

# SPDX id -> (title, canonical URL): the licences commonly chosen for open data.
LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution Share Alike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC-BY-NC-4.0": (
        "Creative Commons Attribution Non Commercial 4.0 International",
        "https://creativecommons.org/licenses/by-nc/4.0/",
    ),
    "CC0-1.0": (
        "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "ODC-By-1.0": (
        "Open Data Commons Attribution License v1.0",
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License v1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication & License 1.0",
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
}
DEFAULT_LICENCE = "CC-BY-4.0"
_SOURCE_KEYS = {"name", "title", "path", "licence", "version"}


def licence_entry(spdx_id: str) -> dict[str, str]:
    """Return the Data Package ``licenses`` entry of an SPDX id (matched ignoring case).

    Examples:
        >>> licence_entry("cc-by-4.0")["name"]
        'CC-BY-4.0'
        >>> licence_entry("CC0-1.0")["path"]
        'https://creativecommons.org/publicdomain/zero/1.0/'

    Raises:
        ValueError: If the id is not one of :data:`LICENCES`, listing them.
    """
    by_folded = {k.casefold(): k for k in LICENCES}
    key = by_folded.get(str(spdx_id).strip().casefold())
    if key is None:
        raise ValueError(
            f"licence: expected an SPDX id among {', '.join(LICENCES)}, found {spdx_id!r}"
        )
    title, path = LICENCES[key]
    return {"name": key, "title": title, "path": path}


def reference_data_sources(texts: Mapping[str, str]) -> list[dict[str, Any]]:
    """Return the data sources the reference files declare, with their licences, by name.

    Args:
        texts: Reference file name -> YAML text (``confdata.run.io.read_reference``).

    Returns:
        One entry per source: ``name``, ``title``, ``path``, optional
        ``version``, and ``licence`` (a ``licenses`` entry), sorted by name.

    Raises:
        ValueError: If a declaration is malformed, or two files declare the
            same source differently; the message names the file.
    """
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for file, text in sorted(texts.items()):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue  # the reference loader reports a file that is not YAML, naming it
        declared = data.get("data_sources") if isinstance(data, Mapping) else None
        if declared is None:
            continue
        if not isinstance(declared, list):
            raise ValueError(f"reference file {file}: data_sources must be a list")
        for index, raw in enumerate(declared):
            source = _source(file, index, raw)
            earlier = found.get(source["name"])
            if earlier and earlier[1] != source:
                raise ValueError(
                    f"reference file {file}: data source {source['name']!r} is declared "
                    f"differently in {earlier[0]}"
                )
            found[source["name"]] = (file, source)
    return [found[name][1] for name in sorted(found)]


def _source(file: str, index: int, raw: Any) -> dict[str, Any]:
    """Check one declared data source and resolve its licence."""
    where = f"reference file {file}: data_sources[{index}]"
    if not isinstance(raw, Mapping) or not {"name", "title", "path", "licence"} <= set(raw):
        raise ValueError(f"{where}: expected name, title, path and licence, found {raw!r}")
    unknown = sorted(set(map(str, raw)) - _SOURCE_KEYS)
    if unknown:
        raise ValueError(f"{where}: expected only {sorted(_SOURCE_KEYS)}, found {unknown}")
    for key in ("name", "title", "path"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise ValueError(f"{where}: {key} must be a non-empty text, found {raw[key]!r}")
    try:
        licence = licence_entry(raw["licence"])
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from err
    source = {k: str(raw[k]).strip() for k in ("name", "title", "path")}
    if raw.get("version") is not None:
        source["version"] = str(raw["version"])
    return {**source, "licence": licence}


def package_terms(licence: str, sources: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the ``licenses`` and ``sources`` of ``datapackage.json``.

    The release's own licence comes first; each data source adds its licence,
    titled with the source ("Research Organization Registry (ROR) data: …").
    """
    own = licence_entry(licence)
    licences = [own]
    for source in sources:
        entry = {**source["licence"]}
        entry["title"] = f"{source['title']} data: {entry['title']}"
        if entry not in licences:
            licences.append(entry)
    return {
        "licenses": licences,
        "sources": [
            {
                "title": s["title"],
                "path": s["path"],
                **({"version": s["version"]} if "version" in s else {}),
            }
            for s in sources
        ],
    }


def terms_digest(terms: Mapping[str, Any]) -> str:
    """A SHA-256 of the terms: a release whose tables are unchanged but whose terms are is new."""
    text = json.dumps(terms, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
