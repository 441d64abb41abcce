"""MkDocs hook: typeset the book's math with KaTeX while the site builds (no math script for readers).

* What: ``$...$``, ``$$...$$``, ``\\(...\\)`` and ``\\[...\\]`` in the text of every page (notebook
  Markdown, ``md()`` output, SymPy's ``$\\displaystyle ...$`` in ``.jp-RenderedLatex``, figure
  captions, ``<details>`` solutions, arithmatex spans of ``.md`` pages, headings and their entries in
  the table of contents), never inside ``pre``, ``code``, ``script``, ``style``, ``textarea``, ``svg``
  or the hidden copy text of code cells. SymPy output is display math, centred like ``$$``.
* How: the vendored ``katex.min.js`` (``docs/assets/vendor/katex/``, built with
  ``tools/refresh_katex.sh``; not copied to the site) runs in V8 through the PyPI wheel
  ``mini-racer``, one call per page. ``throwOnError``: a formula KaTeX cannot typeset stops the build
  naming the page and the formula; KaTeX's strict-mode complaints and unmatched delimiters are
  warnings, which fail ``mkdocs build --strict``.
* Output: KaTeX's HTML (drawn with ``katex.min.css`` and its woff2 fonts) and MathML (read by screen
  readers; without the TeX annotation). The punctuation right after an inline formula (``$x$),``) is
  kept on the line of the formula's last piece (``span.bp-math-nowrap``, see ``_glue``).
* Rebuilds (``mkdocs serve``): each formula is typeset once per process, and a page whose HTML has
  not changed since the last build reuses its result (its warnings are logged again).
* Search: Material indexes each formula as readable text taken from its MathML (``∂ℒ/∂Z^(l)``),
  neither TeX nor KaTeX's glyph soup, and not the hidden copy text of code cells (a second copy of
  the code): the page content is swapped for that version just before the search plugin reads it
  and swapped back right after.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority

log = logging.getLogger("mkdocs.hooks.katex_math")

KATEX_JS = "assets/vendor/katex/katex.min.js"  # under docs_dir: build time only

_JS = r"""
function bpRender(items) {
  return items.map(function (item) {
    var warnings = [];
    try {
      var out = katex.renderToString(item[0], {
        displayMode: item[1], output: "htmlAndMathml", throwOnError: true,
        strict: function (code, message) { warnings.push(code + ": " + message); return "ignore"; },
      });
      return {html: out, warnings: warnings};
    } catch (e) {
      return {error: String(e && e.message || e)};
    }
  });
}
"""

_engine = None  # the V8 context holding KaTeX, created by the first page with math


def _katex(docs_dir: str):
    global _engine
    if _engine is None:
        from py_mini_racer import MiniRacer

        source = Path(docs_dir, KATEX_JS)
        if not source.is_file():
            raise PluginError(f"{source} is missing: run tools/refresh_katex.sh")
        _engine = MiniRacer()
        _engine.eval(source.read_text(encoding="utf-8"))
        _engine.eval(_JS)
    return _engine


def on_shutdown() -> None:
    global _engine
    if _engine is not None:
        _engine.close()
        _engine = None


# --------------------------------------------------------------------------- finding the math

_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<!.*?>"
    r"|<(/?)([A-Za-z][\w:.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|[^<]+|<",
    re.S,
)
_CLASS_ATTR = re.compile(r"\sclass\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
_SKIP_TAGS = {"pre", "code", "kbd", "samp", "script", "style", "textarea", "svg", "math", "title"}
_COPY_TEXT = "clipboard-copy-txt"
_SKIP_CLASSES = {_COPY_TEXT, "katex", "katex-display", "tex2jax_ignore"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Display first. `\$` is a literal dollar sign. An inline `$` opens before a non-space and closes after
# one (or after a control word's space, `\vert $`), and not before a digit: "$5 and $6" is no formula.
_MATH = re.compile(
    r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)"
    r"|(?<!\\)\$(?P<i2>[^\s$](?:[^$]*?(?:[^\s$\\]|\\[A-Za-z]+\s+))?)\$(?!\d)",
    re.S,
)
_LEFTOVER = re.compile(r"(?<!\\)\$|\\[()\[\]]")
_PUNCTUATION = re.compile(r"[)\]}.,;:!?’”%]+")


class _CopyText(str):
    """Markup inside the hidden copy text of a code cell: on the page, not in the search index (the
    visible code already is)."""


class _Math:
    """One formula of a page: its TeX, mode, and (once rendered) HTML and readable text."""

    __slots__ = ("tex", "display", "punct", "html", "text")

    def __init__(self, tex: str, display: bool, punct: str = ""):
        self.tex, self.display, self.punct = tex, display, punct
        self.html = self.text = ""


def _classes(attrs: str) -> set[str]:
    m = _CLASS_ATTR.search(attrs)
    return set(next(g for g in m.groups() if g is not None).split()) if m else set()


def _split(source: str, where: str) -> tuple[list[str | _Math], list[str]]:
    """The page as pieces (HTML strings and formulas) and warnings about stray delimiters."""
    pieces: list[str | _Math] = []
    warnings: list[str] = []
    stack: list[tuple[str, set[str]]] = []  # open elements: (tag, classes)
    for m in _TOKEN.finditer(source):
        closing, tag, attrs = m.group(1), m.group(2), m.group(3)
        copy_text = any(_COPY_TEXT in classes for _, classes in stack)
        if tag is not None:
            tag = tag.lower()
            if closing:
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == tag:
                        del stack[i:]
                        break
            elif tag not in _VOID and not attrs.rstrip().endswith("/"):
                stack.append((tag, _classes(attrs)))
            pieces.append(_CopyText(m.group(0)) if copy_text and not closing else m.group(0))
            continue
        text = m.group(0)
        skip = any(tag in _SKIP_TAGS or classes & _SKIP_CLASSES for tag, classes in stack)
        if copy_text:
            pieces.append(_CopyText(text))
        elif not text.startswith("<") and not skip and ("$" in text or "\\" in text):
            sympy = bool(stack) and "jp-RenderedLatex" in stack[-1][1]
            _split_text(text, sympy, pieces, warnings, where)
        else:
            pieces.append(text)
    _attach_punctuation(pieces)
    return pieces, warnings


def _split_text(text: str, sympy: bool, pieces: list, warnings: list[str], where: str) -> None:
    pos = 0
    for m in _MATH.finditer(text):
        before = text[pos:m.start()]
        _check_leftover(before, warnings, where)
        if before:
            pieces.append(before.replace("\\$", "$"))
        kind = m.lastgroup
        tex = html.unescape(m.group(kind)).strip()
        display = kind.startswith("d") or (sympy and not text[:m.start()].strip() and not text[m.end():].strip())
        punct = ""
        if not display:
            after = _PUNCTUATION.match(text, m.end())
            punct = after.group(0) if after else ""
        pieces.append(_Math(tex, display, punct))
        pos = m.end() + len(punct)
    rest = text[pos:]
    _check_leftover(rest, warnings, where)
    if rest:
        pieces.append(rest.replace("\\$", "$"))


def _attach_punctuation(pieces: list[str | _Math]) -> None:
    """arithmatex wraps a formula in its own span (``.md`` pages, ``solution()``): the punctuation
    after that span's end belongs to the formula as much as ``$x$,`` does."""
    for i in range(1, len(pieces) - 2):
        p = pieces[i]
        if (isinstance(p, _Math) and not p.display and not p.punct and pieces[i + 1] == "</span>"
                and isinstance(pieces[i - 1], str) and 'class="arithmatex"' in pieces[i - 1]
                and isinstance(pieces[i + 2], str)):
            m = _PUNCTUATION.match(pieces[i + 2])
            if m:
                p.punct, pieces[i + 2] = m.group(0), pieces[i + 2][m.end():]


