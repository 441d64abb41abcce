"""The book as a reader gets it: the built site, served on 127.0.0.1 and driven in Chromium.

Static checks of the built site (no browser needed): every internal link and ``#anchor`` resolves;
every page's HTML stays within its budgets; every page of the book is one the browser visits.

In Debian's Chromium (``/usr/bin/chromium``, driven by Playwright; never a downloaded browser build),
with the probes of ``tests/reader_probes.js``:

* every page, light and dark at 1280 px, light at 390 px (and dark at 390 px for the key pages):
  no raw TeX on screen, no KaTeX error, KaTeX's fonts loaded, every SVG ``<use>`` resolves; every
  display formula at its natural size, SymPy's output centred like $$ math, solutions at the text
  size; nothing wider than the viewport without its own scroll
  container, no scroll container in a scroll container, no stray vertical scrollbar; every table in
  one scroll container, numbers right-aligned in tabular figures, words left-aligned, no minimum
  column width; figure text at least 11 px as drawn; at 1280 px no line starting with punctuation
  orphaned from the inline formula before it; no console error or failed request, nothing from off
  the machine, images loaded with alt text, figures with role=img and a label, headings in order,
  text and link contrast >= 4.5;
* every page reached from the home page by clicking its sidebar link (instant navigation), checked
  as above for math after each click;
* every page at first paint with all scripts blocked: no raw TeX (math is HTML before any script);
* search ("delta"): result text without TeX source or "¶"; search ("sigmoid") finds its chapter;
* the palette toggle; the bytes of a first visit to every page (1.0 MB budget, search index and
  fonts included) and of the next page by instant navigation.

Screenshots go to ``test-output/screenshots/`` (1280 px light and dark of the pages in
SCREENSHOT_PAGES; 390 px light and dark of KEY_PAGES; first paint without scripts of KEY_PAGES),
page weights to ``test-output/page-weight.txt``. Without Chromium these tests skip, saying how to
install it; in CI (``CI=true``) they fail.
"""

from __future__ import annotations

import gzip
import html
import html.parser
import os
import re
import urllib.parse
from pathlib import Path

import pytest

from backprop.book.pages import MIN_TEXT_PX

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
PROBES = (Path(__file__).with_name("reader_probes.js")).read_text(encoding="utf-8")

CHROMIUM = Path(os.environ.get("BACKPROP_CHROMIUM", "/usr/bin/chromium"))
# Playwright adds --headless and --no-sandbox and a fresh temporary profile (--user-data-dir) itself.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no calls home: this machine's network is closed
    "--disable-component-update",
    "--disable-sync",
]
SCHEMES = {"light": "default", "dark": "slate"}  # emulated prefers-color-scheme -> Material's scheme
WIDE, PHONE = 1280, 390  # viewport widths: a desktop with both sidebars, a phone
SEARCH_TARGET = "activation-functions/"  # the chapter that searching "sigmoid" must find
KEY_PAGES = ("backpropagation/", "gradient-checking/", "classification/")  # also at 390 px dark
SCREENSHOT_PAGES = re.compile(r"^(?:|worked-example[\w-]*/|activation-functions/|errata/|backpropagation/|"
                              r"gradient-checking/|classification/)$")
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal text

# Page weight budgets, in bytes.
MARKUP_BUDGET = 300_000  # a page's HTML without figures and math: text, tables, code, navigation
FIGURE_BUDGET = 150_000  # one figure: an inline SVG (backprop.book.figure)
PAGE_GZIP_BUDGET = 150_000  # a page's whole HTML, gzip -6: what a compressing host sends for it
FIRST_VISIT_BUDGET = 1_000_000  # first visit to any page, uncompressed: page, theme, search index, fonts
NEXT_PAGE_BUDGET = 600_000  # next page by instant navigation, uncompressed: its HTML (and fonts it adds)


# --------------------------------------------------------------------------- pages of the book


def _excluded_docs() -> list[str]:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    block = re.search(r"^exclude_docs:\s*\|\n((?:[ \t]+\S.*\n?)+)", text, re.M)
    return [line.strip().rstrip("/") for line in block.group(1).splitlines()] if block else []


