"""Build the book with ``mkdocs build --strict`` and check what the build promises.

* The whole site builds from scratch (page cache off) with ``--strict``; nothing in it loads from
  off the machine; notebook pages no longer carry Jupyter's CSS inline.
* The generated notebook CSS and copy-button script are what tools/make_notebook_css.py makes now.
* On small throw-away projects (one or two tiny pages, the real mkdocs.yml, hooks and assets): a
  failing check on a page fails the build; a notebook link to a missing page or anchor fails the
  build; notebook links are rewritten to the right URLs; the serve-time cache is keyed on
  ``backprop/``, its data files included.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "mkdocs.yml"
TOOLS = ROOT / "tools"

# Tags and attributes that make a browser fetch something.
# (rel="canonical"/"alternate" links are not fetched; 127.0.0.1 and localhost are this machine.)
_FETCHING = re.compile(
    r"<(script|link|img|iframe|source|video|audio|embed|object)\b"
    r"(?![^>]*\srel=[\"']?(?:canonical|alternate)\b)[^>]*?"
    r"\s(src|href|srcset|data)\s*=\s*[\"']?\s*"
    r"((?:https?:)?//(?!(?:127\.0\.0\.1|localhost)[:/])[^\"'\s>]+)",
    re.I,
)


def _load_config() -> dict:
    from mkdocs.utils.yaml import get_yaml_loader  # understands !ENV

    with CONFIG.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=get_yaml_loader())


def _mkdocs(args: list[str], cwd: Path, cache: bool = False, timeout: int = 900):
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["BACKPROP_DOCS_CACHE"] = "1" if cache else "0"
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _offsite_fetches(site: Path) -> list[str]:
    found = []
    for page in site.rglob("*.html"):
        for m in _FETCHING.finditer(page.read_text(encoding="utf-8")):
            found.append(f"{page.relative_to(site)}: <{m.group(1)} {m.group(2)}={m.group(3)}>")
    return found


# --------------------------------------------------------------------------- the real site


# `built_site` (tests/conftest.py): the whole book built once per session with --strict, shared with
# the browser tests.


def test_site_builds_strict_from_scratch(built_site: Path):
    assert (built_site / "index.html").is_file()
    assert (built_site / "assets" / "stylesheets" / "jupyter.css").is_file()
    assert (built_site / "assets" / "vendor" / "mathjax" / "tex-svg-full.js").is_file()


def test_site_loads_nothing_from_off_the_machine(built_site: Path):
    assert _offsite_fetches(built_site) == []


def test_notebook_pages_do_not_inline_jupyter_css(built_site: Path):
    notebook_pages = [
        page for page in built_site.rglob("*.html")
        if 'class="jupyter-wrapper"' in page.read_text(encoding="utf-8")
    ]
    assert notebook_pages, "no notebook page in the built site"
    for page in notebook_pages:
        html = page.read_text(encoding="utf-8")
        inline_css = sum(len(m) for m in re.findall(r"<style\b.*?</style>", html, re.S))
        assert inline_css < 5_000, f"{page}: {inline_css} bytes of inline CSS"
        assert "x-mathjax-config" not in html
        assert "cdnjs" not in html


def test_generated_notebook_assets_are_up_to_date():
    """jupyter.css and nb-clipboard.js are what tools/make_notebook_css.py makes from the installed
    mkdocs-jupyter and nbconvert (run it after upgrading them)."""
    proc = subprocess.run([sys.executable, str(TOOLS / "make_notebook_css.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --------------------------------------------------------------------------- tiny projects


def _tiny_project(tmp_path: Path, pages: dict[str, str], nav: list | None = None) -> Path:
    """A copy of the real configuration and assets around a few tiny pages, in tmp_path."""
    config = _load_config()
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    config["hooks"] = [str(ROOT / hook) for hook in config["hooks"]]
    config["watch"] = []
    if nav is None:
        config.pop("nav", None)
    else:
        config["nav"] = nav
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs" / "assets", docs / "assets")
    for name, text in pages.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    return tmp_path


_OK_NOTEBOOK = """\
    # %% [markdown]
    # # Notebook
    #
    # See [the other page](other.md), [its section](other.md#a-section) and
    # [itself](notebook.py#computed).

    # %% [markdown]
    # ## Computed

    # %%
    x = 6 * 7
    assert x == 42