def _check_leftover(text: str, warnings: list[str], where: str) -> None:
    m = _LEFTOVER.search(text)
    if m:
        context = " ".join(text[max(0, m.start() - 40): m.end() + 40].split())
        warnings.append(f"{where}: math delimiter {m.group(0)!r} without a partner (write a literal "
                        f"dollar sign as \\$): ...{context}...")


# --------------------------------------------------------------------------- rendering


# KaTeX's output for each (TeX, display) it has typeset in this process: `mkdocs serve` rebuilds the
# whole site on every edit, and most formulas have not changed.
_typeset_formulas: dict[tuple[str, bool], dict] = {}


def _render(formulas: list[_Math], docs_dir: str, where: str, warnings: list[str]) -> None:
    if not formulas:
        return
    todo = list(dict.fromkeys((f.tex, f.display) for f in formulas if (f.tex, f.display) not in _typeset_formulas))
    if todo:
        _typeset_formulas.update(zip(todo, _katex(docs_dir).call("bpRender", [list(t) for t in todo]), strict=True))
    for formula in formulas:
        result = _typeset_formulas[formula.tex, formula.display]
        mode = "display" if formula.display else "inline"
        if "error" in result:
            raise PluginError(f"{where}: KaTeX cannot typeset the {mode} formula `{formula.tex}`: "
                              f"{result['error']}")
        for warning in result["warnings"]:
            warnings.append(f"{where}: KaTeX (strict) on the {mode} formula `{formula.tex}`: {warning}")
        # The TeX source in MathML's <annotation> is for copying; screen readers skip it: not shipped.
        out = re.sub(r"<annotation\b[^>]*>.*?</annotation>", "", result["html"], flags=re.S)
        mathml = re.search(r"<math\b.*?</math>", out, re.S)
        formula.text = _mathml_text(mathml.group(0)) if mathml else formula.tex
        formula.html = _glue(out, formula.punct) if formula.punct else out