def _page_paths() -> list[str]:
    """Site paths of the book's pages ("" for home), from the page sources under docs/."""
    excluded = set(_excluded_docs())
    paths = []
    for src in sorted(DOCS.rglob("*")):
        rel = src.relative_to(DOCS)
        if src.suffix not in {".md", ".py"} or not src.is_file():
            continue
        if rel.as_posix() in excluded or any(p.startswith(("_", ".")) or p in excluded for p in rel.parts):
            continue
        if rel.parts[0] == "assets":
            continue
        stem = rel.with_suffix("")
        if stem.name in {"index", "README"}:
            stem = stem.parent
        paths.append("" if str(stem) == "." else f"{stem.as_posix()}/")
    return sorted(set(paths), key=lambda p: (p != "", p))


PAGES = [*_page_paths(), "404.html"]


def _html_file(site: Path, path: str) -> Path:
    return site / path / "index.html" if path == "" or path.endswith("/") else site / path


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-").removesuffix(".html") or "home"


class _Parser(html.parser.HTMLParser):
    """Ids, links and math-bearing text of one HTML file."""

    _SKIP_TEXT = {"pre", "code", "script", "style", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []
        self.math = 0
        self.figures = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag in {"a", "link"} and a.get("href") is not None:
            self.links.append(a["href"])
        if tag in {"img", "script", "source", "iframe"} and a.get("src"):
            self.links.append(a["src"])
        classes = (a.get("class") or "").split()
        self.math += bool({"arithmatex", "katex"} & set(classes))
        self.figures += tag == "svg" and "bp-figure__svg" in classes
        if tag in self._SKIP_TEXT:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in self._SKIP_TEXT and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _parse(path: Path) -> _Parser:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


_TEX = re.compile(r"\$\$|\\\(|\\\[|\$[^$\n]+\$")


def _has_math(parsed: _Parser) -> bool:
    return parsed.math > 0 or bool(_TEX.search("".join(parsed.text)))


def _site_url(site: Path) -> str:
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', (site / "index.html").read_text("utf-8"))
    assert canonical, "the home page has no canonical link (is site_url set?)"
    return canonical.group(1)


def _nav_paths(site: Path) -> list[str]:
    """The pages of the navigation, in its order (read off the built home page)."""
    home = (site / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<a href="([^"#]*)" class="md-nav__link', home)
    return list(dict.fromkeys("" if h in {".", "./"} else h for h in hrefs))


# --------------------------------------------------------------------------- static checks


def test_every_built_page_is_visited_by_the_browser_tests(built_site: Path):
    built = {
        p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
        if p.relative_to(built_site).parts[0] != "assets"
    }
    visited = {_html_file(Path(), path).as_posix() for path in PAGES}
    assert built == visited, f"built but not visited: {sorted(built - visited)}; visited but not built: " \
                             f"{sorted(visited - built)}"


def test_internal_links_and_anchors_resolve(built_site: Path):
    """Every internal href/src of every HTML file names a file, and its #fragment an element id."""
    base = _site_url(built_site)
    parsed = {p: _parse(p) for p in built_site.rglob("*.html")}
    broken, checked = [], 0
    for page, info in sorted(parsed.items()):
        rel = page.relative_to(built_site).as_posix()
        page_url = base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        for href in info.links:
            url = urllib.parse.urljoin(page_url, href.strip())
            if urllib.parse.urlsplit(url).scheme not in {"http", "https"} or not url.startswith(base):
                continue  # data:, mailto:, javascript:, or a link off the site (not fetched)
            checked += 1
            split = urllib.parse.urlsplit(url[len(base):])
            target = built_site / urllib.parse.unquote(split.path)
            if split.path == "" or split.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{rel}: {href} -> no file {target.relative_to(built_site)}")
                continue
            fragment = urllib.parse.unquote(split.fragment)
            if fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if fragment not in ids:
                    broken.append(f"{rel}: {href} -> no id {fragment!r} in {target.relative_to(built_site)}")
    assert checked > 0
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken)


_FIGURE_RE = re.compile(rb'<svg [^>]*class="bp-figure__svg".*?</svg>', re.S)
_KATEX_RE = re.compile(rb'<span class="katex(?:-display)?">')


def _math_bytes(html_bytes: bytes) -> int:
    """Bytes of KaTeX output: each outermost .katex/.katex-display span to its closing tag."""
    total, pos = 0, 0
    while (m := _KATEX_RE.search(html_bytes, pos)) is not None:
        depth, i = 0, m.start()
        for tag in re.finditer(rb"<span\b|</span>", html_bytes[m.start():]):
            depth += 1 if tag.group(0) == b"<span" else -1
            if depth == 0:
                i = m.start() + tag.end()
                break
        total += i - m.start()
        pos = max(i, m.end())
    return total


def _weights(html_bytes: bytes) -> dict[str, int]:
    figures = [len(m) for m in _FIGURE_RE.findall(html_bytes)]
    math = _math_bytes(html_bytes)
    return {"html": len(html_bytes), "figures": sum(figures), "largest figure": max(figures, default=0),
            "math": math, "other": len(html_bytes) - sum(figures) - math}


def test_every_page_within_weight_budget(built_site: Path):
    """Markup besides figures and math, each figure, and the compressed page stay within their
    budgets, so that no page carries boilerplate (such as Jupyter's CSS) or outsized figures."""
    over = []
    for path in PAGES:
        html_bytes = _html_file(built_site, path).read_bytes()
        w = _weights(html_bytes)
        gzipped = len(gzip.compress(html_bytes, 6))
        if w["other"] > MARKUP_BUDGET:
            over.append(f"{path or 'home'}: {w['other']:,} bytes of HTML besides figures and math > {MARKUP_BUDGET:,}")
        if w["largest figure"] > FIGURE_BUDGET:
            over.append(f"{path or 'home'}: a figure of {w['largest figure']:,} bytes > {FIGURE_BUDGET:,}")
        if gzipped > PAGE_GZIP_BUDGET:
            over.append(f"{path or 'home'}: {gzipped:,} bytes gzipped > {PAGE_GZIP_BUDGET:,}")
    assert not over, "\n".join(over)


# --------------------------------------------------------------------------- the browser


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, started once for this module."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "the Python package playwright is missing: .venv/bin/pip install -e '.[test]'"
    if problem is None and not CHROMIUM.is_file():
        problem = (
            f"no Chromium at {CHROMIUM}: install Debian's with `sudo apt-get install chromium` "
            "(do not download a browser build; BACKPROP_CHROMIUM=/path/to/chromium to use another)"
        )
    if problem:
        if _in_ci():
            pytest.fail(f"browser tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(problem)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A browser context and page, reused from test to test, recording everything that goes wrong."""

    def __init__(self, browser, origin: str, scheme: str, width: int = WIDE, route: bool = True,
                 block_scripts: bool = False):
        self.origin = origin
        self.context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900},
                                           service_workers="block")
        if route:  # (routing turns the browser cache off: not for the page-weight measurement)
            self.context.route(lambda url: not url.startswith(origin), self._abort_offsite)
        if block_scripts:  # no script file runs: the page as it is before any script could typeset
            self.context.route(lambda url: url.startswith(origin) and urllib.parse.urlsplit(url).path.endswith(".js"),
                               lambda route: route.abort("blockedbyclient"))
        self.context.add_init_script(PROBES)
        self.routed = route
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.problems: list[str] = []
        self.responses: list = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)
        self.page.on("request", self._request)
        self.blocking = block_scripts

    def _abort_offsite(self, route):
        self.problems.append(f"request off the machine (aborted): {route.request.url}")
        route.abort("blockedbyclient")

    def _request(self, request):
        if not self.routed and not request.url.startswith((self.origin, "data:", "blob:", "about:")):
            self.problems.append(f"request off the machine: {request.url}")

    def _console(self, msg):
        if msg.type == "error" and not self.blocking:
            self.problems.append(f"console error: {msg.text} ({msg.location.get('url', '')})")
        if msg.type == "warning" and "preload" in msg.text:  # a font preloaded for nothing
            self.problems.append(f"console warning: {msg.text}")

    def _request_failed(self, request):
        if request.url.startswith(self.origin) and not self.blocking:
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        self.responses.append(response)
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def reset(self) -> None:
        self.problems = []
        self.responses = []

    def visit(self, path: str, settle: bool = True) -> None:
        self.reset()
        response = self.page.goto(self.origin + path, wait_until="load")
        assert response is not None and response.status < 400, f"{path}: HTTP {response and response.status}"
        if settle:
            self.page.wait_for_load_state("networkidle")  # nothing in flight when the test moves on

    def settle_math(self, timeout: float = 15_000) -> None:
        """Wait until no raw TeX is left on screen (at once for math typeset at build time; a script
        typesetting in the browser gets ``timeout``) and the fonts have arrived."""
        try:
            self.page.wait_for_function("() => window.__bp.rawTex().length === 0", timeout=timeout)
        except Exception:  # reported, with details, by the checks that follow
            pass
        self.page.evaluate("document.fonts.ready.then(() => true)")

    def probe(self, name: str, *args):
        return self.page.evaluate(f"(args) => window.__bp.{name}(...args)", list(args))


