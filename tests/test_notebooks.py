"""Every page's downloadable notebook runs on its own, and the page offers it.

* Each notebook page of the built site (``built_site``, tests/conftest.py) has its ``.ipynb`` next to
  it and a "Download notebook" link to it; Markdown pages have neither.
* Every notebook is executed as a reader would after ``pip install "backprop-book[docs]"``: the
  package is the wheel built from this repository (``pip wheel``, unpacked in a temporary folder),
  the kernel's ``sys.path`` holds no folder of the repository (the editable install's entry is
  removed) and its working directory is a fresh empty folder per notebook. A first cell checks
  that, then the notebook runs top to bottom (nbclient; ``allow_errors`` off), several at a time.
* What a notebook carries from the repository (``backprop.book.repository``) is what the repository
  holds: the copy of each JSON file equals the file.
* In Chromium (tests/test_browser.py's browser): the button is on screen at 1280 and 390 px in both
  schemes, reachable with the Tab key, and Enter on it downloads the page's notebook.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from test_browser import CHROMIUM, PHONE, WIDE, Tab, browser  # noqa: F401  (browser is a fixture)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
KERNEL = "bp-wheel"
CELL_TIMEOUT_S = 600
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _nav_sources() -> dict[str, str]:
    """Page source (``notation.py``) -> its site folder (``notation/``), for every page in mkdocs.yml's nav."""
    import yaml
    from mkdocs.utils.yaml import get_yaml_loader

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=get_yaml_loader())
    found: dict[str, str] = {}

    def walk(items):
        for item in items:
            for value in (item.values() if isinstance(item, dict) else [item]):
                if isinstance(value, list):
                    walk(value)
                else:
                    stem = value.rsplit(".", 1)[0]
                    found[value] = "" if stem == "index" else f"{stem}/"

    walk(config["nav"])
    return found


SOURCES = _nav_sources()
NOTEBOOK_PAGES = sorted(src for src in SOURCES if src.endswith(".py"))


def _notebook(site: Path, src: str) -> Path:
    return site / SOURCES[src] / (Path(src).stem + ".ipynb")


# --------------------------------------------------------------------------- the built site


def test_every_notebook_page_offers_its_notebook(built_site: Path):
    assert NOTEBOOK_PAGES, "no .py page in mkdocs.yml's nav"
    problems = []
    for src, folder in SOURCES.items():
        html = (built_site / folder / "index.html").read_text(encoding="utf-8")
        links = [line for line in html.splitlines() if "bp-notebook-download" in line and "<a " in line]
        notebooks = sorted(p.name for p in (built_site / folder).glob("*.ipynb")) if folder else \
            sorted(p.name for p in built_site.glob("*.ipynb"))
        if src.endswith(".py"):
            name = Path(src).stem + ".ipynb"
            if notebooks != [name]:
                problems.append(f"{src}: notebooks next to the page: {notebooks}, expected [{name}]")
            if len(links) != 1 or f'href="{name}"' not in links[0] or " download" not in links[0]:
                problems.append(f"{src}: no single download link to {name}: {links}")
        elif links or notebooks:
            problems.append(f"{src} (Markdown): has a notebook button or file: {links} {notebooks}")
    assert not problems, "\n".join(problems)


def _provided(nb: dict) -> dict:
    """The values a notebook's provide({...}) cell hands back, or {}."""
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "provide({" in source:
            call = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
                        and getattr(n.func, "id", "") == "provide")
            return ast.literal_eval(call.args[0])
    return {}


def test_notebooks_have_the_pages_cells_and_no_outputs(built_site: Path):
    import jupytext

    for src in NOTEBOOK_PAGES:
        nb = json.loads(_notebook(built_site, src).read_text(encoding="utf-8"))
        page = jupytext.read(DOCS / src)
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(c["outputs"] == [] and c["execution_count"] is None for c in code), src
        sources = ["".join(c["source"]) for c in code if "provide({" not in "".join(c["source"])]
        assert sources == [c.source for c in page.cells if c.cell_type == "code"], f"{src}: code cells differ"
        hidden = [c for c in code if "hide-input" in c["metadata"].get("tags", [])]
        assert all(c["metadata"]["jupyter"]["source_hidden"] for c in hidden), src
        text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        assert ".py)" not in text and ".py#" not in text, f"{src}: a link to a page source is left"


