"""MkDocs hook: notebook pages carry no CSS or scripts of their own, and nothing loads from off the machine.

* Each notebook page comes from nbconvert with ~590 KB of Jupyter CSS, the MathJax v2 loader and its
  config, a mermaid loader (CDN), maybe require.js, and the copy-button script. All of it is taken
  out of the page. The CSS and the copy-button script are served once, from files that
  ``tools/make_notebook_css.py`` generates and that are committed
  (``assets/stylesheets/jupyter.css``, ``assets/javascripts/nb-clipboard.js``); math is typeset at
  build time (``katex_math.py``). If a page's Jupyter CSS is not the CSS that jupyter.css was made
  from (an upgrade of mkdocs-jupyter or nbconvert), or a page uses a Jupyter class jupyter.css was
  not trimmed for, the build warns (fails ``--strict``) and says to run the script.
* A body ``<script src=...>`` pointing off the machine is dropped with a warning, and any tag of any
  page that would fetch something from off the machine is reported (fails ``--strict``).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.offline_assets")

WRAPPER = '<div class="jupyter-wrapper">'
NOTEBOOK_CSS = "assets/stylesheets/jupyter.css"  # under docs_dir
_SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_STYLE_RE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)
_CLASS_RE = re.compile(r"\sclass\s*=\s*\"([^\"]*)\"", re.I)
_OFFSITE_SRC = re.compile(r"\ssrc\s*=\s*[\"']?(?:https?:)?//", re.I)
# A tag that makes the browser fetch an absolute URL. rel="canonical"/"alternate" links are not
# fetched; 127.0.0.1/localhost is this machine (site_url's default).
_OFFSITE_FETCH = re.compile(
    r"<(?:script|link|img|iframe|source)\b(?![^>]*\srel=\"?(?:canonical|alternate)\b)[^>]*"
    r"\s(?:src|href)\s*=\s*[\"']?(?:https?:)?//(?!(?:127\.0\.0\.1|localhost)[:/])",
    re.I,
)


def _generator():
    """tools/make_notebook_css.py as a module: the one definition of the CSS digest."""
    path = Path(__file__).resolve().parents[1] / "make_notebook_css.py"
    spec = importlib.util.spec_from_file_location("make_notebook_css", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_make = _generator()
_expected: dict[str, object] = {}  # what the committed jupyter.css was made from (on_config)


def on_config(config):
    css = Path(config.docs_dir, NOTEBOOK_CSS)
    header = css.read_text(encoding="utf-8")[:4000] if css.is_file() else ""
    digest = re.search(r"source-sha256: ([0-9a-f]{64})", header)
    classes = re.search(r"classes: ([^*]*)\*/", header)
    _expected["digest"] = digest.group(1) if digest else None
    _expected["classes"] = set(classes.group(1).split()) if classes else set()
    _expected["reported"] = False
    return config


@functools.lru_cache(maxsize=8)
def _css_digest(head: str) -> str:
    """The digest of a notebook page's Jupyter CSS. Every page has the same head (~590 KB, most of
    a page's share of this hook's time): it is digested once per build or ``mkdocs serve`` session."""
    return _make.styles_digest(_make.head_styles(head + WRAPPER))


def _check_notebook_css(page, head: str, body: str) -> None:
    where = page.file.src_uri
    problems = []
    if _css_digest(head) != _expected["digest"]:
        problems.append(f"its Jupyter CSS is not the CSS that {NOTEBOOK_CSS} was made from")
    used = {c for attr in _CLASS_RE.findall(body) for c in attr.split() if c.startswith("jp-")}
    missing = sorted(used - _expected["classes"])
    if missing:
        problems.append(f"it uses Jupyter classes {NOTEBOOK_CSS} was not trimmed for: {missing}")
    if problems and not _expected["reported"]:
        _expected["reported"] = True  # once per build, not once per page
        log.warning("%s: %s; run tools/make_notebook_css.py (and commit its output)", where, "; ".join(problems))


def on_page_content(html_text: str, page, config, files):
    if not (page.file.src_uri.endswith((".py", ".ipynb")) and WRAPPER in html_text):
        return html_text
    i = html_text.index(WRAPPER)
    head, body = html_text[:i], html_text[i:]
    _check_notebook_css(page, head, body)
    # What stays of the head: nothing. Its scripts are the MathJax v2 loader (empty or CDN src) and
    # its config, the mermaid ESM loader (CDN import), require.js (if enabled) and the copy-button
    # element (served as nb-clipboard.js).
    leftover = _SCRIPT_RE.sub("", _STYLE_RE.sub("", head))
    leftover = re.sub(r"<!--.*?-->", "", leftover, flags=re.S).strip()
    if leftover:
        log.warning("%s: unexpected notebook header markup dropped: %.200s", page.file.src_uri, leftover)

    def drop_offsite(m: re.Match) -> str:
        if _OFFSITE_SRC.search(m.group(1)):
            log.warning("%s: removed off-site script %.120s", page.file.src_uri, m.group(0))
            return ""
        return m.group(0)

    return _SCRIPT_RE.sub(drop_offsite, body)


def on_post_page(output: str, page, config):
    # Last line of defence for the offline promise, on every page (Markdown ones too).
    for m in _OFFSITE_FETCH.finditer(output):
        log.warning("%s: loads something from off the machine: %s", page.file.src_uri,
                    output[m.start(): m.start() + 160])
    return output