def _math_problems(tab: Tab, expect_math: bool) -> list[str]:
    """Raw TeX, math errors, missing fonts, dangling <use> references, missing math."""
    problems = []
    raw = tab.probe("rawTex")
    if raw:
        problems.append(f"raw TeX on screen: {raw}")
    errors = tab.probe("mathErrors")
    if errors:
        problems.append(f"math errors: {errors}")
    uses = tab.probe("brokenUses")
    if uses["broken"]:
        problems.append(f"{uses['broken']} of {uses['uses']} SVG <use> references point at nothing: {uses['examples']}")
    problems += tab.probe("fontProblems")
    if expect_math and not tab.page.evaluate("!!document.querySelector('article .katex')"):
        problems.append("the page has math but no typeset formula (.katex)")
    return problems


def _layout_problems(tab: Tab, width: int) -> list[str]:
    """Shrunk formulas, overflow, tables, figure text, orphaned punctuation."""
    problems = []
    shrunk = tab.probe("shrunkFormulas")
    display = [s for s in shrunk["shrunk"] if s["display"]]
    if display:
        problems.append(f"{len(display)} display formulas drawn below their size: {display[:5]}")
    ov = tab.probe("overflow")
    if ov["pageWidth"] > ov["viewport"] + 1:
        problems.append(f"the page is {ov['pageWidth']} px wide in a {ov['viewport']} px viewport")
    if ov["sticking"]:
        problems.append(f"wider than the viewport without a scroll container: {ov['sticking']}")
    if ov["nested"]:
        problems.append(f"scroll containers inside scroll containers: {ov['nested']}")
    if ov["vertical"]:
        problems.append(f"stray vertical scrollbars: {ov['vertical']}")
    problems += tab.probe("tables")["problems"] + tab.probe("sympyDisplay") + tab.probe("solutionText")
    problems += tab.probe("printedOutput") + tab.probe("squeezedCells")
    for fig in tab.probe("figureText"):
        if fig["textPx"] is None:
            problems.append(f"figure without data-min-text-px (its text size cannot be checked): {fig['label']!r}")
        elif fig["textPx"] < MIN_TEXT_PX - 0.05:
            problems.append(f"figure text drawn at {fig['textPx']} px < {MIN_TEXT_PX} px: {fig['label']!r} "
                            f"({fig['drawn']:.0f} of {fig['natural']:.0f} px wide)")
    if width >= WIDE:
        orphans = tab.probe("orphanPunctuation")
        if orphans:
            problems.append(f"{len(orphans)} lines start with punctuation cut from the formula before: {orphans[:5]}")
    return problems