_HTML_OPEN = '<span class="katex-html" aria-hidden="true">'
_SPAN_TAG = re.compile(r"<span\b[^>]*>|</span>")


def _glue(katex_html: str, punct: str) -> str:
    """An inline formula and the punctuation after it: the formula's last piece (KaTeX's last
    ``.katex-base``, between two of which a line may break) and the punctuation in one nowrap span.
    No line starts with the punctuation, and the formula still breaks where KaTeX lets it (after a
    relation or an operator): wrapping the whole formula would push a long one out of a phone's column.
    """
    start = katex_html.find(_HTML_OPEN)
    bases, depth, begin = [], 0, 0
    for tag in _SPAN_TAG.finditer(katex_html, start + len(_HTML_OPEN) if start >= 0 else len(katex_html)):
        if tag.group(0) == "</span>":
            depth -= 1
            if depth < 0:
                break
            if depth == 0:
                bases.append((begin, tag.end()))
        else:
            if depth == 0:
                begin = tag.start()
            depth += 1
    if len(bases) < 2:
        return f'<span class="bp-math-nowrap">{katex_html}{punct}</span>'
    last_start, last_end = bases[-1]
    head = katex_html[:last_start] + katex_html[last_end:]
    tail = f'<span class="katex">{_HTML_OPEN}{katex_html[last_start:last_end]}</span></span>'
    return f'{head}<span class="bp-math-nowrap">{tail}{punct}</span>'


def _join(pieces: list[str | _Math], search: bool) -> str:
    if search:
        return "".join(("" if isinstance(p, _CopyText) else p) if isinstance(p, str)
                       else html.escape(p.text, quote=False) + p.punct for p in pieces)
    return "".join(p if isinstance(p, str) else p.html for p in pieces)


def typeset(source: str, docs_dir: str, where: str) -> tuple[str, str, list[str]]:
    """(HTML with the math typeset, the same with each formula as readable text, warnings)."""
    pieces, warnings = _split(source, where)
    _render([p for p in pieces if isinstance(p, _Math)], docs_dir, where, warnings)
    return _join(pieces, search=False), _join(pieces, search=True), warnings


# --------------------------------------------------------------------------- MathML -> text

_SCRIPT_CAPITALS = dict(zip("BEFHILMR", "ℬℰℱℋℐℒℳℛ", strict=True))
_DOUBLE_STRUCK = dict(zip("CHNPQRZ", "ℂℍℕℙℚℝℤ", strict=True))
_ACCENTS = {"^": "\u0302", "ˆ": "\u0302", "~": "\u0303", "˜": "\u0303", "ˉ": "\u0304", "¯": "\u0304",
            "‾": "\u0305", "˙": "\u0307", "¨": "\u0308", "⃗": "\u20d7", "→": "\u20d7"}
_SPACED = set("=<>≤≥≈≠→←↦∈∉⊂⊆≡∝≪≫") | {":="}
_LARGE_OPERATORS = set("∑∏∫∮⋃⋂") | {"lim", "max", "min", "arg max", "arg min"}
_INVISIBLE = {"\u2061", "\u2062", "\u2063", "\u2064"}