def test_repository_data_in_notebooks_is_the_repositorys(built_site: Path):
    """Page and notebook read the same data: each JSON file a notebook carries equals the file."""
    compared = []
    for src in NOTEBOOK_PAGES:
        for name, value in _provided(json.loads(_notebook(built_site, src).read_text(encoding="utf-8"))).items():
            path = ROOT / name
            if name.endswith(".json") and path.is_file():
                assert value == json.loads(path.read_text(encoding="utf-8")), f"{src}: {name} differs"
                compared.append((src, name))
    assert ("performance.py", "benchmarks/results.json") in compared, compared
    assert ("verify.py", "benchmarks/book-build.json") in compared, compared


def test_repository_reads_are_remembered_and_provided_copies_win(tmp_path: Path, monkeypatch):
    from backprop.book import repository

    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.json").write_text('{"x": [1, 2.5]}', encoding="utf-8")
    monkeypatch.chdir(tmp_path / "data")  # the root is found upwards
    assert repository.read_json("data/a.json") == {"x": [1, 2.5]}
    assert repository.recorded()["data/a.json"] == {"x": [1, 2.5]}
    repository.provide({"test: copy": {"y": 1}})
    assert repository.from_repository("test: copy", lambda root: pytest.fail("read ran despite a copy")) == {"y": 1}
    with pytest.raises(TypeError, match="test: tuple.*JSON"):
        repository.from_repository("test: tuple", lambda root: (1, 2))
    with pytest.raises(TypeError, match="test: nan"):
        repository.from_repository("test: nan", lambda root: float("nan"))
    monkeypatch.chdir(tmp_path.parent)
    with pytest.raises(FileNotFoundError, match="mkdocs.yml.*download"):
        repository.from_repository("test: no repository", lambda root: 1)


# --------------------------------------------------------------------------- running them


_LAUNCHER = '''\
"""Start an IPython kernel without the repository on sys.path (the editable install adds it)."""
import sys

REPOSITORY = {repository!r}
sys.path[:] = [p for p in sys.path if p.rstrip("/") != REPOSITORY]
from ipykernel import kernelapp

kernelapp.launch_new_instance()
'''

_CHECK = '''\
import os, sys
import backprop
repository = {repository!r}
assert backprop.__file__.startswith({wheel!r}), backprop.__file__
assert not [p for p in sys.path if p.rstrip("/") == repository or p.startswith(repository + "/")
            and not p.startswith(sys.prefix)], sys.path
assert os.listdir(".") == [], os.listdir(".")
'''


@pytest.fixture(scope="module")
def wheel_kernel(tmp_path_factory):
    """A kernel spec whose kernels import backprop from the wheel built from this repository."""
    base = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "-w", str(base / "dist"), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"pip wheel failed (hatchling is in the test extra):\n{proc.stdout}{proc.stderr}"
    (wheel,) = (base / "dist").glob("*.whl")
    site = base / "site-packages"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    launcher = base / "launch_kernel.py"
    launcher.write_text(_LAUNCHER.format(repository=str(ROOT)), encoding="utf-8")
    spec = base / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(launcher), "-f", "{connection_file}"],
        "display_name": "backprop-book wheel", "language": "python",
        "env": {"PYTHONPATH": str(site)},
    }), encoding="utf-8")
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(base / "jupyter")
    yield site
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


async def _run(path: Path, cwd: Path, check: str, slots: asyncio.Semaphore) -> str | None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(check))
    async with slots:
        client = NotebookClient(nb, kernel_name=KERNEL, timeout=CELL_TIMEOUT_S, allow_errors=False,
                                resources={"metadata": {"path": str(cwd)}})
        try:
            await client.async_execute()
        except Exception as e:
            failing = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and any(
                o.get("output_type") == "error" for o in c.get("outputs", []))), None)
            where = "the set-up check" if failing == 0 else f"cell {failing} of the notebook (all cells counted)"
            return f"{path.name}: {where} failed:\n{textwrap.indent(_ANSI.sub('', str(e))[-3000:], '    ')}"
    return None