_INSPECT_JS = r"""
() => {
  const root = document.querySelector("article.md-content__inner") || document.body;
  const short = (s, n = 70) => (s || "").replace(/\s+/g, " ").trim().slice(0, n);

  // colours: "rgb(a, b, c)", "rgba(a, b, c, d)", "rgb(a b c / d)" or "color(srgb r g b / a)"
  function rgba(c) {
    const nums = (c.match(/-?[\d.]+%?/g) || []).map((x) => x.endsWith("%") ? parseFloat(x) / 100 : +x);
    if (c.startsWith("color(")) {
      return [nums[0] * 255, nums[1] * 255, nums[2] * 255, nums.length > 3 ? nums[3] : 1];
    }
    return [nums[0], nums[1], nums[2], nums.length > 3 ? nums[3] : 1];
  }
  function over(top, bottom) {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  }
  function background(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = rgba(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
    }
    let base = [255, 255, 255, 1];
    for (const layer of layers.reverse()) base = over(layer, base);
    return base;
  }
  function luminance(c) {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(el) {
    const bg = background(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return { ratio: (l1 + 0.05) / (l2 + 0.05), fg: fg.map(Math.round).slice(0, 3), bg: bg.map(Math.round).slice(0, 3) };
  }
  const ownText = (el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());

  function contrasts(selector) {
    const seen = new Map();
    for (const el of root.querySelectorAll(selector)) {
      if (!el.checkVisibility() || !ownText(el)) continue;
      const c = contrast(el);
      const key = `${el.tagName} ${c.fg} on ${c.bg}`;
      if (!seen.has(key)) seen.set(key, { ...c, what: key, text: short(el.textContent, 40) });
    }
    return [...seen.values()];
  }

  return {
    scheme: document.body.getAttribute("data-md-color-scheme"),
    figures: [...root.querySelectorAll("svg.bp-figure__svg")].map((svg) => ({
      label: svg.getAttribute("aria-label"), role: svg.getAttribute("role"),
      width: svg.getBoundingClientRect().width,
    })),
    images: [...document.images].map((img) => ({
      src: short(img.currentSrc || img.src, 60), alt: img.getAttribute("alt"),
      loaded: img.complete && img.naturalWidth > 0, visible: img.checkVisibility(), cls: img.className,
    })),
    headings: [...root.querySelectorAll("h1, h2, h3, h4, h5, h6")]
      .map((h) => [+h.tagName[1], short(h.textContent.replace(/[¶#]$/, ""), 50)]),
    textContrast: contrasts("p, td, th, figcaption, li"),
    linkContrast: contrasts("p a, td a, li a"),
  };
}
"""


