"""The code a reader sees on a page runs on its own, top to bottom, in a fresh interpreter.

For every page, the code cells without the ``hide-input`` tag (the ones the built page shows) are
joined into one script, in page order, and run with ``python`` in an empty temporary directory:
no hidden cell has run first, no page helper has been imported for it, and nothing from the
repository is on the path but the installed package. A visible cell that uses a name only a hidden
cell defines fails here with that ``NameError``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_pages import PAGES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def visible_code(page: Path) -> str:
    """The source of the page's visible code cells, in order, as one script."""
    import jupytext

    notebook = jupytext.read(page)
    cells = [
        c.source for c in notebook.cells
        if c.cell_type == "code" and "hide-input" not in c.metadata.get("tags", [])
    ]
    return "\n\n".join(cells)


# Pages that show no code (errata, the symbols table) have nothing to run: they are not test cases.
SHOWING_CODE = [p for p in PAGES if visible_code(p).strip()]


def test_most_pages_show_code():
    assert len(SHOWING_CODE) >= len(PAGES) - 3, sorted(p.name for p in set(PAGES) - set(SHOWING_CODE))


@pytest.mark.parametrize("page", SHOWING_CODE, ids=[str(p.relative_to(DOCS)) for p in SHOWING_CODE])
def test_visible_cells_run_alone(page: Path, tmp_path: Path):
    script = visible_code(page)
    path = tmp_path / "visible.py"
    path.write_text(script, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONSTARTUP"}}
    env["MPLBACKEND"] = "Agg"
    proc = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, (
        f"{page.relative_to(ROOT)}: its visible code, run alone, failed (exit {proc.returncode}):\n"
        f"{textwrap.indent(proc.stderr[-3000:], '    ')}"
    )