"""

_OTHER_MD = """\
    # Other

    ## A section

    Back to [the notebook](notebook.py#computed).
"""


def test_notebook_links_are_rewritten(tmp_path: Path):
    project = _tiny_project(tmp_path, {"notebook.py": _OK_NOTEBOOK, "other.md": _OTHER_MD})
    proc = _mkdocs(["build", "--strict"], cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (project / "site" / "notebook" / "index.html").read_text(encoding="utf-8")
    assert 'href="../other/"' in html
    assert 'href="../other/#a-section"' in html
    assert 'href="./#computed"' in html or 'href="#computed"' in html
    assert 'href="other.md' not in html
    assert _offsite_fetches(project / "site") == []


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        pytest.param(
            {"notebook.py": _OK_NOTEBOOK.replace("(other.md)", "(missing.py)"),
             "other.md": _OTHER_MD},
            "missing.py",
            id="notebook-links-missing-page",
        ),
        pytest.param(
            {"notebook.py": _OK_NOTEBOOK.replace("other.md#a-section", "other.md#no-such"),
             "other.md": _OTHER_MD},
            "no-such",
            id="notebook-links-missing-anchor",
        ),
        pytest.param(
            {"notebook.py": _OK_NOTEBOOK,
             "other.md": _OTHER_MD.replace("notebook.py#computed", "notebook.py#nowhere")},
            "nowhere",
            id="markdown-links-missing-notebook-anchor",
        ),
    ],
)
def test_broken_link_fails_the_build(tmp_path: Path, pages: dict[str, str], expected: str):
    project = _tiny_project(tmp_path, pages)
    proc = _mkdocs(["build", "--strict"], cwd=project)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert expected in output, output


def test_failing_check_fails_the_build(tmp_path: Path):
    page = """\
        # %% [markdown]
        # # Broken

        # %% tags=["hide-input"]
        assert 1 + 1 == 3, "deliberately failing check"
    """
    project = _tiny_project(tmp_path, {"index.md": "# Home\n", "broken.py": page})
    proc = _mkdocs(["build", "--strict"], cwd=project)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "deliberately failing check" in output


def test_serve_cache_is_keyed_on_the_library(tmp_path: Path):
    project = _tiny_project(tmp_path, {"notebook.py": _OK_NOTEBOOK, "other.md": _OTHER_MD})
    library = project / "backprop"
    library.mkdir()
    (library / "__init__.py").write_text("VERSION = 1\n", encoding="utf-8")

    first = _mkdocs(["build", "--strict"], cwd=project, cache=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Cache miss" in first.stdout + first.stderr
    again = _mkdocs(["build", "--strict"], cwd=project, cache=True)
    assert again.returncode == 0, again.stdout + again.stderr
    log = again.stdout + again.stderr
    assert "Cache hit" in log and "Cache miss" not in log, log

    (library / "__init__.py").write_text("VERSION = 2\n", encoding="utf-8")
    changed = _mkdocs(["build", "--strict"], cwd=project, cache=True)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert "Cache miss" in changed.stdout + changed.stderr, "a library change must re-execute the pages"
    caches = [p for p in (project / ".cache" / "mkdocs-jupyter").iterdir() if p.is_dir()]
    assert len(caches) == 1, caches


def test_serve_cache_is_keyed_on_library_data(tmp_path: Path):
    """Editing a data file under backprop/ (such as backprop/data/iris.csv) re-executes the pages."""
    project = _tiny_project(tmp_path, {"notebook.py": _OK_NOTEBOOK, "other.md": _OTHER_MD})
    data = project / "backprop" / "data"
    data.mkdir(parents=True)
    (project / "backprop" / "__init__.py").write_text("", encoding="utf-8")
    (data / "iris.csv").write_text("5.1,3.5,1.4,0.2,setosa\n", encoding="utf-8")

    first = _mkdocs(["build", "--strict"], cwd=project, cache=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Cache miss" in first.stdout + first.stderr
    (data / "iris.csv").write_text("5.1,3.5,1.4,0.3,setosa\n", encoding="utf-8")
    changed = _mkdocs(["build", "--strict"], cwd=project, cache=True)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    log = changed.stdout + changed.stderr
    assert "Cache miss" in log and "Cache hit" not in log, "a data change must re-execute the pages"