def _page_problems(info: dict, scheme: str) -> list[str]:
    problems = []
    if info["scheme"] != SCHEMES[scheme]:
        problems.append(f"colour scheme {info['scheme']!r}, expected {SCHEMES[scheme]!r}")
    for img in info["images"]:
        if not (img["alt"] or "").strip():
            problems.append(f"image without alt text: {img['src']}")
        if not img["loaded"]:
            problems.append(f"image not loaded (naturalWidth 0): {img['src']}")
    for fig in info["figures"]:
        if fig["role"] != "img" or not (fig["label"] or "").strip():
            problems.append(f"figure without role=img and an aria-label: {fig}")
        if not fig["width"] > 0:
            problems.append(f"figure not rendered (width 0): {fig['label']!r}")
    levels = [level for level, _ in info["headings"]]
    if levels.count(1) != 1 or (levels and levels[0] != 1):
        problems.append(f"expected one h1, first: headings {info['headings']}")
    for (prev, _), (level, text) in zip(info["headings"], info["headings"][1:], strict=False):
        if level > prev + 1:
            problems.append(f"heading level skipped: h{prev} -> h{level} {text!r}")
    for c in info["textContrast"] + info["linkContrast"]:
        if c["ratio"] < MIN_CONTRAST:
            problems.append(f"text contrast {c['ratio']:.2f} < {MIN_CONTRAST}: {c['what']} ({c['text']!r})")
    return problems


@pytest.fixture(scope="module")
def tabs(browser, built_site, site_server):
    """tabs(scheme, width) -> the reusable Tab of that colour scheme and viewport width."""
    opened: dict[tuple[str, int], Tab] = {}

    def get(scheme: str, width: int = WIDE) -> Tab:
        if (scheme, width) not in opened:
            opened[scheme, width] = Tab(browser, site_server.url, scheme, width)
        return opened[scheme, width]

    yield get
    for tab in opened.values():
        tab.context.close()


_VIEWS = [("light", WIDE), ("dark", WIDE), ("light", PHONE)]
_PAGE_CASES = [(s, w, p) for s, w in _VIEWS for p in PAGES] + [("dark", PHONE, p) for p in KEY_PAGES]


@pytest.mark.parametrize(("scheme", "width", "path"), _PAGE_CASES,
                         ids=[f"{s}-{w}-{_name(p)}" for s, w, p in _PAGE_CASES])
