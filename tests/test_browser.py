"""The book as a reader gets it: the built site, served on 127.0.0.1 and driven in Chromium.

Static checks of the built site (no browser needed):

* every internal link (page and ``#anchor``) of every HTML file resolves to a file and an element id;
* every page's HTML stays within its weight budget;
* every page of the book is one of the pages the browser visits.

In Debian's Chromium (``/usr/bin/chromium``, driven by Playwright; never a downloaded browser build),
each page in the light and in the dark colour scheme: math typeset (no raw TeX left, no MathJax
error), no console error, no failed request, nothing requested from off the machine (aborted and
reported), every image loaded and with alt text, every figure an SVG with role=img and an aria-label,
headings in order, text and link contrast >= 4.5.
Then instant navigation (math typeset after it), search ("sigmoid"), the palette toggle (the figure
shown follows the scheme) and the bytes a reader downloads for a first and a next page.

Screenshots of the key pages go to ``test-output/screenshots/``, the page weights to
``test-output/page-weight.txt``.

Without Chromium these tests skip, saying how to install it; in CI (``CI=true``) they fail.
"""

from __future__ import annotations

import gzip
import html.parser
import os
import re
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"

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
VIEWPORT = {"width": 1280, "height": 900}  # wide enough for both sidebars and the search field
SEARCH_TARGET = "activation-functions/"  # the chapter that searching "sigmoid" must find
SCREENSHOT_PAGES = re.compile(r"^(?:|worked-example[\w-]*/|activation-functions/|errata/)$")
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal text

# Page weight budgets, in bytes (see test_every_page_within_weight_budget, test_page_weight_first_and_next_page).
# Before the mkdocs hook moved Jupyter's CSS out of the pages, a notebook page's HTML was ~650 KB,
# ~575 KB of it the same inline CSS on every page.
MARKUP_BUDGET = 300_000  # a page's HTML without its figures: text, math, tables, code, navigation
FIGURE_BUDGET = 150_000  # one figure: an inline SVG (pagetools.figure), coloured by CSS variables per scheme
PAGE_GZIP_BUDGET = 150_000  # a page's whole HTML, gzip -6: what a compressing host sends for it
FIRST_PAGE_BUDGET = 3_500_000  # first visit, uncompressed: MathJax (2.2 MB) + theme + search index + page
NEXT_PAGE_BUDGET = 600_000  # next page by instant navigation, uncompressed: its HTML only (and the favicon)


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


