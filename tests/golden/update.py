"""Rewrite the golden file from the pipeline's current output (``make update-golden``).

Review the diff by reading it against the raw files before committing: the
golden file is an expectation checked by a person, not whatever the code does.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from confdata.run.steps import run_pipeline
from tests.golden.render import render_release

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "release.golden.txt"


def main() -> int:
    """Run the pipeline on raw/ and write the rendering to the golden file."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        run_pipeline(ROOT / "raw", out)
        GOLDEN.write_text(render_release(out), encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}; review the diff before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
