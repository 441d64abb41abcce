"""MkDocs hooks for the backprop book (registered in mkdocs.yml under ``hooks:``).

What mkdocs-jupyter leaves undone, done here:

* Cache policy. mkdocs-jupyter's page cache is on under ``mkdocs serve`` (fast authoring) and off
  for ``mkdocs build`` (CI and tests always execute every page). ``BACKPROP_DOCS_CACHE=1`` or ``=0``
  overrides. The cache folder is keyed on ``backprop/`` (code and data, the page helpers of
  ``backprop.book`` included) and the installed versions of the packages pages use, so a library
  change re-executes the pages instead of serving stale ones (mkdocs-jupyter's own key covers only
  the page file).
* Links in notebook pages. mkdocs-jupyter neither rewrites nor checks links inside notebook cells.
  Here every relative ``<a href>`` / ``<img src>`` of a notebook page goes through MkDocs' own link
  resolver: ``other.py``, ``other.md#anchor`` become the right URL, and a missing page or anchor is
  reported at the level set under ``validation:`` in mkdocs.yml (``warn``: fails ``--strict``).
* No CDN. The MathJax v2 ``<script>`` tags, the mermaid loader and any require.js tag that
  nbconvert puts into each notebook page are removed (MathJax 3 is vendored; see mkdocs.yml).
* Page weight. Each notebook page carries ~585 KB of inline Jupyter CSS and a 4 KB inline script.
  They are taken out of the pages; the CSS is trimmed to the rules whose classes occur in the built
  notebook pages, given dark-theme variables, and written once to
  ``assets/stylesheets/jupyter.css``; the script goes to ``assets/javascripts/nb-clipboard.js``.
  Both are listed in mkdocs.yml (``extra_css``/``extra_javascript``).
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import shutil
from importlib import metadata
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.backprop")

_CACHE_ENV = "BACKPROP_DOCS_CACHE"
_JUPYTER_PLUGIN = "mkdocs-jupyter"
_CSS_OUT = "assets/stylesheets/jupyter.css"
_JS_OUT = "assets/javascripts/nb-clipboard.js"
# Packages whose version changes what a page computes or how it renders.
_KEY_PACKAGES = ("numpy", "sympy", "matplotlib", "mkdocs-jupyter", "nbconvert", "jupytext")

_state: dict = {"command": None, "styles": {}, "classes": set(), "notebook_pages": 0}


# --------------------------------------------------------------------------- configuration


def on_startup(command: str, dirty: bool) -> None:
    _state["command"] = command


def _env_flag(name: str) -> bool | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}={value!r}: use 1/0, true/false, yes/no or on/off")


def _tree_digest(hasher, root: Path) -> None:
    if not root.is_dir():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        hasher.update(str(path.relative_to(root)).encode())
        hasher.update(path.read_bytes())


def _cache_key(project_dir: Path) -> str:
    hasher = hashlib.sha256()
    _tree_digest(hasher, project_dir / "backprop")
    for name in _KEY_PACKAGES:
        try:
            hasher.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            hasher.update(f"{name}=none".encode())
    return hasher.hexdigest()[:16]


def on_config(config):
    project_dir = Path(config.config_file_path).resolve().parent

    plugin = config.plugins.get(_JUPYTER_PLUGIN)
    if plugin is not None:
        wanted = _env_flag(_CACHE_ENV)
        if wanted is None:
            wanted = _state["command"] == "serve"
        plugin.config["cache"] = wanted
        if wanted:
            base = Path(plugin.config["cache_dir"])
            if not base.is_absolute():
                base = project_dir / base
            key = _cache_key(project_dir)
            if base.is_dir():  # drop caches made for other library versions
                for old in base.iterdir():
                    if old.is_dir() and old.name != key:
                        shutil.rmtree(old, ignore_errors=True)
            plugin.config["cache_dir"] = str(base / key)
            log.info("mkdocs-jupyter cache: %s", plugin.config["cache_dir"])
        else:
            log.debug("mkdocs-jupyter cache off (every page is executed)")

    _state["styles"] = {}
    _state["classes"] = set()
    _state["notebook_pages"] = 0
    return config


# --------------------------------------------------------------------------- notebook pages

_WRAPPER = '<div class="jupyter-wrapper">'
_STYLE_RE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_LINK_ATTR_RE = re.compile(r"(<(?:a|img|source)\b[^>]*?\s(?:href|src)\s*=\s*)\"([^\"]*)\"", re.I)
_ID_RE = re.compile(r"\s(?:id|name)\s*=\s*\"([^\"]+)\"", re.I)
_CLASS_RE = re.compile(r"\sclass\s*=\s*\"([^\"]*)\"", re.I)
# A tag that makes the browser fetch an absolute URL. rel="canonical"/"alternate" links are not
# fetched; 127.0.0.1/localhost is this machine (site_url's default).
_OFFSITE_SRC_RE = re.compile(
    r"<(?:script|link|img|iframe|source)\b(?![^>]*\srel=\"?(?:canonical|alternate)\b)[^>]*"
    r"\s(?:src|href)\s*=\s*[\"']?(?:https?:)?//(?!(?:127\.0\.0\.1|localhost)[:/])",
    re.I,
)


def _is_notebook_page(page, html_text: str) -> bool:
    return page.file.src_uri.endswith((".py", ".ipynb")) and _WRAPPER in html_text


def _split_head(html_text: str) -> tuple[str, str]:
    i = html_text.index(_WRAPPER)
    return html_text[:i], html_text[i:]


def _rewrite_links(body: str, page, config, files) -> str:
    from mkdocs.structure.pages import _RelativePathTreeprocessor  # MkDocs 1.6 link resolver

    resolver = _RelativePathTreeprocessor(page.file, files, config)

    def fix(m: re.Match) -> str:
        url = html.unescape(m.group(2))
        if not url or url.startswith("data:"):
            return m.group(0)
        new = resolver.path_to_url(url)
        return f'{m.group(1)}"{html.escape(new, quote=True)}"'

    body = _LINK_ATTR_RE.sub(fix, body)
    # Let MkDocs check anchors of these links (validation.anchors) after all pages are rendered.
    links = page.links_to_anchors or {}
    for target, anchors in resolver.links_to_anchors.items():
        links.setdefault(target, {}).update(anchors)
    page.links_to_anchors = links
    return body


def on_page_content(html_text: str, page, config, files):
    if not _is_notebook_page(page, html_text):
        return html_text
    _state["notebook_pages"] += 1
    head, body = _split_head(html_text)

    # (c) page weight: styles of the head go to the shared stylesheet.
    for css in _STYLE_RE.findall(head):
        css = css.strip()
        if css:
            _state["styles"].setdefault(hashlib.sha1(css.encode()).hexdigest(), css)
    # (b) no CDN: the head's scripts are the MathJax v2 loader (empty or CDN src) and its config,
    # the mermaid ESM loader (CDN import), require.js (if enabled) and the clipboard-copy element
    # (moved to the shared nb-clipboard.js). None of them stays.
    leftover = _SCRIPT_RE.sub("", _STYLE_RE.sub("", head))
    leftover = re.sub(r"<!--.*?-->", "", leftover, flags=re.S).strip()
    if leftover:
        log.warning("%s: unexpected notebook header markup dropped: %.200s",
                    page.file.src_uri, leftover)

    # Body scripts pointing off the machine would break the offline promise: drop and warn.
    def drop_offsite(m: re.Match) -> str:
        if re.search(r"\ssrc\s*=\s*[\"']?(?:https?:)?//", m.group(1), re.I):
            log.warning("%s: removed off-site script %.120s", page.file.src_uri, m.group(0))
            return ""
        return m.group(0)

    body = _SCRIPT_RE.sub(drop_offsite, body)

    # (a) links: rewrite and check.
    body = _rewrite_links(body, page, config, files)

    # Anchors present on this page, so that links to it from other pages can be checked.
    ids = set(_ID_RE.findall(body))
    page.present_anchor_ids = (page.present_anchor_ids or set()) | ids

    for classes in _CLASS_RE.findall(body):
        _state["classes"].update(classes.split())
    return body


def on_post_page(output: str, page, config):
    # Last line of defence for the offline promise, on every page (Markdown ones too).
    for m in _OFFSITE_SRC_RE.finditer(output):
        snippet = output[m.start() : m.start() + 160]
        log.warning("%s: loads something from off the machine: %s", page.file.src_uri, snippet)
    return output


# --------------------------------------------------------------------------- shared assets


def _jupyter_assets() -> Path:
    import mkdocs_jupyter

    return Path(mkdocs_jupyter.__file__).parent / "templates" / "mkdocs_html" / "assets"


def _selector_used(selector: str, used: set[str]) -> bool:
    # Strip pseudo-classes' arguments like :not(.x) / :is(.a, .b) before reading class names:
    # a class inside :not() need not be present.
    plain = re.sub(r":(?:not|is|where|has)\((?:[^()]|\([^()]*\))*\)", "", selector)
    # ".jupyter-wrapper :root" / ".jupyter-wrapper body" can never match: dead weight.
    if ":root" in plain or re.search(r"\s(?:html|body)\b", plain):
        return False
    classes = re.findall(r"\.(-?[_a-zA-Z][\w-]*)", plain)
    if not classes:
        return False  # bare element selectors would leak into the rest of the site
    return all(c in used for c in classes)


def _split_selectors(prelude: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in prelude:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def _purge(css: str, used: set[str]) -> list[str]:
    import tinycss2

    def walk(rules) -> list[str]:
        kept: list[str] = []
        for rule in rules:
            if rule.type == "qualified-rule":
                sels = [
                    s for s in _split_selectors(tinycss2.serialize(rule.prelude)) if
                    _selector_used(s, used)
                ]
                if sels:
                    kept.append(f"{','.join(sels)}{{{tinycss2.serialize(rule.content).strip()}}}")
            elif rule.type == "at-rule":
                kw = rule.lower_at_keyword
                prelude = tinycss2.serialize(rule.prelude).strip()
                if kw in {"media", "supports"} and rule.content is not None:
                    inner = walk(
                        tinycss2.parse_rule_list(rule.content, skip_whitespace=True,
                                                 skip_comments=True)
                    )
                    if inner:
                        kept.append(f"@{kw} {prelude}{{{''.join(inner)}}}")
                elif kw.endswith("keyframes"):
                    kept.append(tinycss2.serialize([rule]))
                # @charset, @import, @font-face, others: dropped (nothing external, no fonts)
        return kept

    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    return walk(rules)


_VAR_DEF_RE = re.compile(r"(--[\w-]+)\s*:")
_VAR_USE_RE = re.compile(r"var\(\s*(--[\w-]+)")


def _drop_unused(rules: list[str]) -> list[str]:
    """Remove duplicate rules, custom properties nobody reads and keyframes nobody runs."""
    import tinycss2

    seen: set[str] = set()
    unique = []
    for rule in reversed(rules):  # keep the last of identical rules: same cascade result
        if rule not in seen:
            seen.add(rule)
            unique.append(rule)
    rules = unique[::-1]
    text = "\n".join(rules)
    parsed = tinycss2.parse_stylesheet(text, skip_whitespace=True, skip_comments=True)

    # Custom properties: read by var() in ordinary declarations, then transitively.
    defs: dict[str, set[str]] = {}
    roots: set[str] = set()

    def scan(rule_list) -> None:
        for rule in rule_list:
            if rule.type == "qualified-rule":
                for decl in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True,
                                                           skip_comments=True):
                    if decl.type != "declaration":
                        continue
                    uses = set(_VAR_USE_RE.findall(tinycss2.serialize(decl.value)))
                    if decl.name.startswith("--"):
                        defs.setdefault(decl.name, set()).update(uses)
                    else:
                        roots.update(uses)
            elif rule.type == "at-rule" and rule.content is not None and \
                    rule.lower_at_keyword in {"media", "supports"}:
                scan(tinycss2.parse_rule_list(rule.content, skip_whitespace=True,
                                              skip_comments=True))

    scan(parsed)
    live, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name not in live:
            live.add(name)
            todo.extend(defs.get(name, ()))
    animations = " ".join(re.findall(r"animation(?:-name)?\s*:([^;}]*)", text))

    def rebuild(rule_list) -> list[str]:
        out = []
        for rule in rule_list:
            if rule.type == "qualified-rule":
                decls = [
                    d for d in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True,
                                                              skip_comments=True)
                    if d.type == "declaration" and (not d.name.startswith("--") or d.name in live)
                ]
                if decls:
                    body = ";".join(
                        f"{d.name}:{tinycss2.serialize(d.value).strip()}"
                        + ("!important" if d.important else "")
                        for d in decls
                    )
                    out.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{body}}}")
            elif rule.type == "at-rule":
                kw = rule.lower_at_keyword
                if kw.endswith("keyframes"):
                    name = tinycss2.serialize(rule.prelude).strip()
                    if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", animations):
                        out.append(tinycss2.serialize([rule]))
                elif rule.content is not None:
                    inner = rebuild(tinycss2.parse_rule_list(rule.content, skip_whitespace=True,
                                                             skip_comments=True))
                    if inner:
                        prelude = tinycss2.serialize(rule.prelude).strip()
                        out.append(f"@{kw} {prelude}{{{''.join(inner)}}}")
        return out

    return rebuild(parsed)


def on_post_build(config):
    site = Path(config.site_dir)
    styles = list(_state["styles"].values())
    # The Pygments block (".highlight-ipynb ...") colours code for the light theme only; book.css
    # maps the token classes to Material's code colours, which follow the colour scheme.
    # (mkdocs-jupyter's index.css already holds the dark variables for Material's slate scheme.)
    styles = [s for s in styles if not s.lstrip().startswith(".highlight-ipynb")]
    used = set(_state["classes"]) | {"jupyter-wrapper"}
    raw_bytes = sum(len(s.encode()) for s in styles)
    rules = _drop_unused([r for css in styles for r in _purge(css, used)])
    out = "\n".join([
        "/* Generated by tools/mkdocs_hooks.py from mkdocs-jupyter's notebook CSS, trimmed to the",
        "   classes used by this site's notebook pages. Do not edit: the book's own rules are in",
        "   docs/assets/stylesheets/book.css. */",
        *rules,
    ]) + "\n"
    css_path = site / _CSS_OUT
    css_path.parent.mkdir(parents=True, exist_ok=True)
    css_path.write_text(out, encoding="utf-8")

    js = (_jupyter_assets() / "clipboard.umd.js").read_text(encoding="utf-8")
    js += """
document.addEventListener('clipboard-copy', function (event) {
  const notice = event.target.querySelector('.notice');
  if (!notice) return;
  notice.hidden = false;
  setTimeout(function () { notice.hidden = true; }, 1000);
});
"""
    js_path = site / _JS_OUT
    js_path.parent.mkdir(parents=True, exist_ok=True)
    js_path.write_text(js, encoding="utf-8")
    log.info(
        "notebook pages: %d; Jupyter CSS %d bytes per page moved to %s (%d bytes, once)",
        _state["notebook_pages"], raw_bytes, _CSS_OUT, len(out.encode()),
    )