def test_page_in_browser(tabs, built_site: Path, scheme: str, width: int, path: str):
    """One page, as a reader sees it: typeset, laid out within the screen, loaded, error-free,
    offline, accessible."""
    source = _html_file(built_site, path)
    if not source.is_file():
        pytest.fail(f"{path or 'home'}: not in the built site (page added or removed during the run?)")
    tab = tabs(scheme, width)
    tab.visit(path)
    tab.settle_math()
    problems = tab.problems + _math_problems(tab, _has_math(_parse(source)))
    if scheme == "light":  # (the same geometry in both schemes)
        problems += _layout_problems(tab, width)
    problems += _page_problems(tab.page.evaluate(_INSPECT_JS), scheme)
    if (width == WIDE and SCREENSHOT_PAGES.match(path)) or path in KEY_PAGES:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=SCREENSHOTS / f"{_name(path)}-{width}-{scheme}.png", full_page=True)
    assert not problems, f"{path or 'home'} ({scheme}, {width} px):\n  " + "\n  ".join(problems)


def _nav_link(tab: Tab, path: str):
    """The primary navigation's link to ``path`` (matched on the resolved URL: whether the href is
    relative or, once instant navigation has rewritten it, absolute)."""
    links = tab.page.locator("nav.md-nav--primary a.md-nav__link")
    index = links.evaluate_all("(els, url) => els.findIndex((e) => e.href === url)", tab.origin + path)
    assert index >= 0, f"no link to /{path} in the navigation"
    return links.nth(index)


def _h1_text(path: Path) -> str:
    match = re.search(r"<h1\b[^>]*>(.*?)</h1>", path.read_text(encoding="utf-8"), re.S)
    text = re.sub(r'<span class="katex-mathml">.*?</span>|<[^>]+>', "", match.group(1), flags=re.S) if match else ""
    return re.sub(r"\s+", " ", html.unescape(text).replace("¶", "")).strip()


def _click_to(tab: Tab, site: Path, path: str) -> None:
    """Click the sidebar link to ``path`` and wait until instant navigation has swapped the page in."""
    _nav_link(tab, path).click()
    tab.page.wait_for_url(tab.origin + path)
    title = _h1_text(_html_file(site, path))
    tab.page.wait_for_function(  # the URL changes first, then the content is swapped
        "t => (document.querySelector('article h1') || {}).textContent.replace(/\\s+/g, ' ').includes(t)",
        arg=title[:30],
    )


def test_click_through_every_page_by_instant_navigation(tabs, built_site: Path):
    """From the home page, every page of the navigation reached by clicking its sidebar link (instant
    navigation: no reload); after each click every formula is whole: no raw TeX, no error, its fonts
    loaded, no SVG glyph reference pointing at nothing."""
    tab = tabs("light", WIDE)
    tab.visit("")
    tab.settle_math()
    tab.page.evaluate("window.__bpNoReload = true")
    problems = []
    paths = [p for p in _nav_paths(built_site) if p]
    assert len(paths) >= len(PAGES) - 2, f"the navigation lists {len(paths)} pages, the book has {len(PAGES) - 1}"
    for path in paths:
        tab.reset()
        _click_to(tab, built_site, path)
        tab.settle_math()
        found = tab.problems + _math_problems(tab, _has_math(_parse(_html_file(built_site, path))))
        if not tab.page.evaluate("window.__bpNoReload === true"):
            found.append("the page was reloaded: instant navigation is off")
            tab.page.evaluate("window.__bpNoReload = true")
        problems += [f"{path}: {p}" for p in found]
    assert not problems, "\n".join(problems)


def test_no_raw_tex_at_first_paint(browser, built_site: Path, site_server):
    """Every page as it is before any script could typeset it (every script file blocked): the math
    is already drawn, no TeX source on screen."""
    tab = Tab(browser, site_server.url, "light", WIDE, block_scripts=True)
    problems = []
    try:
        for path in PAGES:
            tab.visit(path, settle=False)
            raw = tab.probe("rawTex")
            if raw:
                problems.append(f"{path or 'home'}: raw TeX before scripts: {raw[:3]}")
            if path in KEY_PAGES:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                tab.page.screenshot(path=SCREENSHOTS / f"first-paint-{_name(path)}.png")
    finally:
        tab.context.close()
    assert not problems, "\n".join(problems)


def _search(tab: Tab, query: str):
    field = tab.page.locator("input.md-search__input")
    field.click()
    field.press_sequentially(query, delay=20)
    results = tab.page.locator("li.md-search-result__item")
    results.first.wait_for(state="visible")
    return results