class _Parser(html.parser.HTMLParser):
    """Ids, links and math-bearing text of one HTML file."""

    _SKIP_TEXT = {"pre", "code", "script", "style", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []
        self.arithmatex = 0
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
        self.arithmatex += "arithmatex" in classes
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
    return parsed.arithmatex > 0 or bool(_TEX.search("".join(parsed.text)))


def _site_url(site: Path) -> str:
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', (site / "index.html").read_text("utf-8"))
    assert canonical, "the home page has no canonical link (is site_url set?)"
    return canonical.group(1)


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


def test_every_page_within_weight_budget(built_site: Path):
    """Text and markup, each figure, and the compressed page stay within their budgets, so that no
    page carries boilerplate (such as Jupyter's CSS) or outsized figures."""
    over = []
    for path in PAGES:
        html_bytes = _html_file(built_site, path).read_bytes()
        figures = [len(m) for m in re.findall(rb'<svg [^>]*class="bp-figure__svg".*?</svg>', html_bytes, re.S)]
        markup = len(html_bytes) - sum(figures)
        gzipped = len(gzip.compress(html_bytes, 6))
        if markup > MARKUP_BUDGET:
            over.append(f"{path or 'home'}: {markup:,} bytes of HTML besides figures > {MARKUP_BUDGET:,}")
        if figures and max(figures) > FIGURE_BUDGET:
            over.append(f"{path or 'home'}: a figure of {max(figures):,} bytes > {FIGURE_BUDGET:,} ({figures})")
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

    def __init__(self, browser, origin: str, scheme: str, route: bool = True):
        self.origin = origin
        self.context = browser.new_context(color_scheme=scheme, viewport=VIEWPORT, service_workers="block")
        if route:  # (routing turns the browser cache off: not for the page-weight measurement)
            self.context.route(lambda url: not url.startswith(origin), self._abort_offsite)
        self.context.add_init_script(_RAW_TEX_JS)
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

    def _abort_offsite(self, route):
        self.problems.append(f"request off the machine (aborted): {route.request.url}")
        route.abort("blockedbyclient")

    def _request(self, request):
        if not self.routed and not request.url.startswith((self.origin, "data:", "blob:", "about:")):
            self.problems.append(f"request off the machine: {request.url}")

    def _console(self, msg):
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text} ({msg.location.get('url', '')})")

    def _request_failed(self, request):
        if request.url.startswith(self.origin):
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        self.responses.append(response)
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def reset(self) -> None:
        self.problems = []
        self.responses = []

    def visit(self, path: str) -> None:
        self.reset()
        response = self.page.goto(self.origin + path, wait_until="load")
        assert response is not None and response.status < 400, f"{path}: HTTP {response and response.status}"
        self.page.wait_for_load_state("networkidle")  # nothing in flight when the test moves on

    def wait_for_math(self, expect_math: bool, timeout: float = 15_000) -> None:
        """Wait until MathJax has typeset the page: no raw TeX left (and some math, if expected)."""
        try:
            self.page.wait_for_function(
                f"() => window.MathJax && MathJax.startup && MathJax.startup.document && "
                f"window.__bpRawTex().length === 0 && "
                f"(!{str(expect_math).lower()} || document.querySelector('article mjx-container'))",
                timeout=timeout,
            )
        except Exception:  # reported, with details, by the checks that follow
            pass

    def inspect(self) -> dict:
        return self.page.evaluate(_INSPECT_JS)


