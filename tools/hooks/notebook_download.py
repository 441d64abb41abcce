"""MkDocs hook: every notebook page can be downloaded as a Jupyter notebook that runs on its own.

* What: ``<page>/<name>.ipynb`` next to each notebook page's ``index.html``, made from the page's
  jupytext source while the site builds, and a "Download notebook" button on the page
  (``overrides/main.html``; ``page.bp_notebook`` is its link). Markdown pages get neither.
* The notebook has the page's cells without outputs (the page is the executed copy; the notebook
  is the one to run, small and the same bytes for the same source), after a Markdown cell saying
  what it is and how to run it. Cells the page hides (``hide-input``) keep that tag and are
  collapsed in JupyterLab (``jupyter.source_hidden``). Links to other pages of the book point to
  their address on the site (``site_url``).
* It needs no file of the repository: the page helpers are ``backprop.book`` (installed with
  ``pip install "backprop-book[docs]"``), and what the page read from the repository through
  ``backprop.book.repository`` (``page.bp_repository``, found by ``execute_pages.py``) is handed
  back by a first code cell, ``provide({...})``. ``tests/test_notebooks.py`` runs every one from an
  empty folder with only the built wheel installed.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import nbformat

log = logging.getLogger("mkdocs.hooks.notebook_download")

PLUGIN = "mkdocs-jupyter"
HIDE_TAG = "hide-input"
INSTALL = 'pip install "backprop-book[docs]"'
_MD_LINK = re.compile(r"(\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))")
_HTML_LINK = re.compile(r"(\bhref=\")([^\"]+)(\")")


def is_notebook_page(page, config) -> bool:
    plugin = config.plugins.get(PLUGIN)
    return (plugin is not None and page.file.src_uri.endswith((".py", ".ipynb"))
            and plugin.should_include(page.file))


def notebook_name(page) -> str:
    return Path(page.file.src_uri).stem + ".ipynb"


def _absolute(url: str, page, files, site_url: str | None) -> str:
    """A link of the page as an address that works from a downloaded notebook."""
    if not site_url or urlsplit(url).scheme or url.startswith("//"):
        return url
    path, _, anchor = url.partition("#")
    if not path:
        target = page.url
    else:
        src = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), path))
        file = files.get_file_from_path(src)
        if file is None:  # not a page or asset of the book: notebook_links.py reports it
            return url
        target = file.url
    return urljoin(site_url, target) + (f"#{anchor}" if anchor else "")


def _links(markdown: str, page, files, site_url: str | None) -> str:
    fix = lambda m: m.group(1) + _absolute(m.group(2), page, files, site_url) + m.group(3)  # noqa: E731
    return _HTML_LINK.sub(fix, _MD_LINK.sub(fix, markdown))


def make_notebook(source: Path, page, files, site_name: str, site_url: str | None, repository: dict) -> str:
    """The downloadable notebook of a page, as JSON text (nbformat 4, no outputs, stable cell ids)."""
    import jupytext

    page_nb = jupytext.read(source)
    address = urljoin(site_url, page.url) if site_url else page.url
    title = page.title or Path(page.file.src_uri).stem
    cells = [nbformat.v4.new_markdown_cell(
        f"*This notebook is the page [{title}]({address}) of the book {site_name}, made from the page's source "
        f"when the site was built. It runs top to bottom in Jupyter after `{INSTALL}`, with no other file. "
        f"The cells the page hides (they compute the numbers in its sentences, draw its figures and check "
        f"its claims) are collapsed: click one to show it.*")]
    if repository:
        cells.append(nbformat.v4.new_code_cell(
            "# What this page reads from the book's repository, copied when the site was built.\n"
            "from backprop.book.repository import provide\n\n"
            "provide({\n" + "".join(f"    {name!r}: {value!r},\n" for name, value in repository.items()) + "})",
            metadata={"tags": [HIDE_TAG]}))
    for cell in page_nb.cells:
        tags = list(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(_links(cell.source, page, files, site_url)))
        elif cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"tags": tags} if tags else {}))
        else:
            cells.append(nbformat.v4.new_raw_cell(cell.source))
    for i, cell in enumerate(cells, 1):
        cell.id = f"cell-{i}"
        if HIDE_TAG in cell.metadata.get("tags", []):
            cell.metadata["jupyter"] = {"source_hidden": True}
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def on_pre_page(page, config, files):
    if is_notebook_page(page, config):
        page.bp_notebook = notebook_name(page)  # relative to the page's URL (overrides/main.html)
    return page


# The last notebook made for each page and what it was made from: `mkdocs serve` rebuilds every page
# on every edit, and most have not changed.
_made: dict[str, tuple[str, str]] = {}


def on_post_page(output: str, page, config):
    if not getattr(page, "bp_notebook", None):
        return output
    source = Path(page.file.abs_src_path)
    repository = getattr(page, "bp_repository", {}) or {}
    key = json.dumps([source.read_text(encoding="utf-8"), page.url, page.title, config.site_name, config.site_url,
                      repository, sorted(f.src_uri for f in _files["files"].documentation_pages())])
    last = _made.get(page.file.src_uri)
    if last is None or last[0] != key:
        last = _made[page.file.src_uri] = (key, make_notebook(source, page, _files["files"], config.site_name,
                                                                config.site_url, repository))
    text = last[1]
    dest = Path(config.site_dir, page.file.dest_uri).parent / page.bp_notebook
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    return output


_files: dict = {"files": None}


def on_files(files, config):
    _files["files"] = files
    return files