def _letter(ch: str, variant: str | None) -> str:
    if variant == "script" and ch.isascii() and ch.isupper():
        return _SCRIPT_CAPITALS.get(ch, chr(0x1D49C + ord(ch) - ord("A")))
    if variant == "double-struck" and ch in _DOUBLE_STRUCK:
        return _DOUBLE_STRUCK[ch]
    if variant == "bold" and ch.isascii() and ch.isalpha():
        return chr((0x1D400 if ch.isupper() else 0x1D41A) + ord(ch.upper() if ch.isupper() else ch) -
                   ord("A" if ch.isupper() else "a"))
    return ch


_OPERAND = re.compile(r"[\w.∂′ℓ\u0302-\u0308\u20d7]*(?:[_^](?:\([^()]*\)|[\w.]+))*")


def _grouped(text: str) -> str:
    """``text`` as one operand: bracketed unless it is a name or a number (with scripts) or is
    bracketed already."""
    if _OPERAND.fullmatch(text) or (text[0] in "([{" and text[-1] in ")]}" and text.count(text[0]) == 1):
        return text
    return f"({text})"


def _mathml_text(mathml: str) -> str:
    """Readable one-line text of a KaTeX MathML tree: ``δ^(l) = ∂ℒ/∂Z^(l)``."""
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError:
        return ""

    def text(el) -> str:
        tag = el.tag.rsplit("}", 1)[-1]
        kids = [text(k) for k in el]
        if tag == "annotation" or tag == "mphantom":
            return ""
        if tag in {"mi", "mn", "mo", "mtext", "ms"}:
            raw = "".join(el.itertext())
            if tag == "mo" and raw in _INVISIBLE:
                return ""
            if tag == "mi":
                raw = "".join(_letter(ch, el.get("mathvariant")) for ch in raw)
            if tag == "mo" and raw in _SPACED:
                return f" {raw} "
            return raw.replace("\u00a0", " ")
        if tag == "mspace":
            return " " if el.get("width", "").startswith(("1em", "2em")) else ""
        if tag == "mfrac" and len(kids) == 2:
            return f"{_grouped(kids[0].strip())}/{_grouped(kids[1].strip())}"
        if tag in {"msup", "msub", "msubsup", "munder", "mover", "munderover"} and kids:
            base, rest = kids[0], [k.replace(" ", "") for k in kids[1:]]  # scripts: i=1, not i = 1
            if tag == "mover" and el.get("accent") == "true" and rest and rest[0] in _ACCENTS:
                return base + _ACCENTS[rest[0]]
            if tag in {"msup", "mover"} and rest and rest[0] in {"′", "″", "‴"}:
                return base + rest[0]
            marks = {"msup": "^", "mover": "^", "msub": "_", "munder": "_"}.get(tag)
            space = " " if base.strip() in _LARGE_OPERATORS else ""
            if marks:
                return f"{base}{marks}{_grouped(rest[0])}{space}" if rest else base
            return f"{base}_{_grouped(rest[0])}^{_grouped(rest[1])}{space}" if len(rest) == 2 else base
        if tag == "msqrt":
            return f"√{_grouped(''.join(kids).strip())}"
        if tag == "mroot" and len(kids) == 2:
            return f"{kids[1]}√{_grouped(kids[0].strip())}"
        if tag == "mtable":
            return "; ".join(kids)
        if tag == "mtr":
            return " ".join(k.strip() for k in kids)
        return "".join(kids)

    return re.sub(r"\s+", " ", text(root)).strip()


# --------------------------------------------------------------------------- fonts to preload

KATEX_DIR = "assets/vendor/katex"  # under docs_dir and site_dir
_RULE = re.compile(r"([^{}@]+)\{([^{}]*\bKaTeX_\w+[^{}]*)\}")
_faces: list[tuple[list[list[frozenset[str]]], str]] | None = None  # (selectors, font file), from katex.min.css