# Installed in every page: the raw TeX left in the visible text of the article (outside code).
# (Text nodes are walked, not cloned: a cloned <img> would start loading again.)
_RAW_TEX_JS = r"""
window.__bpRawTex = function () {
  const root = document.querySelector("article.md-content__inner");
  if (!root) return [];
  const skip = "pre, code, script, style, textarea, mjx-container, .clipboard-copy-txt, .md-clipboard";
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement && n.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT
                                                                          : NodeFilter.FILTER_ACCEPT),
  });
  let text = "";
  while (walker.nextNode()) text += walker.currentNode.textContent;
  const found = [];
  for (const re of [/\$\$/g, /\\\(|\\\)|\\\[|\\\]/g, /\$[^$\n]{1,200}?\$/g, /\\[A-Za-z]{2,}/g]) {
    for (const m of text.matchAll(re)) {
      found.push(text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30).replace(/\s+/g, " "));
      if (found.length >= 10) return found;
    }
  }
  return found;
};
"""

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
    title: short(((root.querySelector("h1") || {}).textContent || "").replace(/[¶#]\s*$/, "")),
    rawTex: window.__bpRawTex ? window.__bpRawTex() : ["(page script not installed)"],
    mathContainers: root.querySelectorAll("mjx-container").length,
    mathErrors: [...root.querySelectorAll("mjx-merror, [data-mjx-error]")]
      .map((e) => short(e.getAttribute("data-mjx-error") || e.textContent)),
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


@pytest.fixture(scope="module")
def tabs(browser, built_site, site_server):
    """tabs(scheme) -> the reusable Tab of that colour scheme."""
    opened: dict[str, Tab] = {}

    def get(scheme: str) -> Tab:
        if scheme not in opened:
            opened[scheme] = Tab(browser, site_server.url, scheme)
        return opened[scheme]

    yield get
    for tab in opened.values():
        tab.context.close()


def _page_problems(info: dict, path: str, scheme: str, expect_math: bool) -> list[str]:
    problems = []
    if info["scheme"] != SCHEMES[scheme]:
        problems.append(f"colour scheme {info['scheme']!r}, expected {SCHEMES[scheme]!r}")
    if info["rawTex"]:
        problems.append(f"raw TeX left in the text: {info['rawTex']}")
    if expect_math and info["mathContainers"] == 0:
        problems.append("the page has math but MathJax typeset none of it")
    if info["mathErrors"]:
        problems.append(f"MathJax errors: {info['mathErrors']}")
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


@pytest.mark.parametrize(
    ("scheme", "path"),
    [(scheme, path) for scheme in SCHEMES for path in PAGES],
    ids=[f"{scheme}-{path.strip('/') or 'home'}" for scheme in SCHEMES for path in PAGES],
)
def test_page_in_browser(tabs, built_site: Path, scheme: str, path: str):
    """One page, as a reader sees it: typeset, loaded, error-free, offline, accessible."""
    source = _html_file(built_site, path)
    if not source.is_file():
        pytest.fail(f"{path or 'home'}: not in the built site (page added or removed during the run?)")
    expect_math = _has_math(_parse(source))
    tab = tabs(scheme)
    tab.visit(path)
    tab.wait_for_math(expect_math)
    info = tab.inspect()
    problems = tab.problems + _page_problems(info, path, scheme, expect_math)
    if SCREENSHOT_PAGES.match(path):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = path.strip("/").replace("/", "-") or "home"
        tab.page.screenshot(path=SCREENSHOTS / f"{name}-{scheme}.png", full_page=True)
    assert not problems, f"{path or 'home'} ({scheme}):\n  " + "\n  ".join(problems)


def _nav_paths(site: Path) -> list[str]:
    """The pages of the navigation, in its order (read off the built home page)."""
    home = (site / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<a href="([^"#]*)" class="md-nav__link', home)
    return list(dict.fromkeys("" if h in {".", "./"} else h for h in hrefs))


def _first_page_with(site: Path, predicate) -> str | None:
    """The first page in navigation order, after home, whose built HTML satisfies predicate."""
    for path in _nav_paths(site):
        if path != "" and predicate(_parse(_html_file(site, path))):
            return path
    return None


def test_instant_navigation_typesets_math(tabs, built_site: Path):
    """Clicking a nav link swaps the page without reloading it, and the new page's math is typeset."""
    target = _first_page_with(built_site, _has_math)
    assert target, "no page with math besides home"
    tab = tabs("light")
    tab.visit("")
    tab.page.evaluate("window.__bpNoReload = true")
    _nav_link(tab, target).click()
    tab.page.wait_for_url(tab.origin + target)
    expected_title = re.sub(r"\s+", " ", _h1_text(_html_file(built_site, target))).strip()
    tab.page.wait_for_function(  # the URL changes first, then the content is swapped
        "t => (document.querySelector('article h1') || {}).textContent.replace(/\\s+/g, ' ').includes(t)",
        arg=expected_title[:40],
    )
    tab.wait_for_math(True)
    info = tab.inspect()
    assert tab.page.evaluate("window.__bpNoReload === true"), "the page was reloaded: instant navigation is off"
    assert not info["rawTex"], f"raw TeX after instant navigation: {info['rawTex']}"
    assert info["mathContainers"] > 0, "no math typeset after instant navigation"
    assert not info["mathErrors"], info["mathErrors"]
    assert not tab.problems, tab.problems


def _nav_link(tab: Tab, path: str):
    """The primary navigation's link to ``path`` (matched on the resolved URL: whether the href is
    relative or, once instant navigation has rewritten it, absolute)."""
    links = tab.page.locator("nav.md-nav--primary a.md-nav__link")
    index = links.evaluate_all("(els, url) => els.findIndex((e) => e.href === url)", tab.origin + path)
    assert index >= 0, f"no link to /{path} in the navigation"
    return links.nth(index)


def _h1_text(path: Path) -> str:
    match = re.search(r"<h1\b[^>]*>(.*?)</h1>", path.read_text(encoding="utf-8"), re.S)
    return re.sub(r"<[^>]+>|¶", "", match.group(1)) if match else ""


def test_search_finds_the_activation_chapter(tabs, built_site: Path):
    """Typing "sigmoid" in the search field lists the activation chapter (or, until that chapter
    exists, a page whose text mentions the sigmoid)."""
    tab = tabs("light")
    tab.visit("")
    field = tab.page.locator("input.md-search__input")
    field.click()
    field.press_sequentially("sigmoid", delay=20)
    results = tab.page.locator("li.md-search-result__item a.md-search-result__link")
    results.first.wait_for(state="visible")
    hrefs = [urllib.parse.urljoin(tab.page.url, h) for h in results.evaluate_all("els => els.map(e => e.href)")]
    found = {urllib.parse.urlsplit(h).path.lstrip("/") for h in hrefs if h.startswith(tab.origin)}
    if _html_file(built_site, SEARCH_TARGET).is_file():
        assert SEARCH_TARGET in found, f"search for 'sigmoid' did not list {SEARCH_TARGET}: {sorted(found)}"
    else:  # the chapter is not written yet
        mentioning = [p for p in found if "sigmoid" in _html_file(built_site, p).read_text("utf-8").lower()]
        assert mentioning, f"search for 'sigmoid' found no page mentioning it: {sorted(found)}"
    assert not tab.problems, tab.problems


def test_palette_toggle_switches_scheme_and_figures(browser, built_site: Path, site_server):
    """The header's palette toggle changes the scheme, and the figures' colours follow it."""
    path = _first_page_with(built_site, lambda p: p.figures > 0)
    assert path, "no page with a figure (pagetools.figure) in the built site"
    tab = Tab(browser, site_server.url, "light")  # its own context: the choice is stored per site
    try:
        tab.visit(path)
        page = tab.page
        shown = """() => {
          const svg = document.querySelector("article svg.bp-figure__svg");
          const text = svg.querySelector('[style*="--bp-fg"]');
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


def test_page_weight_first_and_next_page(browser, built_site: Path, site_server):
    """Bytes a reader downloads: a first visit to a notebook page, then the next page by instant
    navigation (only that page's HTML). Sizes are response bodies as served (uncompressed);
    gzip -6 sizes are given alongside, as a static host compressing text would send."""
    notebook = [p for p in _nav_paths(built_site) if 'class="jupyter-wrapper"' in
                _html_file(built_site, p).read_text("utf-8")]
    assert notebook, "no notebook page in the navigation"
    first = notebook[0]  # the first chapter in the navigation (a worked example), then the next one
    following = notebook[1] if len(notebook) > 1 else ""  # (or home)
    tab = Tab(browser, site_server.url, "light", route=False)  # no routing: the browser cache is on
    try:
        tab.visit(first)
        tab.wait_for_math(True)  # (MathJax needs no further downloads: SVG output, no fonts)
        first_loads = _sizes(tab, built_site)
        tab.reset()
        tab.page.evaluate("window.__bpNoReload = true")
        _nav_link(tab, following).click()
        tab.page.wait_for_url(tab.origin + following)
        tab.page.wait_for_load_state("networkidle")
        assert tab.page.evaluate("window.__bpNoReload === true"), "instant navigation did not engage"
        next_loads = _sizes(tab, built_site)
        assert not tab.problems, tab.problems
    finally:
        tab.context.close()

    lines = [f"Page weight (bytes; uncompressed / gzip -6), served from {site_server.url}"]
    for label, page, loads in (("first page", first, first_loads), ("next page", following, next_loads)):
        total, total_gz = sum(s for _, s, _ in loads), sum(g for _, _, g in loads)
        lines.append(f"{label}: /{page} {total:>10,} / {total_gz:>9,} in {len(loads)} responses")
        lines += [f"    {s:>10,} / {g:>9,}  {url}" for url, s, g in sorted(loads, key=lambda x: -x[1])]
    report = "\n".join(lines)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "page-weight.txt").write_text(report + "\n", encoding="utf-8")
    print(report)

    first_total = sum(s for _, s, _ in first_loads)
    next_total = sum(s for _, s, _ in next_loads)
    assert first_total < FIRST_PAGE_BUDGET, report
    assert next_total < NEXT_PAGE_BUDGET, report
    # Chromium fetches the favicon again for the new history entry (2 KB); anything else is too much.
    expected = {f"/{following}", "/assets/images/favicon.png"}
    other = [url for url, _, _ in next_loads if urllib.parse.urlsplit(url).path not in expected]
    assert not other, f"instant navigation fetched more than the page's HTML: {other}"


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