@pytest.fixture(scope="module")
def notebook_runs(built_site: Path, wheel_kernel: Path, tmp_path_factory) -> dict[str, str | None]:
    """Every page's notebook executed, os.cpu_count() at a time: page source -> error or None."""
    check = _CHECK.format(repository=str(ROOT), wheel=str(wheel_kernel))
    folders = {src: tmp_path_factory.mktemp(Path(src).stem) for src in NOTEBOOK_PAGES}

    async def run_all():
        slots = asyncio.Semaphore(os.cpu_count() or 1)
        results = await asyncio.gather(*(_run(_notebook(built_site, src), folders[src], check, slots)
                                         for src in NOTEBOOK_PAGES))
        return dict(zip(NOTEBOOK_PAGES, results, strict=True))

    return asyncio.run(run_all())


@pytest.mark.parametrize("src", NOTEBOOK_PAGES)
def test_notebook_runs_from_an_empty_folder_with_only_the_wheel(notebook_runs, src: str):
    assert notebook_runs[src] is None, notebook_runs[src]


# --------------------------------------------------------------------------- the button, in Chromium

BUTTON = "a.bp-notebook-download"
BUTTON_PAGE = "worked-example-111/"


@pytest.mark.parametrize(("scheme", "width"), [("light", WIDE), ("dark", WIDE), ("light", PHONE), ("dark", PHONE)])
def test_download_button_on_screen_and_by_keyboard(browser, built_site: Path, site_server,  # noqa: F811
                                                   scheme: str, width: int):
    tab = Tab(browser, site_server.url, scheme, width)
    try:
        tab.visit(BUTTON_PAGE)
        button = tab.page.locator(BUTTON)
        assert button.count() == 1
        box = button.bounding_box()
        assert box and box["width"] > 20 and box["height"] >= 20, box
        assert 0 <= box["x"] and box["x"] + box["width"] <= width, (box, width)
        assert button.inner_text().strip() == "Download notebook"
        colours = tab.page.evaluate("""(sel) => {
            const el = document.querySelector(sel);
            let bg = null;
            for (let n = el; n && !bg; n = n.parentElement) {
              const c = getComputedStyle(n).backgroundColor;
              if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') bg = c;
            }
            return [getComputedStyle(el).color, bg || getComputedStyle(document.body).backgroundColor];
        }""", BUTTON)
        assert _contrast(*colours) >= 4.5, (scheme, colours)
        for _ in range(60):  # Tab through the page until the button has the focus
            tab.page.keyboard.press("Tab")
            if tab.page.evaluate(f"document.activeElement.matches({BUTTON!r})"):
                break
        else:
            pytest.fail("the Tab key never reached the download button")
        with tab.page.expect_download() as download:
            tab.page.keyboard.press("Enter")
        got = download.value
        assert got.suggested_filename == "worked-example-111.ipynb"
        saved = json.loads(Path(got.path()).read_text(encoding="utf-8"))
        assert saved == json.loads(_notebook(built_site, "worked-example-111.py").read_text(encoding="utf-8"))
        assert not tab.problems, tab.problems
    finally:
        tab.context.close()


def _contrast(fg: str, bg: str) -> float:
    def rgb(css: str) -> list[float]:
        return [float(v) for v in css[css.index("(") + 1: css.index(")")].split(",")[:3]]

    def luminance(c: list[float]) -> float:
        lin = [v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted([luminance(rgb(fg)), luminance(rgb(bg))], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_figure_colours_outside_the_site(browser):  # noqa: F811
    """In a notebook (no book.css, no Material scheme on <body>) a figure's lines and text still get
    colours, from Jupyter's variables where they exist: none of them falls back to 'none'."""
    from backprop.book.pages import svg_figure_html

    def draw(fig):
        ax = fig.subplots()
        ax.plot([0, 1, 2], [2, 0, 1], label="loss")
        ax.set_xlabel("epoch")

    html = svg_figure_html(draw, alt="A line that falls, then rises.")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(f"<html><body style='--jp-content-font-color1: rgb(1, 2, 3)'>{html}</body></html>")
        line, label = page.evaluate("""() => {
            const styled = (sel, v) => [...document.querySelectorAll(sel)]
                .find(el => (el.getAttribute('style') || '').includes(v));
            const line = styled('svg path', '--bp-c0'), text = styled('svg g', '--bp-fg');
            return [getComputedStyle(line).stroke, getComputedStyle(text).fill];
        }""")
    finally:
        context.close()
    assert line == "rgb(9, 105, 218)", line  # C0 of the light scheme
    assert label == "rgb(1, 2, 3)", label  # Jupyter's text colour