def _font_faces(docs_dir: str) -> list[tuple[list[list[frozenset[str]]], str]]:
    """Each rule of katex.min.css that sets a KaTeX font family: its selectors (as lists of class
    sets, one per compound) and the woff2 file of the face it selects."""
    global _faces
    if _faces is None:
        css = Path(docs_dir, KATEX_DIR, "katex.min.css").read_text(encoding="utf-8")
        _faces = []
        for selectors, body in _RULE.findall(css):
            family = re.search(r"KaTeX_(\w+)", body).group(1)
            bold = re.search(r"font-weight:\s*(?:bold|700)", body) is not None
            italic = re.search(r"font-style:\s*italic", body) is not None
            face = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
                    (True, True): "BoldItalic"}[bold, italic]
            compounds = [[c for c in (frozenset(re.findall(r"\.([\w-]+)", part))
                                      for part in re.split(r"[\s>+~]+", sel.strip())) if c]
                         for sel in selectors.split(",")]
            if any(compounds):  # (not the @font-face rules: they select nothing)
                _faces.append(([sel for sel in compounds if sel], f"fonts/KaTeX_{family}-{face}.woff2"))
    return _faces


def fonts_used(page_html: str, docs_dir: str) -> list[str]:
    """The KaTeX font files a page's math calls for: a rule of katex.min.css applies when each of
    its compound selectors is matched by one element's classes (ancestry is not checked: at worst
    a face too many). Preloading them starts their download with the page's CSS, not after the
    first layout, so the math is drawn at first paint."""
    class_sets = {frozenset(c.split()) for c in re.findall(r'\sclass="([^"]*\b(?:katex|m\w+|size\d|delim[\w-]*|'
                                                             r'text\w+|op-symbol|small-op|large-op|boldsymbol|amsrm)'
                                                             r'\b[^"]*)"', page_html)}
    if not class_sets:
        return []
    used = []
    for selectors, font in _font_faces(docs_dir):
        if font not in used and Path(docs_dir, KATEX_DIR, font).is_file() and any(
                all(any(compound <= have for have in class_sets) for compound in sel) for sel in selectors):
            used.append(font)
    return used


# --------------------------------------------------------------------------- MkDocs events


def _typeset_toc(items, docs_dir: str, where: str) -> None:
    """Headings with math: Material shows ``typeset.title`` (HTML) in the table of contents."""
    for item in items:
        if _MATH.search(item.title):
            rendered, text, _ = typeset(html.escape(item.title, quote=False), docs_dir, f"{where} (TOC)")
            item.typeset = SimpleNamespace(title=rendered)
            item.title = html.unescape(text)
        _typeset_toc(item.children, docs_dir, where)


# The last result of each page, by page: under `mkdocs serve` an unchanged page is not split again.
_typeset_pages: dict[str, tuple[str, tuple[str, str, list[str]]]] = {}


@event_priority(-50)  # after the other hooks' on_page_content (links are rewritten first)
def on_page_content(html_text: str, page, config, files):
    where = page.file.src_uri
    key = hashlib.sha256(html_text.encode()).hexdigest()
    last = _typeset_pages.get(where)
    if last is None or last[0] != key:
        last = _typeset_pages[where] = (key, typeset(html_text, config.docs_dir, where))
    rendered, search_text, warnings = last[1]
    for warning in warnings:
        log.warning(warning)
    _typeset_toc(page.toc, config.docs_dir, where)
    page.bp_search_content = search_text
    return rendered


@functools.lru_cache(maxsize=128)
def _fonts_of_page(page_html: str, docs_dir: str) -> tuple[str, ...]:
    """fonts_used() of a whole page, remembered: `mkdocs serve` writes most pages unchanged."""
    return tuple(fonts_used(page_html, docs_dir))


def on_post_page(output: str, page, config):
    """Preload the KaTeX fonts the page uses (with its CSS, before the first layout asks for them)."""
    from mkdocs.utils import get_relative_url

    fonts = _fonts_of_page(output, config.docs_dir)
    if not fonts or "</head>" not in output:
        return output
    links = "".join(f'<link rel="preload" href="{get_relative_url(f"{KATEX_DIR}/{font}", page.url)}" as="font" '
                    f'type="font/woff2" crossorigin>' for font in fonts)
    return output.replace("</head>", links + "</head>", 1)


@event_priority(100)  # before Material's search plugin reads page.content ...
def _search_text_in(context, page, config, nav):
    text = getattr(page, "bp_search_content", None)
    if text is not None:
        page.bp_rendered_content, page.content = page.content, text
    return context


@event_priority(-100)  # ... and back to the typeset page right after it
def _search_text_out(context, page, config, nav):
    rendered = getattr(page, "bp_rendered_content", None)
    if rendered is not None:
        page.content = rendered
        del page.bp_rendered_content
    return context


on_page_context = CombinedEvent(_search_text_in, _search_text_out)