def test_search_finds_the_activation_chapter(tabs, built_site: Path):
    """Typing "sigmoid" in the search field lists the activation chapter."""
    tab = tabs("light", WIDE)
    tab.visit("")
    results = _search(tab, "sigmoid").locator("a.md-search-result__link")
    hrefs = [urllib.parse.urljoin(tab.page.url, h) for h in results.evaluate_all("els => els.map(e => e.href)")]
    found = {urllib.parse.urlsplit(h).path.lstrip("/") for h in hrefs if h.startswith(tab.origin)}
    assert SEARCH_TARGET in found, f"search for 'sigmoid' did not list {SEARCH_TARGET}: {sorted(found)}"
    assert not tab.problems, tab.problems


def test_search_index_is_fetched_only_when_the_reader_searches(browser, built_site: Path, site_server):
    """The search index (the whole book's text) and the search worker are not part of a first visit:
    they are requested when the reader opens the search (docs/assets/javascripts/search-on-demand.js),
    and search then works."""
    tab = Tab(browser, site_server.url, "light", route=False)
    try:
        tab.visit("")
        tab.page.wait_for_load_state("networkidle")
        tab.page.wait_for_timeout(500)
        fetched = [r.url for r in tab.responses if "search_index" in r.url or "/workers/search" in r.url]
        assert fetched == [], f"the search index or worker was fetched before any search: {fetched}"
        tab.page.keyboard.press("/")  # Material's search key
        results = _search(tab, "sigmoid")
        assert results.count() > 0
        fetched = [r.url for r in tab.responses if "search_index" in r.url]
        assert len(fetched) == 1, f"expected one request for the search index, got {fetched}"
    finally:
        tab.context.close()


def test_search_results_show_no_tex_or_pilcrow(tabs, built_site: Path):
    """The results for "delta" read as text: math as readable text, no TeX source, no "¶"."""
    tab = tabs("light", WIDE)
    tab.visit("")
    results = _search(tab, "delta")
    texts = results.evaluate_all("""els => els.map((li) => {
      const copy = li.cloneNode(true);
      copy.querySelectorAll("code, pre").forEach((c) => c.remove());  // code may hold TeX on purpose
      return copy.textContent.replace(/\\s+/g, " ").trim();
    })""")
    assert texts, "no search results for 'delta'"
    bad = [t[:160] for t in texts if re.search(r"\$|\\[A-Za-z]{2,}|\\[()\[\]]|¶", t)]
    assert not bad, f"{len(bad)} of {len(texts)} results show TeX source or ¶:\n" + "\n".join(bad)
    assert not tab.problems, tab.problems


def _first_page_with(site: Path, predicate) -> str | None:
    """The first page in navigation order, after home, whose built HTML satisfies predicate."""
    for path in _nav_paths(site):
        if path != "" and predicate(_parse(_html_file(site, path))):
            return path
    return None


def test_palette_toggle_switches_scheme_and_figures(browser, built_site: Path, site_server):
    """The header's palette toggle changes the scheme, and the figures' colours follow it."""
    path = _first_page_with(built_site, lambda p: p.figures > 0)
    assert path, "no page with a figure (backprop.book.figure) in the built site"
    tab = Tab(browser, site_server.url, "light")  # its own context: the choice is stored per site
    try:
        tab.visit(path)
        page = tab.page
        shown = """() => {
          const svg = document.querySelector("article svg.bp-figure__svg");
          const text = svg.querySelector('[style*="fill: var(--bp-fg)"]');  // text is filled; lines are stroked
          return { scheme: document.body.getAttribute("data-md-color-scheme"), fill: getComputedStyle(text).fill };
        }"""
        light, dark = "rgb(31, 35, 40)", "rgb(230, 237, 243)"  # --bp-fg of each scheme in book.css
        assert page.evaluate(shown) == {"scheme": "default", "fill": light}
        toggle = page.locator('form[data-md-component="palette"] label:visible')
        seen = []
        for _ in range(3):  # auto (light here) -> light -> dark -> auto: at most three clicks
            toggle.click()
            page.wait_for_timeout(100)
            seen.append(page.evaluate(shown))
            if seen[-1]["scheme"] == "slate":
                break
        assert seen[-1] == {"scheme": "slate", "fill": dark}, seen
        assert page.evaluate("localStorage.length") > 0  # the choice is remembered
        assert not tab.problems, tab.problems
    finally:
        tab.context.close()


# --------------------------------------------------------------------------- page weight


