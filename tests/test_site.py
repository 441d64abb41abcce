"""Build the book with ``mkdocs build --strict`` and check what the build promises.

* The whole site builds from scratch (page cache off) with ``--strict``; nothing in it loads from
  off the machine; notebook pages no longer carry Jupyter's CSS inline; the math is HTML (KaTeX)
  with no TeX left in the text, no math script, and the search index holds no TeX and no "¶".
* The generated notebook CSS and copy-button script are what tools/make_notebook_css.py makes now.
* The math hook (tools/hooks/katex_math.py), unit by unit: what is typeset and what is left alone,
  display or inline, punctuation kept with its formula, readable search text, errors and warnings.
* On small throw-away projects (one or two tiny pages, the real mkdocs.yml, hooks and assets): a
  failing check on a page fails the build; a formula KaTeX cannot typeset fails it, naming page and
  formula; a notebook link to a missing page or anchor fails it; notebook links are rewritten to the
  right URLs; the serve-time cache is keyed on ``backprop/``, its data files included; in one
  ``mkdocs serve`` process an edit to a page's text, formula or code shows at the next rebuild.
"""

from __future__ import annotations

import html.parser
import importlib.util
import json
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


def _mkdocs(args: list[str], cwd: Path, cache: bool = False, timeout: int = 900, env: dict | None = None):
    env = {**os.environ, **(env or {})}
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
    for served in ("assets/stylesheets/jupyter.css", "assets/javascripts/nb-clipboard.js",
                   "assets/vendor/katex/katex.min.css", "assets/vendor/katex/fonts/KaTeX_Main-Regular.woff2"):
        assert (built_site / served).is_file(), served
    # KaTeX's script runs at build time only.
    assert not (built_site / "assets" / "vendor" / "katex" / "katex.min.js").exists()
    assert not list(built_site.rglob("*mathjax*")), "MathJax is gone: math is typeset at build time"


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


