"""Run every page of the book in-process, without a kernel: a broken page fails here, fast.

Each ``docs/**/*.py`` page (jupytext percent format; folders whose name starts with ``_`` hold
helpers, not pages) is read with jupytext and its code cells are run one by one in an in-process
IPython shell, in a fresh namespace, with matplotlib's Agg backend, from the project root (where
``mkdocs`` runs them too); the page helpers are ``backprop.book``. Every display() call and the last
expression of a cell are formatted for all MIME types (HTML, Markdown, LaTeX, ...), so the reprs a
page relies on run as well. The first failing cell fails the test with the page, cell number and
source in the message.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _pages() -> list[Path]:
    pages = []
    for path in sorted(DOCS.rglob("*.py")):
        rel = path.relative_to(DOCS)
        if any(part.startswith(("_", ".")) for part in rel.parts[:-1]) or rel.name.startswith("_"):
            continue
        pages.append(path)
    return pages


PAGES = _pages()


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    os.environ.setdefault("MPLBACKEND", "Agg")
    old_ipythondir = os.environ.get("IPYTHONDIR")
    os.environ["IPYTHONDIR"] = str(tmp_path_factory.mktemp("ipython"))
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    cfg = Config()
    cfg.HistoryManager.enabled = False
    sh = InteractiveShell.instance(config=cfg)
    # Compute every representation (text/html, text/markdown, text/latex, image/png, ...), as a
    # notebook front end would, not only text/plain.
    formatter = sh.display_formatter
    formatter.active_types = list(formatter.formatters)
    yield sh
    InteractiveShell.clear_instance()
    if old_ipythondir is None:
        os.environ.pop("IPYTHONDIR", None)
    else:
        os.environ["IPYTHONDIR"] = old_ipythondir


def test_pages_are_discovered():
    assert PAGES, f"no pages found under {DOCS}"


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_runs(page: Path, shell, monkeypatch):
    import jupytext
    import matplotlib

    matplotlib.use("Agg", force=True)
    monkeypatch.chdir(ROOT)
    shell.reset(new_session=False)  # fresh namespace for every page

    notebook = jupytext.read(page)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells, f"{page.name} has no code cell"
    for number, cell in enumerate(code_cells, start=1):
        result = shell.run_cell(cell.source, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            pytest.fail(
                f"{page.relative_to(ROOT)}: code cell {number} raised "
                f"{type(error).__name__}: {error}\n--- cell source ---\n{cell.source}",
                pytrace=False,
            )
    import matplotlib.pyplot as plt

    plt.close("all")