def _sizes(tab: Tab, site: Path) -> list[tuple[str, int, int]]:
    """(url, body bytes, gzip bytes) of the responses the tab received, per response."""
    out = []
    for response in tab.responses:
        if response.status >= 300:
            continue
        try:
            body = response.body()
        except Exception:  # e.g. a worker's script: read it from the site folder
            body = _html_file(site, urllib.parse.urlsplit(response.url).path.lstrip("/")).read_bytes()
        out.append((response.url, len(body), len(gzip.compress(body, 6))))
    return out


def _first_visit(browser, site: Path, origin: str, path: str) -> list[tuple[str, int, int]]:
    tab = Tab(browser, origin, "light", route=False)  # no routing: the browser cache is on
    try:
        tab.visit(path)
        tab.settle_math()
        tab.page.wait_for_load_state("networkidle")  # fonts (and the search index, were it not held back)
        assert not tab.problems, tab.problems
        return _sizes(tab, site)
    finally:
        tab.context.close()


def test_first_visit_to_every_page_within_budget(browser, built_site: Path, site_server):
    """Bytes a reader downloads on a first visit to each page (page, theme, scripts, the fonts the
    page uses; the search index only if it were requested before a search), uncompressed as served:
    at most FIRST_VISIT_BUDGET."""
    lines = [f"First visit (bytes, uncompressed / gzip -6), served from {site_server.url}; "
             f"budget {FIRST_VISIT_BUDGET:,}"]
    over = []
    for path in _nav_paths(built_site):
        loads = _first_visit(browser, built_site, site_server.url, path)
        total, total_gz = sum(s for _, s, _ in loads), sum(g for _, _, g in loads)
        w = _weights(_html_file(built_site, path).read_bytes())
        detail = (f"/{path}: {total:,} / {total_gz:,} in {len(loads)} responses; the page's HTML {w['html']:,} "
                  f"(figures {w['figures']:,}, math {w['math']:,}, other {w['other']:,}), "
                  f"everything else {total - w['html']:,}")
        lines.append(detail)
        if total > FIRST_VISIT_BUDGET:
            over.append(detail)
        if path == "":
            lines += [f"    {s:>10,} / {g:>9,}  {url}" for url, s, g in sorted(loads, key=lambda x: -x[1])]
    report = "\n".join(lines)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "page-weight.txt").write_text(report + "\n", encoding="utf-8")
    print(report)
    assert not over, f"{len(over)} pages over the first-visit budget of {FIRST_VISIT_BUDGET:,} bytes:\n" + \
        "\n".join(over)


def test_next_page_loads_only_its_html(browser, built_site: Path, site_server):
    """The next page by instant navigation downloads its HTML and nothing else (but KaTeX fonts the
    first page did not need)."""
    notebook = [p for p in _nav_paths(built_site) if 'class="jupyter-wrapper"' in
                _html_file(built_site, p).read_text("utf-8")]
    assert len(notebook) >= 2, "fewer than two notebook pages in the navigation"
    first, following = notebook[0], notebook[1]
    tab = Tab(browser, site_server.url, "light", route=False)  # no routing: the browser cache is on
    try:
        tab.visit(first)
        tab.settle_math()
        tab.reset()
        tab.page.evaluate("window.__bpNoReload = true")
        _click_to(tab, built_site, following)
        tab.settle_math()
        tab.page.wait_for_load_state("networkidle")
        assert tab.page.evaluate("window.__bpNoReload === true"), "instant navigation did not engage"
        loads = _sizes(tab, built_site)
        assert not tab.problems, tab.problems
    finally:
        tab.context.close()
    total = sum(s for _, s, _ in loads)
    listing = "\n".join(f"    {s:>10,}  {url}" for url, s, _ in loads)
    assert total < NEXT_PAGE_BUDGET, f"next page /{following}: {total:,} bytes > {NEXT_PAGE_BUDGET:,}\n{listing}"
    # Chromium fetches the favicon again for the new history entry (2 KB); fonts only if new ones are used.
    expected = {f"/{following}", "/assets/images/favicon.png"}
    other = [url for url, _, _ in loads if urllib.parse.urlsplit(url).path not in expected
             and not re.search(r"/assets/vendor/katex/fonts/KaTeX_[\w-]+\.woff2$", url)]
    assert not other, f"instant navigation fetched more than the page's HTML: {other}"