class _Text(html.parser.HTMLParser):
    """The text of a page outside code (and whether it has KaTeX output, KaTeX errors, scripts)."""

    _SKIP = {"pre", "code", "script", "style", "textarea", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.katex, self.errors, self.scripts, self._skip = [], 0, 0, [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        self.katex += "katex" in classes
        self.errors += "katex-error" in classes
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        self._skip += tag in self._SKIP

    def handle_endtag(self, tag):
        self._skip -= tag in self._SKIP and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


_TEX_LEFT = re.compile(r"\$\$|\\\(|\\\[|\$[^$\n]{1,200}?\$|\\(?:frac|partial|mathbf|sum|delta|sigma|left)\b")


def test_math_is_html_when_the_page_arrives(built_site: Path):
    """Every page's math is typeset in its HTML: no TeX left in the text outside code, no KaTeX
    error, no math script; every page whose source has math shows KaTeX output."""
    problems = []
    sources = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.py")}
    for page in sorted(built_site.rglob("*.html")):
        parsed = _Text()  # (the hidden copy text of a code cell is code)
        parsed.feed(re.sub(r'<div class="clipboard-copy-txt"[^>]*>.*?</div>', "", page.read_text(encoding="utf-8"),
                           flags=re.S))
        text = "".join(parsed.text)
        rel = page.relative_to(built_site).as_posix()
        for m in list(_TEX_LEFT.finditer(text))[:3]:
            problems.append(f"{rel}: TeX left as text: ...{text[max(0, m.start() - 30): m.end() + 30]!r}...")
        if parsed.errors:
            problems.append(f"{rel}: {parsed.errors} KaTeX errors")
        problems += [f"{rel}: math script {src}" for src in parsed.scripts if re.search(r"mathjax|katex", src, re.I)]
        stem = rel.split("/")[0]
        if stem in sources and "$" in sources[stem] and not parsed.katex:
            problems.append(f"{rel}: the page's source has math, the page no typeset formula")
    assert not problems, "\n".join(problems)


def test_search_index_holds_no_tex_and_no_pilcrow(built_site: Path):
    """Material's search index: formulas as readable text, headings without nbconvert's "¶"."""
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    bad = []
    for doc in index["docs"]:
        for field in ("title", "text"):
            prose = re.sub(r"<(pre|code)>.*?</\1>", "", doc[field], flags=re.S)  # code may show TeX on purpose
            for m in re.finditer(r"\$|\\[A-Za-z]{2,}|\\[()\[\]]|¶", prose):
                bad.append(f"{doc['location']} ({field}): ...{prose[max(0, m.start() - 40): m.end() + 40]}...")
    assert not bad, f"{len(bad)} places:\n" + "\n".join(bad[:20])
    assert any("δ" in doc["text"] for doc in index["docs"]), "no formula reached the index as text"


def test_generated_notebook_assets_are_up_to_date():
    """jupyter.css and nb-clipboard.js are what tools/make_notebook_css.py makes from the installed
    mkdocs-jupyter and nbconvert (run it after upgrading them)."""
    proc = subprocess.run([sys.executable, str(TOOLS / "make_notebook_css.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --------------------------------------------------------------------------- the math hook, unit by unit


@pytest.fixture(scope="module")
def katex_math():
    spec = importlib.util.spec_from_file_location("katex_math_under_test", TOOLS / "hooks" / "katex_math.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    module.on_shutdown()


def _typeset(module, source: str):
    return module.typeset(source, str(ROOT / "docs"), "page.py")


def test_math_is_typeset_where_it_is_text_and_never_in_code(katex_math):
    source = ('<p>Inline $a^{(l)}$ and display</p><p>$$\\frac{1}{N}$$</p>'
              '<pre>$x$</pre><code>\\(y\\)</code><div class="clipboard-copy-txt">$z$</div>'
              '<span class="arithmatex">\\(w\\)</span><div class="arithmatex">\\[v\\]</div>')
    html, search_text, warnings = _typeset(katex_math, source)
    assert warnings == []
    assert "<pre>$x$</pre>" in html and "<code>\\(y\\)</code>" in html and ">$z$</div>" in html
    assert "$z$" not in search_text  # the copy text repeats the visible code: not indexed twice
    assert html.count('class="katex"') == 4 and html.count('class="katex-display"') == 2
    assert "$" not in html.replace("<pre>$x$</pre>", "").replace(">$z$</div>", "")
    assert "<annotation" not in html  # the TeX source is not shipped


def test_sympy_output_is_display_math(katex_math):
    html, _, _ = _typeset(katex_math, '<div class="jp-RenderedLatex jp-OutputArea-output">\n'
                                      '$\\displaystyle \\frac{d}{dz} \\sigma{\\left(z \\right)}$\n</div>'
                                      '<p>text $\\displaystyle x$ text</p>')
    assert html.count('class="katex-display"') == 1  # SymPy's output; $\\displaystyle$ in prose stays inline


def test_punctuation_after_inline_math_stays_with_its_last_piece(katex_math):
    html, _, _ = _typeset(katex_math, "<p>so $a = b + c$, and $x$).</p><p>$y$ z</p>")
    glued = re.findall(r'<span class="bp-math-nowrap">(.*?)(</span>[,.)]+</span>)', html)
    assert len(glued) == 2, html
    long_tail = glued[0][0]  # only the last piece (c) of a = b + c, so the formula can still break
    assert long_tail.count('class="katex-base"') == 1 and ">c<" in long_tail and ">a<" not in long_tail
    assert html.count("bp-math-nowrap") == 2  # "$y$ z": nothing to keep together


def test_search_text_is_readable(katex_math):
    _, text, _ = _typeset(katex_math, r"<p>$\delta^{(l)} = \frac{\partial \mathcal{L}}{\partial Z^{(l)}}$, "
                                      r"$\hat y_{ik}$ and $\sum_{i=1}^{N} x_i$</p>")
    assert text == "<p>δ^(l) = ∂ℒ/∂Z^(l), y\u0302_ik and ∑_(i=1)^N x_i</p>"


def test_bad_formula_names_page_and_formula(katex_math):
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match=r"page\.py.*`\\require\{x\}`.*Undefined control sequence"):
        _typeset(katex_math, r"<p>fine $x$, broken $\require{x}$</p>")


@pytest.mark.parametrize("source", [r"<p>costs $5 and $x</p>", r"<p>an open \(x</p>", "<p>$$x</p>"])
def test_unmatched_delimiter_is_a_warning(katex_math, source):
    _, _, warnings = _typeset(katex_math, source)
    assert len(warnings) == 1 and "page.py" in warnings[0] and "without a partner" in warnings[0], warnings


@pytest.mark.parametrize(("tex", "fonts"), [
    ("x", {"Main-Regular", "Math-Italic"}),
    ("2", {"Main-Regular"}),
    (r"\mathbf{W}^\top", {"Main-Regular", "Main-Bold"}),
    (r"\mathcal{L} = \left(\sum_i a_i\right)", {"Main-Regular", "Math-Italic", "Caligraphic-Regular", "Size1-Regular"}),
    (r"\displaystyle \sum_i \Bigl( \frac{1}{2} \Bigr)", {"Main-Regular", "Math-Italic", "Size2-Regular"}),
])
def test_fonts_to_preload_are_the_faces_the_math_uses(katex_math, tex, fonts):
    html, _, _ = _typeset(katex_math, f"<p>${tex}$</p>")
    found = katex_math.fonts_used(html, str(ROOT / "docs"))
    assert {f.removeprefix("fonts/KaTeX_").removesuffix(".woff2") for f in found} == fonts
    assert katex_math.fonts_used("<p>no math</p>", str(ROOT / "docs")) == []


def test_escaped_dollar_is_a_dollar(katex_math):
    html, _, warnings = _typeset(katex_math, r"<p>it costs \$5, and \$6</p>")
    assert (html, warnings) == ("<p>it costs $5, and $6</p>", [])


# --------------------------------------------------------------------------- tiny projects


def _tiny_project(tmp_path: Path, pages: dict[str, str], nav: list | None = None) -> Path:
    """A copy of the real configuration and assets around a few tiny pages, in tmp_path."""
    config = _load_config()
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    config["hooks"] = [str(ROOT / hook) for hook in config["hooks"]]
    if "custom_dir" in config["theme"]:
        config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
    config["watch"] = []
    config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
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
    assert "broken.py: code cell 1 (from line 4) failed" in output, output


def _processes_in(folder: Path) -> list[str]:
    """Processes whose working directory is ``folder`` (a project's kernels run there)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if Path(os.readlink(proc / "cwd")) == folder.resolve():
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append(f"{proc.name}: {command[:200]}")
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc to find the kernels left behind")
def test_failing_page_stops_the_build_at_once_and_its_kernels(tmp_path: Path):
    """A page failing while an earlier page of the navigation still runs (for ten minutes) fails the
    build without waiting for it, and no kernel of the project is left running."""
    slow = """\
        # %% [markdown]
        # # Slow

        # %%
        import time
        time.sleep(600)
    """
    broken = """\
        # %% [markdown]
        # # Broken

        # %%
        x = 1

        # %%
        assert x == 2, "deliberately failing check"
    """
    project = _tiny_project(tmp_path, {"index.md": "# Home\n", "slow.py": slow, "broken.py": broken, "later.py": slow},
                            nav=["index.md", "slow.py", "broken.py", "later.py"])
    proc = _mkdocs(["build", "--strict"], cwd=project, timeout=400,  # (the slow page alone needs 600 s)
                   env={"BACKPROP_BUILD_JOBS": "2"})
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "broken.py: code cell 2 (from line 7) failed" in output and "deliberately failing check" in output, output
    assert _processes_in(project) == []


def test_pages_run_at_the_same_time(tmp_path: Path):
    """With two pages at a time, two pages that each wait for the other both finish: neither can
    finish unless both run at once."""
    page = """\
        # %% [markdown]
        # # Page {me}

        # %%
        import time
        from pathlib import Path
        Path("{me}.flag").touch()
        deadline = time.monotonic() + 120
        while not Path("{other}.flag").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Path("{other}.flag").exists(), "page {other} did not run while page {me} was running"
    """
    project = _tiny_project(tmp_path, {"index.md": "# Home\n", "a.py": page.format(me="a", other="b"),
                                       "b.py": page.format(me="b", other="a")})
    env = {"BACKPROP_BUILD_JOBS": "2"}
    proc = _mkdocs(["build", "--strict"], cwd=project, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


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


def test_formula_katex_cannot_typeset_fails_the_build(tmp_path: Path):
    page = """\
        # %% [markdown]
        # # Broken math
        #
        # Fine $x^2$, then $\\frac{1}{2$ with a brace missing.
    """
    project = _tiny_project(tmp_path, {"index.md": "# Home\n", "broken.py": page})
    proc = _mkdocs(["build", "--strict"], cwd=project)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "broken.py" in output and "\\frac{1}{2" in output, output


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


# A `mkdocs serve` session in one process (as serve runs it: on_startup("serve") once, the
# configuration loaded again for each rebuild, the hooks and their in-process caches kept), with
# the page edited between builds. Prints what each build wrote: the page's HTML and the search index.
_SERVE_SESSION = """\
import json, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config

page, site = Path("docs/notebook.py"), Path("site")
edits = json.loads(sys.argv[1])
config = load_config(config_file="mkdocs.yml", site_dir=str(site), strict=True)
config.plugins.on_startup(command="serve", dirty=False)
shown = []
try:
    for i, (old, new) in enumerate([("", "")] + edits):
        if i:
            page.write_text(page.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
            config = load_config(config_file="mkdocs.yml", site_dir=str(site), strict=True)
        build(config, serve_url="http://127.0.0.1:8000/")
        shown.append({"html": (site / "notebook" / "index.html").read_text(encoding="utf-8"),
                      "search": (site / "search" / "search_index.json").read_text(encoding="utf-8")})
finally:
    config.plugins.on_shutdown()
print(json.dumps(shown))
"""

_SERVED_NOTEBOOK = """\
    # %% [markdown]
    # # Notebook
    #
    # Cached words: the formula $x^{2}$ and a word, pumpkin.

    # %%
    x = 6 * 7
    print(f"computed {x}")
"""


def test_serve_rebuilds_show_every_edit(tmp_path: Path):
    """Under serve, an edit to a page's text, to a formula and to its code shows up in the page and
    in the search index at the next rebuild (the page cache, KaTeX's per-formula results and the
    search entries are reused only for what did not change); an unchanged rebuild changes nothing."""
    project = _tiny_project(tmp_path, {"index.md": "# Home\n", "notebook.py": _SERVED_NOTEBOOK})
    (project / "session.py").write_text(_SERVE_SESSION, encoding="utf-8")
    edits = [["pumpkin", "pumpkin"], ["pumpkin", "turnip"], ["x^{2}", "y_{3}"], ["6 * 7", "6 * 9"]]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("BACKPROP_DOCS_CACHE", None)  # serve's default: the page cache on
    proc = subprocess.run([sys.executable, "session.py", json.dumps(edits)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    first, same, word, formula, code = json.loads(proc.stdout.strip().splitlines()[-1])

    def words(build):
        return " ".join(e["text"] for e in json.loads(build["search"])["docs"])

    assert same == first
    assert "pumpkin" in words(first) and "turnip" not in words(first)
    assert "turnip" in words(word) and "pumpkin" not in words(word) and "turnip" in word["html"]
    # The formula: KaTeX's output for y_3 (a subscript 3), none left for x^2 (a superscript 2).
    assert re.search(r'<mi>y</mi><mn>3</mn></msub>', formula["html"]) and "<msup><mi>x</mi>" not in formula["html"]
    assert "<msup><mi>x</mi>" in word["html"]
    assert "y_3" in words(formula) and "x^2" not in words(formula)
    assert "computed 54" in code["html"] and "computed 42" not in code["html"]
    assert "computed 42" in formula["html"]


def test_search_entries_are_reused_only_for_an_unchanged_page():
    from types import SimpleNamespace

    from material.plugins.search.plugin import SearchIndex

    spec = importlib.util.spec_from_file_location("search_cache", TOOLS / "hooks" / "search_cache.py")
    search_cache = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(search_cache)
    parsed = []

    def original(self, page):  # Material's method, counting its parses
        parsed.append(page.content)
        self.entries.append({"location": page.url, "title": str(page.title), "text": page.content})

    add = search_cache.cached_add_entry(original)

    def page(content, title="T", toc=()):
        return SimpleNamespace(content=content, url="p/", title=title, toc=list(toc), meta={})

    def index(p):
        idx = SearchIndex()
        add(idx, p)
        return idx.entries

    first = index(page("<p>one</p>"))
    assert index(page("<p>one</p>")) == first and parsed == ["<p>one</p>"]
    assert index(page("<p>two</p>"))[0]["text"] == "<p>two</p>"
    assert index(page("<p>two</p>", title="U"))[0]["title"] == "U"
    heading = SimpleNamespace(id="h", url="#h", title="H", level=2, children=[])
    index(page("<p>two</p>", title="U", toc=[heading]))
    assert len(parsed) == 4  # content, title and table of contents are each part of the key


def test_serve_spare_kernel_preloads_installed_packages_only(monkeypatch):
    """The spare kernel of `mkdocs serve` (and the zygote) waits with modules imported: never the
    project's own (an edit under backprop/ would leave it holding the old code). A build preloads
    nothing unless asked; BACKPROP_BUILD_PRELOAD overrides both (empty: nothing)."""
    spec = importlib.util.spec_from_file_location("execute_pages", TOOLS / "hooks" / "execute_pages.py")
    execute_pages = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "execute_pages", execute_pages)  # (its dataclasses look it up)
    spec.loader.exec_module(execute_pages)
    monkeypatch.delenv("BACKPROP_BUILD_PRELOAD", raising=False)
    serve = execute_pages.preload_from_env(serve=True)
    assert serve and not any(m.split(".")[0] == "backprop" for m in serve)
    assert all(importlib.util.find_spec(m) for m in serve)
    assert execute_pages.preload_from_env(serve=False, fork=True) == serve  # (the zygote lives as long)
    assert execute_pages.preload_from_env(serve=False) == ()
    monkeypatch.setenv("BACKPROP_BUILD_PRELOAD", "")
    assert execute_pages.preload_from_env(serve=True) == ()
    monkeypatch.setenv("BACKPROP_BUILD_PRELOAD", "numpy, sympy")
    assert execute_pages.preload_from_env(serve=False) == ("numpy", "sympy")


def test_compiled_templates_are_shared_only_while_source_and_settings_match(tmp_path: Path):
    import jinja2

    spec = importlib.util.spec_from_file_location("template_cache", TOOLS / "hooks" / "template_cache.py")
    template_cache = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(template_cache)
    (tmp_path / "t.html").write_text("{{ x }}!", encoding="utf-8")
    cache = template_cache.MemoryBytecodeCache()
    compiled = []

    class Counting(jinja2.Environment):
        def compile(self, *args, **kwargs):
            compiled.append(args[0])
            return super().compile(*args, **kwargs)

    def render(**settings):
        env = Counting(loader=jinja2.FileSystemLoader(tmp_path), bytecode_cache=cache, **settings)
        return env.get_template("t.html").render(x=1)

    assert render() == "1!" and render() == "1!" and len(compiled) == 1  # the second environment reuses it
    (tmp_path / "t.html").write_text("{{ x }}?", encoding="utf-8")
    assert render() == "1?" and len(compiled) == 2  # an edited template is compiled again
    assert render(variable_start_string="{{ ", variable_end_string=" }}") == "1?" and len(compiled) == 3
    assert len(cache.store) == 2  # one entry per (settings, template): the edit replaced the first
